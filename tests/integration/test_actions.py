"""The composite actions, run step by step by tests/actions_harness.py against the churn example and the GitHub fake.

mlgate is preinstalled in the test venv, so the actions run with ``install: false`` (the venv's bin folder
is first on PATH, so the default ``python: python3`` finds it); one test runs the install steps with a
``python`` shim that records the pip command and hands everything else to the real interpreter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from actions_harness import ActionRun, HarnessError, run_action
from fakes.github_api import FakeGitHub
from gitrepo import Repo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "churn"
FIXTURES = ROOT / "tests" / "fixtures" / "actions"
VENV_BIN = Path(sys.executable).parent
JOB_ENV = {
    "GITHUB_REPOSITORY": "octo/demo",
    "GITHUB_WORKFLOW": "PR checks",
    "GITHUB_JOB": "benchmark",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_RUN_ID": "42",
}
# Fast candidates for the example data (its forest and boosting models take longer to train), few latency rows.
MODELS = {
    "logistic": {"estimator": "sklearn.linear_model.LogisticRegression", "params": {"C": 1.0, "max_iter": 300}},
    "tree": {"estimator": "sklearn.tree.DecisionTreeClassifier", "params": {"max_depth": 3}},
}


def example_config(c: float, **extra: object) -> str:
    config = yaml.safe_load((EXAMPLE / "mlgate.yaml").read_text(encoding="utf-8"))
    params = {"C": c, "max_iter": 300, **extra}
    config["models"] = {**MODELS, "logistic": {**MODELS["logistic"], "params": params}}
    config["train"] |= {"latency_rows": 5, "batch_rows": 50}
    return yaml.safe_dump(config, sort_keys=False)


@pytest.fixture
def project(tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """A copy of examples/churn as a git repo: main at A; feature F (a much weaker logistic model) from A."""
    repo = Repo(tmp_path / "workspace")
    shutil.copytree(EXAMPLE, repo.path)
    (repo.path / "mlgate.yaml").write_text(example_config(1.0), encoding="utf-8")
    (repo.path / ".gitignore").write_text(".mlgate/\n", encoding="utf-8")
    repo.git("init", "-q", "-b", "main")
    repo.git("add", "-A")
    shas = {"A": repo.commit("churn example", {})}
    repo.git("checkout", "-q", "-b", "feature")
    weaker = example_config(0.01, l1_ratio=1.0, solver="saga")  # an L1 penalty that zeroes every coefficient
    shas["F"] = repo.commit("weaker model", {"mlgate.yaml": weaker})
    return repo, shas


def run(
    action: str,
    workspace: Path,
    tmp_path: Path,
    inputs: Mapping[str, str],
    *,
    env: Mapping[str, str] | None = None,
    github: Mapping[str, str] | None = None,
) -> ActionRun:
    """Run ``action`` (``mlgate`` for the root action, else actions/<name>) with mlgate preinstalled."""
    folder = ROOT if action == "mlgate" else (ROOT / "actions" / action)
    return run_action(
        folder,
        inputs={"install": "false", **inputs},
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        env={**JOB_ENV, **(env or {})},
        github=github,
        path=[VENV_BIN],
    )


# -- validate -------------------------------------------------------------------------------------


def test_validate_passes_and_writes_the_report_to_the_job_summary(
    project: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, _ = project
    done = run("validate", repo.path, tmp_path, {})
    assert not done.failed, done.log
    assert done.outputs == {
        "verdict": "pass",
        "exit-code": "0",
        "report": str(tmp_path / "runner-temp" / "mlgate-validate.md"),
    }
    assert done.summary == Path(done.outputs["report"]).read_text(encoding="utf-8")
    assert done.summary.startswith("### ✅ Data valid: 2 files")
    assert "::error" not in done.log
    assert done.step("Fail on invalid data").status == "skipped"


def test_invalid_data_is_annotated_and_fails_the_step(project: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, _ = project
    train = repo.path / "data" / "train.csv"
    lines = train.read_text(encoding="utf-8").splitlines()
    plan = next(p for p in ("premium", "standard", "basic") if p in lines[4])
    lines[4] = lines[4].replace(plan, "platinum")
    train.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = {"data": "data/train.csv", "schema": "schema.yaml"}
    done = run("validate", repo.path, tmp_path, inputs)
    assert done.failed
    assert done.outputs["verdict"] == "fail"
    assert done.outputs["exit-code"] == "1"
    assert done.step("Fail on invalid data").status == "failure"
    assert "::error file=data/train.csv,line=5," in done.log
    assert "platinum" in done.summary
    assert "data/test.csv" not in done.summary  # only the given file was validated
    reported = run("validate", repo.path, tmp_path, {**inputs, "fail-on-invalid": "false"})
    assert not reported.failed
    assert reported.outputs["verdict"] == "fail"


def test_unusable_input_is_an_error_without_a_report(project: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, _ = project
    done = run("validate", repo.path, tmp_path, {"data": "data/missing.csv", "fail-on-invalid": "false"})
    assert done.failed  # exit 2 fails the step whatever fail-on-invalid says
    assert done.outputs == {"verdict": "error", "exit-code": "2", "report": ""}
    assert done.step("validate").exit_code == 2
    assert "missing.csv" in done.log
    assert done.summary == ""


# -- benchmark and comment -------------------------------------------------------------------------


@pytest.mark.slow
def test_benchmark_reports_a_failed_gate_and_the_comment_action_posts_it(
    project: tuple[Repo, dict[str, str]], tmp_path: Path, github_api: FakeGitHub
) -> None:
    repo, shas = project
    github_api.add_pull(7, head_sha=shas["F"])
    api = github_api.env(tmp_path / "event", "pull_request", github_api.pull_request_event(7))
    event = {name: api[name] for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH")}
    done = run("benchmark", repo.path, tmp_path, {"fail-on-gate": "false", "key": "churn"}, env=event)
    assert not done.failed, done.log
    out = done.outputs
    report_dir = tmp_path / "runner-temp" / "mlgate-check"
    assert out == {
        "verdict": "fail",
        "exit-code": "1",
        "report-dir": str(report_dir),
        "comment-file": str(report_dir / "comment.md"),
        "summary-file": str(report_dir / "summary.md"),
        "report-file": str(report_dir / "report.json"),
    }
    assert done.summary == (report_dir / "summary.md").read_text(encoding="utf-8")
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "fail"
    assert report["baseline"]["commit"] == shas["A"]
    assert report["comparison"]["metrics"]["logistic"]["roc_auc"]["status"] == "fail"
    assert done.step("Fail on a failed gate").status == "skipped"

    posted = run(
        "comment",
        repo.path,
        tmp_path,
        {"body-file": out["comment-file"], "key": "churn"},
        env={**event, "GITHUB_API_URL": api["GITHUB_API_URL"], "GITHUB_REPOSITORY": api["GITHUB_REPOSITORY"]},
        github={"token": github_api.token},
    )
    assert not posted.failed, posted.log
    [comment] = github_api.comments(7)
    assert posted.outputs == {
        "result": "created",
        "pr": "7",
        "comment-id": str(comment.id),
        "comment-url": posted.outputs["comment-url"],
    }
    assert str(comment.id) in posted.outputs["comment-url"]
    assert comment.author == "github-actions[bot]"
    assert comment.body.startswith(f"<!-- mlgate:report v=1 key=churn head={shas['F']} ")
    assert "logistic" in comment.body
    assert github_api.token not in posted.log

    # By default a failed gate fails the job, after the outputs are set (the baseline is cached by now).
    failed = run("benchmark", repo.path, tmp_path, {"out-dir": "reports"}, env=event)
    assert failed.failed
    assert failed.step("Fail on a failed gate").status == "failure"
    assert "::error title=mlgate benchmark::a gate failed" in failed.log
    assert failed.outputs["verdict"] == "fail"
    assert failed.outputs["report-dir"] == str(repo.path / "reports")  # relative to the working directory
    comment_file = Path(failed.outputs["comment-file"]).read_text(encoding="utf-8")
    assert comment_file.startswith("<!-- mlgate:report v=1 key=mlgate ")  # report.key's default


@pytest.mark.slow
def test_benchmark_passes_and_caches_the_results_on_the_main_branch(
    project: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = project
    repo.git("checkout", "-q", "main")
    done = run("benchmark", repo.path, tmp_path, {"cache": "true"}, env={"GITHUB_EVENT_NAME": "push"})
    assert not done.failed, done.log
    assert done.outputs["verdict"] in {"pass", "warn"}  # timing rows may warn: the same code, timed twice
    assert done.outputs["exit-code"] == "0"
    assert (repo.path / ".mlgate" / "cache" / shas["A"]).is_dir()
    assert done.summary.startswith("<!-- mlgate:report v=1")


def test_the_comment_action_updates_in_place_and_warns_on_a_read_only_token(
    tmp_path: Path, github_api: FakeGitHub
) -> None:
    head = "f" * 40
    github_api.add_pull(7, head_sha=head)
    env = github_api.env(tmp_path / "event", "pull_request", github_api.pull_request_event(7))
    env.pop("GITHUB_TOKEN")  # the action passes its github-token input, which defaults to github.token
    body = tmp_path / "workspace" / "report.md"
    body.parent.mkdir()
    inputs = {"body-file": "report.md", "matrix": '{"python": "3.11"}'}
    for text, result in (("### first report\n", "created"), ("### second report\n", "updated")):
        body.write_text(text, encoding="utf-8")
        done = run("comment", body.parent, tmp_path, inputs, env=env, github={"token": github_api.token})
        assert not done.failed, done.log
        assert done.outputs["result"] == result
    [comment] = github_api.comments(7)
    assert comment.body.startswith("<!-- mlgate:report v=1 key=PR")
    assert "3.11" in comment.body.splitlines()[0]
    assert comment.body.endswith("### second report\n")

    github_api.forbid_writes()
    body.write_text("### third report\n", encoding="utf-8")
    warned = run("comment", body.parent, tmp_path, inputs, env=env, github={"token": github_api.token})
    assert not warned.failed, warned.log
    assert "::warning" in warned.log
    assert warned.outputs["result"] == ""
    assert "### third report" in warned.summary  # the fork PR still gets the report, in the job summary
    strict = run(
        "comment", body.parent, tmp_path, {**inputs, "strict": "true"}, env=env, github={"token": github_api.token}
    )
    assert strict.failed
    assert github_api.comments(7)[0].body.endswith("### second report\n")


# -- the root action and the install steps ---------------------------------------------------------


def test_the_root_action_runs_one_command_and_reports_its_exit_code(
    project: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, _ = project
    args = "--format json\n  data/test.csv"
    done = run(
        "mlgate", repo.path.parent, tmp_path, {"command": "validate", "args": args, "working-directory": "workspace"}
    )
    assert not done.failed, done.log
    assert done.outputs == {"exit-code": "0"}
    assert json.loads(done.step("run").log)["totals"]["files"] == 1
    failed = run("mlgate", repo.path, tmp_path, {"command": "validate", "args": "nothing.csv", "config": "mlgate.yaml"})
    assert failed.failed
    assert failed.outputs == {"exit-code": "2"}


@pytest.mark.parametrize(
    ("action", "source"), [("mlgate", str(ROOT)), ("validate", f"{ROOT / 'actions' / 'validate'}/../..")]
)
def test_install_steps_uv_install_the_action_checkout_with_a_cache(
    action: str, source: str, project: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, _ = project
    log = tmp_path / "install-args.txt"
    shim = tmp_path / "python-shim"
    shim.write_text(
        "#!/bin/bash\n"
        f'if [ "$1 $2" = "-m pip" ] || [ "$1 $2" = "-m uv" ]; then printf "%s\\n" "$*" >> {log}; exit 0; fi\n'
        f'exec {sys.executable} "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    inputs = {"command": "validate"} if action == "mlgate" else {}
    done = run(action, repo.path, tmp_path, {**inputs, "install": "true", "python": str(shim)})
    assert not done.failed, done.log
    pinned, installed = log.read_text(encoding="utf-8").splitlines()
    assert pinned == "-m pip install --disable-pip-version-check --quiet uv==0.13.8"  # uv itself, from PyPI
    cache = Path.home() / ".cache" / "mlgate-uv"  # a runner-independent path: one cache entry for every runner
    # into the interpreter that runs mlgate; the action's own checkout, so the code matches the action's ref
    assert installed == f"-m uv pip install --python {shim} --cache-dir {cache} {source}"
    digest = subprocess.run(
        ["git", "hash-object", str(ROOT / "pyproject.toml")], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert done.step("uv-key").outputs == {"key": f"mlgate-uv-Linux-X64-{digest}"}
    assert done.step("Restore the uv cache").status == "uses"  # skipped by the harness, linted


# -- the harness itself ----------------------------------------------------------------------------


def test_the_harness_emulates_the_runner(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "sub").mkdir(parents=True)
    done = run_action(
        FIXTURES / "probe", inputs={}, workspace=workspace, runner_temp=tmp_path / "temp", github={"token": "t0k"}
    )
    assert not done.failed, done.log
    assert done.outputs == {
        "story": "hello\nline two",
        "where": str(workspace / "sub"),
        "seen": "set by step one|tool-on-path|token:t0k|actions:true",
        "after": "yes",
        "cleanup": "always-skipped",
    }
    assert done.summary == "### probe summary\n"
    assert [s.status for s in done.steps] == ["success", "success", "skipped", "skipped", "success", "success"]


def test_a_failing_step_skips_the_rest_except_always(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "sub").mkdir(parents=True)
    done = run_action(
        FIXTURES / "probe",
        inputs={"fail": "true"},
        workspace=workspace,
        runner_temp=tmp_path / "temp",
        github={"token": "t0k"},
    )
    assert done.failed
    assert done.step("fail").exit_code == 1  # `false | cat` fails: pipefail is on
    assert "pipefail is not on" not in done.log  # and -e stops the script
    assert done.step("after").status == "skipped"
    assert done.outputs["after"] == ""
    assert done.outputs["cleanup"] == "always-failure"


def test_the_broken_action_fails_the_harness(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match=r"undefined input 'inputs\.confg'"):
        run_action(FIXTURES / "broken", inputs={}, workspace=tmp_path, runner_temp=tmp_path / "temp")


GOOD_STEP = {"name": "ok", "shell": "bash", "run": "true"}
REFUSED = [
    ({"name": "x", "shell": "bash", "run": "echo ${{ inputs.greeting }}"}, {}, "expression inside run"),
    ({"uses": "actions/cache@v5"}, {}, "not pinned to a full 40-hex commit SHA"),
    ({"uses": "actions/cache@" + "a" * 40}, {}, "needs a '# vX.Y.Z' version comment"),
    ({"name": "x", "run": "true"}, {}, "run steps need 'shell: bash'"),
    ({**GOOD_STEP, "timeout": 5}, {}, "unknown: \\['timeout'\\]"),
    ({**GOOD_STEP, "env": {"T": "${{ github.event.pull_request.title }}"}}, {}, "unsupported expression"),
    ({**GOOD_STEP, "env": {"T": "${{ steps.nope.outputs.x }}"}}, {}, "unknown step or property 'steps.nope"),
    ({**GOOD_STEP, "env": {"T": "${{ format('{0}', 1) }}"}}, {}, "unsupported function format"),
    ({**GOOD_STEP, "run": "echo 'no equals sign' >> \"$GITHUB_OUTPUT\""}, {}, "invalid line 'no equals sign'"),
    ({**GOOD_STEP, "run": "echo 'a<<END' >> \"$GITHUB_OUTPUT\""}, {}, "no line 'END' ends the value of 'a'"),
    (GOOD_STEP, {"greting": "hi"}, "unexpected input\\(s\\) \\['greting'\\]"),
]


@pytest.mark.parametrize(("step", "inputs", "message"), REFUSED)
def test_the_harness_refuses_what_it_does_not_understand(
    step: dict[str, object], inputs: dict[str, str], message: str, tmp_path: Path
) -> None:
    action = {
        "name": "refused",
        "description": "one step",
        "inputs": {"greeting": {"description": "d", "default": "hi"}},
        "runs": {"using": "composite", "steps": [step]},
    }
    (tmp_path / "action").mkdir()
    (tmp_path / "action" / "action.yml").write_text(yaml.safe_dump(action), encoding="utf-8")
    with pytest.raises(HarnessError, match=message):
        run_action(tmp_path / "action", inputs=inputs, workspace=tmp_path, runner_temp=tmp_path / "temp")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("inputs.flag == 'TRUE'", True),  # strings compare case-insensitively
        ("inputs.flag == true", False),  # 'true' becomes NaN as a number, as on GitHub
        ("inputs.number == 3", True),
        ("inputs.empty == 0 && inputs.empty == null", True),
        ("!inputs.empty && (inputs.flag != 'false' || inputs.number == 4)", True),
        ("failure() || cancelled()", False),
    ],
)
def test_expressions_follow_githubs_rules(expression: str, expected: bool, tmp_path: Path) -> None:
    action = {
        "name": "expressions",
        "description": "one step per expression",
        "inputs": {
            name: {"description": "d", "default": value}
            for name, value in {"flag": "true", "number": "3", "empty": ""}.items()
        },
        "runs": {"using": "composite", "steps": [{"id": "probe", "if": expression, **GOOD_STEP}]},
    }
    (tmp_path / "action").mkdir()
    (tmp_path / "action" / "action.yml").write_text(yaml.safe_dump(action), encoding="utf-8")
    done = run_action(tmp_path / "action", inputs={}, workspace=tmp_path, runner_temp=tmp_path / "temp")
    assert (done.step("probe").status == "success") is expected
