"""The copy-paste callers in docs/workflows.md are valid, secure, and match the reusable workflows.

Each ```yaml block whose first line is ``# .github/workflows/NAME.yml`` is staged at that path in a
scratch repository together with this repository's reusable workflows, its ``uses:`` rewritten from
``mlgate/mlgate/.github/workflows/X@ref`` to the local ``./.github/workflows/X``, so that actionlint checks
the call (inputs, types, permissions) offline; zizmor audits the callers as written. The inputs table
must name every input.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from lint.linters import Finding, actionlint, check_schema, stage_repository, zizmor

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "workflows.md"
BLOCK = re.compile(r"```yaml\n# (?P<path>\.github/[\w./-]+\.ya?ml)\n(?P<body>.*?)```", re.DOTALL)
ZIZMOR_CONFIG = ".github/zizmor.yml"
REMOTE = re.compile(r"uses: mlgate/mlgate/(?P<path>\.github/workflows/[\w.-]+\.yml)@\S+")
REUSABLE = (
    "pr-check.yml",
    "main-results.yml",
    "pr-comment.yml",
    "register.yml",
    "approve.yml",
    "deploy.yml",
    "rollback.yml",
)


def doc_files() -> dict[str, str]:
    """Every file the doc shows, by its path: the callers and the zizmor configuration."""
    return {match["path"]: match["body"] for match in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}


def doc_callers() -> dict[str, str]:
    return {path: body for path, body in doc_files().items() if path.startswith(".github/workflows/")}


def inputs_of(name: str) -> dict[str, dict[str, object]]:
    document = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    triggers = document.get("on", document.get(True))
    return dict(triggers["workflow_call"]["inputs"])


def show(findings: list[Finding]) -> str:
    return "\n".join(map(str, findings))


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The callers (pointed at the local reusable workflows) and the reusable workflows, in a git work tree."""
    folder = tmp_path_factory.mktemp("docs")
    sources = folder / "sources"
    sources.mkdir()
    files = {ROOT / ".github" / "workflows" / name: f".github/workflows/{name}" for name in REUSABLE}
    for path, body in doc_callers().items():
        source = sources / Path(path).name
        source.write_text(REMOTE.sub(r"uses: ./\g<path>", body), encoding="utf-8")
        files[source] = path
    return stage_repository(files, folder / "repo")


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The callers and the zizmor configuration exactly as the doc shows them."""
    folder = tmp_path_factory.mktemp("callers")
    for path, body in doc_files().items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(body, encoding="utf-8")
    return folder


def test_the_doc_has_a_caller_for_each_reusable_workflow() -> None:
    callers = doc_callers()
    assert set(callers) == {
        ".github/workflows/mlgate-pr.yml",
        ".github/workflows/mlgate-main.yml",
        ".github/workflows/mlgate-comment.yml",
        ".github/workflows/mlgate-main-register.yml",
        ".github/workflows/mlgate-approve.yml",
        ".github/workflows/mlgate-deploy.yml",
        ".github/workflows/mlgate-rollback.yml",
    }
    called = {m["path"].rsplit("/", 1)[1] for body in callers.values() for m in REMOTE.finditer(body)}
    assert called == set(REUSABLE)


def test_the_poster_listens_for_the_pr_check_by_name() -> None:
    callers = {path: yaml.safe_load(body) for path, body in doc_callers().items()}
    poster = callers[".github/workflows/mlgate-comment.yml"]
    listened = poster.get("on", poster.get(True))["workflow_run"]["workflows"]
    assert listened == [callers[".github/workflows/mlgate-pr.yml"]["name"]]


def test_callers_match_githubs_workflow_schema(staged: Path) -> None:
    paths = [Path(p) for p in doc_callers()]
    findings = check_schema("vendor.github-workflows", paths, staged)
    findings += check_schema("custom.github-workflows-require-timeout", paths, staged)
    assert findings == [], show(findings)


def test_actionlint_accepts_the_calls_against_the_reusable_workflows(staged: Path) -> None:
    findings = actionlint(staged)
    assert findings == [], show(findings)


def test_zizmor_offline_finds_nothing_in_the_callers(originals: Path) -> None:
    assert (originals / ZIZMOR_CONFIG).is_file()
    findings = zizmor([Path(p) for p in doc_callers()], originals, config=originals / ZIZMOR_CONFIG)
    assert findings == [], show(findings)


@pytest.mark.parametrize("workflow", REUSABLE)
def test_the_inputs_table_lists_every_input(workflow: str) -> None:
    table = {m[1] for m in re.finditer(r"^\| `([\w-]+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE)}
    missing = set(inputs_of(workflow)) - table
    assert not missing, f"docs/workflows.md does not describe {sorted(missing)} of {workflow}"


def test_each_calling_job_grants_exactly_what_the_called_jobs_need() -> None:
    for path, body in doc_callers().items():
        for job_id, job in yaml.safe_load(body)["jobs"].items():
            called = REMOTE.search(f"uses: {job['uses']}")
            assert called is not None, f"{path}: job {job_id} does not call an mlgate workflow"
            document = yaml.safe_load((ROOT / called["path"]).read_text(encoding="utf-8"))
            needed: dict[str, str] = {}
            for callee_job in document["jobs"].values():
                needed.update(callee_job["permissions"])
            assert job["permissions"] == needed, f"{path}: job {job_id}"
