"""The YAML in the docs is valid: callers, workflow examples and config snippets.

docs/workflows.md: each ```yaml block whose first line is ``# .github/workflows/NAME.yml`` (optionally followed
by a note such as ``, target sagemaker``: a variant of the same file) is staged in a scratch repository together
with this repository's reusable workflows, its ``uses:`` rewritten from ``mlgate/mlgate/.github/workflows/X@ref``
to the local ``./.github/workflows/X``, so that actionlint checks the call (inputs, types, permissions) offline;
zizmor audits the callers as written. The inputs table must name every input.

Every page (README.md, docs/*.md): every ```yaml block parses; a block that is a workflow, or a fragment of
one (jobs), elsewhere than docs/workflows.md matches GitHub's workflow schema and passes actionlint against the
composite actions of this checkout; a block made only of mlgate.yaml keys loads with mlgate's strict loader.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from lint.linters import Finding, actionlint, check_schema, stage_repository, zizmor
from lint.workflow_steps import REUSABLE
from mlgate.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "workflows.md"
BLOCK = re.compile(r"```yaml\n# (?P<path>\.github/[\w./-]+\.ya?ml)(?P<note>[^\n]*)\n(?P<body>.*?)```", re.DOTALL)
ZIZMOR_CONFIG = ".github/zizmor.yml"
REMOTE = re.compile(r"uses: mlgate/mlgate/(?P<path>\.github/workflows/[\w.-]+\.yml)@\S+")


def staged_path(path: str, note: str) -> str:
    """Where a block is staged: its path, or for a variant (a note after the path) a path of its own."""
    variant = re.sub(r"[^a-z0-9]+", "-", note.lower()).strip("-")
    return path if not variant else re.sub(r"(\.ya?ml)$", rf"--{variant}\1", path)


def doc_files() -> dict[str, str]:
    """Every file the doc shows, by where it is staged: the callers (and their variants), the zizmor config."""
    blocks = [(staged_path(m["path"], m["note"]), m["body"]) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))]
    files = dict(blocks)
    assert len(files) == len(blocks), "docs/workflows.md shows one file twice without a note telling them apart"
    return files


def base_path(path: str) -> str:
    return re.sub(r"--[a-z0-9-]+(\.ya?ml)$", r"\1", path)


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
    assert {base_path(p) for p in callers} == {
        ".github/workflows/mlgate-pr.yml",
        ".github/workflows/mlgate-main.yml",
        ".github/workflows/mlgate-comment.yml",
        ".github/workflows/mlgate-main-register.yml",
        ".github/workflows/mlgate-approve.yml",
        ".github/workflows/mlgate-deploy.yml",
        ".github/workflows/mlgate-rollback.yml",
        ".github/workflows/mlgate-monitor.yml",
        ".github/workflows/mlgate-retrain.yml",
        ".github/workflows/mlgate-ab.yml",
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


# Every page: YAML parses, workflow examples are valid, config snippets load.

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ANY_BLOCK = re.compile(r"```ya?ml\n(?P<body>.*?)```", re.DOTALL)
ACTION_REF = re.compile(r"uses: mlgate/mlgate/(?P<path>actions/[\w-]+)@\S+")
PINNED_REF = re.compile(r"(uses: [\w.-]+/[\w./-]+)@<sha>")
CONFIG_KEYS = {f.name for f in dataclasses.fields(Config) if not f.metadata.get("internal")}
RUNNER_LABELS = ["mlgate-serve"]  # the self-hosted runner label the docs use for the local endpoint's machine


def yaml_blocks() -> list[tuple[str, str]]:
    """Every ```yaml block of every page, as (page:number, body)."""
    return [
        (f"{page.relative_to(ROOT)}:{index}", match["body"])
        for page in PAGES
        for index, match in enumerate(ANY_BLOCK.finditer(page.read_text(encoding="utf-8")), 1)
    ]


def workflow_examples() -> dict[str, str]:
    """Workflows and job fragments shown outside docs/workflows.md, as complete workflows, by block name."""
    found: dict[str, str] = {}
    for name, body in yaml_blocks():
        if name.startswith("docs/workflows.md:"):
            continue
        document = yaml.safe_load(body)
        if not isinstance(document, dict):
            continue
        if "jobs" in document:
            found[name] = body
        elif all(isinstance(job, dict) and ("steps" in job or "uses" in job) for job in document.values()):
            found[name] = FRAGMENT + "".join(f"  {line}\n" if line else "\n" for line in body.splitlines())
    return found


FRAGMENT = """\
name: docs fragment
on:
  workflow_dispatch:
    inputs:
      version:
        type: string
permissions: {}
jobs:
"""


@pytest.mark.parametrize(("name", "body"), yaml_blocks(), ids=[name for name, _ in yaml_blocks()])
def test_every_yaml_block_parses(name: str, body: str) -> None:
    yaml.safe_load(body)


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The workflow examples (their mlgate actions pointed at this checkout's), in a git work tree."""
    folder = tmp_path_factory.mktemp("examples")
    sources = folder / "sources"
    sources.mkdir()
    files = {path: str(path.relative_to(ROOT)) for path in (ROOT / "actions").glob("*/action.yml")}
    staged = []
    for index, body in enumerate(workflow_examples().values()):
        local = ACTION_REF.sub(r"uses: ./\g<path>", body)
        source = sources / f"docs-example-{index}.yml"
        source.write_text(PINNED_REF.sub(r"\1@" + "0" * 40, local), encoding="utf-8")
        files[source] = f".github/workflows/{source.name}"
        staged.append(Path(files[source]))
    repository = stage_repository(files, folder / "repo")
    config = {"self-hosted-runner": {"labels": RUNNER_LABELS}}
    (repository / ".github" / "actionlint.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return repository, staged


def test_the_docs_show_workflow_examples_outside_workflows_md() -> None:
    assert any(name.startswith("docs/actions.md:") for name in workflow_examples())


def test_workflow_examples_match_githubs_workflow_schema(examples: tuple[Path, list[Path]]) -> None:
    repository, paths = examples
    findings = check_schema("vendor.github-workflows", paths, repository)
    findings += check_schema("custom.github-workflows-require-timeout", paths, repository)
    assert findings == [], show(findings)


def test_actionlint_accepts_the_workflow_examples(examples: tuple[Path, list[Path]]) -> None:
    repository, paths = examples
    names = {p.name for p in paths}
    findings = [f for f in actionlint(repository) if Path(f.path.split(":", 1)[0]).name in names]
    assert findings == [], show(findings)


def config_snippets() -> list[tuple[str, str]]:
    """Blocks made only of top-level mlgate.yaml keys (and not job fragments, whose `deploy:` looks like one)."""
    snippets = []
    jobs = workflow_examples()
    for name, body in yaml_blocks():
        document = yaml.safe_load(body)
        if name in jobs:
            continue
        if isinstance(document, dict) and document and set(map(str, document)) <= CONFIG_KEYS:
            snippets.append((name, body))
    return snippets


def test_the_docs_show_config_snippets() -> None:
    assert len(config_snippets()) >= 3


@pytest.mark.parametrize(("name", "body"), config_snippets(), ids=[name for name, _ in config_snippets()])
def test_config_snippets_load_with_the_strict_loader(name: str, body: str, tmp_path: Path) -> None:
    path = tmp_path / "mlgate.yaml"
    path.write_text(body, encoding="utf-8")
    load_config(path, cwd=tmp_path, environ={})
