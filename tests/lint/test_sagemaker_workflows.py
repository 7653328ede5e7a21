"""The deployment workflows and actions reach AWS only through OIDC (issue 6, check 10).

Static checks on the parsed files: no AWS access key anywhere; ``id-token: write`` exactly on the jobs that
assume a role with aws-actions/configure-aws-credentials (pinned by commit), that step only for
``target: sagemaker``, after the install and right before mlgate; the deploy gate assumes its own read-only
role; sagemaker runs on a hosted runner, local on the self-hosted one. The SageMaker caller shown in
docs/workflows.md passes actionlint against the reusable workflows and zizmor, like the other callers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions_harness import Context, run_action
from lint.linters import Finding, actionlint, stage_repository, zizmor
from lint.workflow_steps import ROOT, WORKFLOWS, load_document, triggers_of
from mlgate.config import SagemakerConfig

DEPLOYMENT = ("register.yml", "approve.yml", "deploy.yml", "rollback.yml")
ACTIONS = (ROOT / "actions" / "deploy", ROOT / "actions" / "rollback")
CONFIGURE = "aws-actions/configure-aws-credentials@"
STATIC_KEYS = re.compile(
    r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|secrets\.AWS_|aws-access-key-id|"
    r"aws-secret-access-key",
    re.IGNORECASE,
)
DOC = ROOT / "docs" / "workflows.md"
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
SAGEMAKER_CALLER = re.compile(
    r"```yaml\n# (?P<path>\.github/workflows/[\w.-]+\.yml), target sagemaker\n(?P<body>.*?)```", re.DOTALL
)
REMOTE = re.compile(r"uses: mlgate/mlgate/(?P<path>\.github/workflows/[\w.-]+\.yml)@\S+")


def jobs(name: str) -> dict[str, dict[str, Any]]:
    return dict(load_document(WORKFLOWS / name)["jobs"])


def configure_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [step for step in steps if str(step.get("uses", "")).startswith(CONFIGURE)]


def every_file() -> Iterator[Path]:
    yield from sorted(WORKFLOWS.glob("*.yml"))
    yield from sorted((ROOT / "actions").glob("*/action.yml"))
    yield from (ROOT / "docs" / "workflows.md", ROOT / "docs" / "actions.md")


def show(findings: list[Finding]) -> str:
    return "\n".join(map(str, findings))


@pytest.mark.parametrize("path", list(every_file()), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_aws_access_key_appears_anywhere(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":  # the examples; the prose may name what is forbidden
        text = "".join(YAML_BLOCK.findall(text))
        assert text, path
    found = STATIC_KEYS.findall(text)
    assert found == [], f"{path.relative_to(ROOT)}: {found} (AWS credentials come only from OIDC)"


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_id_token_is_granted_exactly_to_the_jobs_that_assume_an_aws_role(path: Path) -> None:
    for job_id, job in load_document(path)["jobs"].items():
        oidc = (job.get("permissions") or {}).get("id-token") == "write"
        assumes = bool(configure_steps(job.get("steps") or []))
        assert oidc is assumes, f"{path.name}: job {job_id}"
    assert "id-token" not in str(load_document(path)["permissions"])  # never at the workflow level


@pytest.mark.parametrize("name", DEPLOYMENT)
def test_every_deployment_job_assumes_a_role_only_for_sagemaker_right_before_mlgate(name: str) -> None:
    for job_id, job in jobs(name).items():
        steps = job["steps"]
        assert job["permissions"] == {"contents": "read", "id-token": "write"}, job_id
        [configure] = configure_steps(steps)
        assert configure["if"] == "inputs.target == 'sagemaker'"
        assert set(configure["with"]) - {"role-duration-seconds"} == {
            "role-to-assume",
            "aws-region",
            "role-session-name",
        }
        assert configure["with"]["aws-region"] == "${{ inputs.aws-region }}"
        changes_the_endpoint = name in ("deploy.yml", "rollback.yml") and job_id != "gate"
        duration = configure["with"].get("role-duration-seconds")
        assert duration == ("${{ inputs.aws-role-duration-seconds }}" if changes_the_endpoint else None), job_id
        position = steps.index(configure)
        installs = [i for i, step in enumerate(steps) if "pip install" in step.get("run", "")]
        assert installs, f"{name} {job_id}: no install step"
        assert max(installs) < position, f"{name} {job_id}: credentials before the install"
        assert "mlgate " in steps[position + 1]["run"], f"{name} {job_id}: mlgate must follow the credentials"


@pytest.mark.parametrize("name", ["deploy.yml", "rollback.yml"])
def test_the_role_session_outlasts_the_deploy_wait_by_default(name: str) -> None:
    triggers = triggers_of(load_document(WORKFLOWS / name))
    declared = triggers["workflow_call"]["inputs"]["aws-role-duration-seconds"]
    assert (declared["type"], declared["default"]) == ("number", 3600)
    assert declared["default"] > SagemakerConfig().wait_timeout_s  # the watch of an update fits in one session


def test_the_configure_action_is_one_pinned_commit_everywhere() -> None:
    texts = [path.read_text(encoding="utf-8") for path in [*WORKFLOWS.glob("*.yml"), *ROOT.glob("actions/*/*.yml")]]
    pins = {line.split("uses:", 1)[1].strip() for text in texts for line in text.splitlines() if CONFIGURE in line}
    assert pins == {f"{CONFIGURE}e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2"}


def test_the_gate_assumes_the_read_only_role_and_the_deploy_jobs_the_deploy_role() -> None:
    deploy = jobs("deploy.yml")
    roles = {job_id: configure_steps(job["steps"])[0]["with"]["role-to-assume"] for job_id, job in deploy.items()}
    assert roles == {
        "gate": "${{ inputs.aws-gate-role-arn }}",
        "deploy": "${{ inputs.aws-role-arn }}",
        "rollback": "${{ inputs.aws-role-arn }}",
    }
    assert "environment" not in deploy["gate"]  # so the endpoint's deploy role cannot trust it
    [manual] = jobs("rollback.yml").values()
    assert configure_steps(manual["steps"])[0]["with"]["role-to-assume"] == "${{ inputs.aws-role-arn }}"


@pytest.mark.parametrize("name", DEPLOYMENT)
@pytest.mark.parametrize(
    ("target", "runs_on", "expected"),
    [
        ("sagemaker", "", "ubuntu-latest"),
        ("local", "", "self-hosted"),
        ("", "", "self-hosted"),
        ("sagemaker", "my-runner", "my-runner"),
        ("local", "my-runner", "my-runner"),
    ],
)
def test_sagemaker_runs_on_a_hosted_runner_and_local_on_the_self_hosted_one(
    name: str, target: str, runs_on: str, expected: str
) -> None:
    triggers = triggers_of(load_document(WORKFLOWS / name))
    inputs = triggers["workflow_call"]["inputs"]
    assert inputs["target"]["default"] == "local"
    assert inputs["runs-on"]["default"] == ""
    context = Context(github={}, runner={}, env={})
    context.inputs = {"target": target, "runs-on": runs_on}
    for job in jobs(name).values():
        assert context.render(job["runs-on"]) == expected


@pytest.mark.parametrize("action", ACTIONS, ids=lambda p: p.name)
def test_the_actions_assume_a_role_only_when_given_one(action: Path, tmp_path: Path) -> None:
    steps = load_document(action / "action.yml")["runs"]["steps"]
    [configure] = configure_steps(steps)
    assert configure["if"] == "inputs.aws-role-arn != ''"
    assert configure["with"]["role-to-assume"] == "${{ inputs.aws-role-arn }}"
    assert steps.index(configure) > max(i for i, step in enumerate(steps) if "pip install" in step.get("run", ""))
    python = tmp_path / "python"  # stands in for mlgate: records the registry backend it was given
    python.write_text(
        '#!/usr/bin/env bash\necho "$MLGATE_REGISTRY__BACKEND" > "$RUNNER_TEMP/backend"\n', encoding="utf-8"
    )
    python.chmod(0o755)
    (tmp_path / "workspace").mkdir()
    for role, status in (("", "skipped"), ("arn:aws:iam::123456789012:role/deploy", "uses")):
        done = run_action(
            action,
            inputs={
                "install": "false",
                "python": str(python),
                "target": "sagemaker",
                "aws-role-arn": role,
                "aws-region": "eu-west-1",
            },
            workspace=tmp_path / "workspace",
            runner_temp=tmp_path / "temp",
            github={"run_id": "42"},
        )
        assert not done.failed, done.log
        assert done.step("Assume the AWS role (OIDC)").status == status
        assert (tmp_path / "temp" / "backend").read_text(encoding="utf-8").strip() == "sagemaker"


# -- the SageMaker caller in docs/workflows.md ---------------------------------------------------------------


def sagemaker_callers() -> dict[str, str]:
    return {m["path"]: m["body"] for m in SAGEMAKER_CALLER.finditer(DOC.read_text(encoding="utf-8"))}


def test_the_doc_shows_a_sagemaker_deploy_caller_that_grants_what_the_jobs_need() -> None:
    callers = sagemaker_callers()
    assert set(callers) == {".github/workflows/mlgate-deploy.yml"}
    [job] = yaml.safe_load(callers[".github/workflows/mlgate-deploy.yml"])["jobs"].values()
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["with"]["target"] == "sagemaker"
    assert {"aws-role-arn", "aws-gate-role-arn", "aws-region"} <= set(job["with"])


def test_the_sagemaker_caller_passes_actionlint_and_zizmor(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    files = {WORKFLOWS / name: f".github/workflows/{name}" for name in DEPLOYMENT}
    originals = []
    for path, body in sagemaker_callers().items():
        (sources / Path(path).name).write_text(REMOTE.sub(r"uses: ./\g<path>", body), encoding="utf-8")
        files[sources / Path(path).name] = path
        original = tmp_path / "original" / Path(path).name
        original.parent.mkdir(exist_ok=True)
        original.write_text(body, encoding="utf-8")
        originals.append(original)
    findings = actionlint(stage_repository(files, tmp_path / "repo"))
    config = tmp_path / "zizmor.yml"  # the doc's: mlgate pinned by tag, everything else by commit
    config.write_text(
        yaml.safe_dump(
            {"rules": {"unpinned-uses": {"config": {"policies": {"mlgate/*": "ref-pin", "*": "hash-pin"}}}}}
        ),
        encoding="utf-8",
    )
    findings += zizmor(originals, tmp_path, config=config)
    assert findings == [], show(findings)
