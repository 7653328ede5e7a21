"""The lint gate: every workflow and action in the repository passes every linter with zero findings.

Each linter runs once over all the files, so the gate stays fast. The files are
this repository's ``.github/workflows/*.yml``, the root ``action.yml`` and ``actions/*/action.yml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lint.linters import (
    Finding,
    actionlint,
    check_schema,
    composite_scripts,
    shellcheck,
    stage_repository,
    zizmor,
)
from lint.policy import find_violations
from lint.workflow_steps import REUSABLE

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob(".github/workflows/*.yaml")])
ACTIONS = sorted(p for p in [ROOT / "action.yml", *ROOT.glob("actions/*/action.yml")] if p.is_file())


def show(findings: list[Finding] | list[str]) -> str:
    return "\n".join(map(str, findings))


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {path: path.relative_to(ROOT).as_posix() for path in [*WORKFLOWS, *ACTIONS]}
    return stage_repository(files, tmp_path_factory.mktemp("repo"))


def test_the_reusable_workflows_and_ci_exist() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", *REUSABLE} <= names


def test_workflows_match_githubs_workflow_schema() -> None:
    findings = check_schema("vendor.github-workflows", WORKFLOWS, ROOT)
    assert findings == [], show(findings)


def test_every_job_has_a_timeout() -> None:
    findings = check_schema("custom.github-workflows-require-timeout", WORKFLOWS, ROOT)
    assert findings == [], show(findings)


def test_actions_match_githubs_action_schema() -> None:
    if not ACTIONS:
        pytest.skip("no action.yml in this checkout yet")
    findings = check_schema("vendor.github-actions", ACTIONS, ROOT)
    assert findings == [], show(findings)


def test_zizmor_offline_finds_nothing() -> None:
    findings = zizmor([p.relative_to(ROOT) for p in [*WORKFLOWS, *ACTIONS]], ROOT)
    assert findings == [], show(findings)


def test_actionlint_with_shellcheck_finds_nothing(staged: Path) -> None:
    findings = actionlint(staged)
    assert findings == [], show(findings)


def test_shellcheck_finds_nothing_in_composite_action_scripts(tmp_path: Path) -> None:
    if not ACTIONS:
        pytest.skip("no action.yml in this checkout yet")
    findings = shellcheck(composite_scripts(ROOT, ACTIONS), tmp_path)
    assert findings == [], show(findings)


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_mlgate_workflow_policy_holds(path: Path) -> None:
    violations = find_violations(path)
    assert violations == [], show(violations)
