"""The lint gate is live: each linter catches the deliberately insecure or invalid fixtures.

tests/fixtures/insecure/ holds a pull_request_target "pwn request" (schema-valid, so zizmor audits it), a
composite action that interpolates its input into bash, a workflow and an action that break the schemas.
They are staged into a scratch git repository (as .github/workflows/*.yml and <name>/action.yml) so that
nothing collects them from the real repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lint.linters import Finding, actionlint, check_schema, composite_scripts, shellcheck, stage_repository, zizmor
from lint.policy import find_violations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "insecure"
PWN = ".github/workflows/pwn-request.yml"
INVALID_WORKFLOW = ".github/workflows/invalid-workflow.yml"
INSECURE_ACTION = "insecure-action/action.yml"
INVALID_ACTION = "invalid-action/action.yml"
LAYOUT = {
    "pwn-request.yml": PWN,
    "invalid-workflow.yml": INVALID_WORKFLOW,
    "insecure-action.yml": INSECURE_ACTION,
    "invalid-action.yml": INVALID_ACTION,
}


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stage_repository(
        {FIXTURES / name: target for name, target in LAYOUT.items()}, tmp_path_factory.mktemp("bad")
    )


def rules_by_file(findings: list[Finding]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in findings:
        found.setdefault(finding.path.split(":")[0], set()).add(finding.rule)
    return found


def messages_for(findings: list[Finding], path: str) -> str:
    return "\n".join(f.message for f in findings if f.path.split(":")[0] == path)


def test_workflow_schema_rejects_an_unknown_step_key(staged: Path) -> None:
    findings = check_schema("vendor.github-workflows", [Path(PWN), Path(INVALID_WORKFLOW)], staged)
    assert {f.path for f in findings} == {INVALID_WORKFLOW}
    assert "'timeout' was unexpected" in messages_for(findings, INVALID_WORKFLOW)


def test_timeout_schema_rejects_a_job_without_timeout(staged: Path) -> None:
    findings = check_schema("custom.github-workflows-require-timeout", [Path(PWN)], staged)
    assert "'timeout-minutes' is a required property" in messages_for(findings, PWN)


def test_action_schema_rejects_a_run_step_without_shell(staged: Path) -> None:
    findings = check_schema("vendor.github-actions", [Path(INSECURE_ACTION), Path(INVALID_ACTION)], staged)
    assert {f.path for f in findings} == {INVALID_ACTION}


def test_zizmor_catches_the_pwn_request_and_the_injecting_action(staged: Path) -> None:
    found = rules_by_file(zizmor([Path(PWN), Path(INSECURE_ACTION)], staged))
    assert found[PWN] >= {
        "dangerous-triggers",
        "template-injection",
        "unpinned-uses",
        "excessive-permissions",
        "artipacked",
    }
    assert found[INSECURE_ACTION] >= {"template-injection", "unpinned-uses"}


def test_actionlint_catches_injection_shell_bugs_bad_inputs_and_schema_errors(staged: Path) -> None:
    findings = actionlint(staged)
    pwn = messages_for(findings, PWN)
    assert '"github.event.pull_request.title" is potentially untrusted' in pwn
    assert "SC2045" in pwn  # shellcheck is live: iterating over ls output
    assert 'input "configuration" is not defined in action "insecure action"' in pwn
    assert 'unexpected key "timeout" for step' in messages_for(findings, INVALID_WORKFLOW)
    assert 'requires "shell" key since it has "run" key' in messages_for(findings, INVALID_ACTION)


def test_shellcheck_catches_the_composite_action_script(tmp_path: Path, staged: Path) -> None:
    scripts = composite_scripts(staged, [staged / INSECURE_ACTION])
    assert list(scripts) == [f"{INSECURE_ACTION}#step2"]
    assert {f.rule for f in shellcheck(scripts, tmp_path)} >= {"SC2086"}


def test_policy_catches_expressions_in_run_unpinned_actions_and_missing_permissions(staged: Path) -> None:
    pwn = "\n".join(find_violations(staged / PWN))
    assert "expression in run: jobs.check.steps[1]" in pwn
    assert "actions/checkout@v4 is not pinned to a full commit sha" in pwn
    assert "the workflow must set `permissions: {}` at the top" in pwn
    assert "job check grants no permissions of its own" in pwn
    action = "\n".join(find_violations(staged / INSECURE_ACTION))
    assert "expression in run: runs.steps[1]" in action
    assert "actions/setup-python@v5 is not pinned" in action


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "has no '# vX.Y.Z' comment"),
        ("uses: actions/checkout@3d3c42e5 # v7.0.1", "is not pinned to a full commit sha"),
        ("uses: actions/checkout@main # v7.0.1", "is not pinned to a full commit sha"),
    ],
)
def test_policy_requires_a_full_sha_and_a_version_comment(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "action.yml"
    path.write_text(f"name: a\ndescription: a\nruns:\n  using: composite\n  steps:\n    - {line}\n", encoding="utf-8")
    (violation,) = find_violations(path)
    ref = line.split()[1]
    assert violation.startswith(f"{path}: line 6: {ref} {expected}")


@pytest.mark.parametrize(
    ("expression", "found"),
    [
        ("${{ fromJSON(inputs.models) }}", True),
        ("${{ fromJson( needs.plan.outputs.legs ) }}", True),
        ("${{ fromJSON(inputs.models || '[]') }}", False),
        ("${{ fromJSON('[\"a\"]') }}", False),
    ],
)
def test_policy_requires_a_fallback_for_fromjson(tmp_path: Path, expression: str, found: bool) -> None:
    path = tmp_path / "action.yml"
    steps = f"    - run: echo\n      shell: bash\n      env:\n        LEGS: {expression}\n"
    path.write_text(f"name: a\ndescription: a\nruns:\n  using: composite\n  steps:\n{steps}", encoding="utf-8")
    violations = find_violations(path)
    assert bool(violations) is found, violations
    if found:
        assert "fails on an empty value: give it a fallback (|| '[]')" in violations[0]


def test_policy_accepts_local_and_pinned_uses(tmp_path: Path) -> None:
    path = tmp_path / "action.yml"
    steps = (
        "      - uses: ./actions/validate\n"
        "      - uses: $/actions/benchmark\n"
        "      - uses: actions/cache/restore@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0\n"
    )
    path.write_text(f"name: a\ndescription: a\nruns:\n  using: composite\n  steps:\n{steps}", encoding="utf-8")
    assert find_violations(path) == []


def test_policy_requires_an_mlgate_ref_input_on_reusable_workflows(tmp_path: Path) -> None:
    path = tmp_path / "reusable.yml"
    path.write_text(
        "on:\n  workflow_call:\n    inputs:\n      mlgate-ref: {type: string, required: false}\n"
        "permissions: {}\njobs:\n  a:\n    permissions: {}\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n",
        encoding="utf-8",
    )
    assert find_violations(path) == [f"{path}: a reusable workflow must take a required `mlgate-ref` input"]
