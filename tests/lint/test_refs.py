"""Every internal reference to mlgate goes through the explicit ``mlgate-ref``; none is hard-coded to a ref.

(a) mlgate's reusable workflows and composite actions never ``uses: mlgate/mlgate/...@ref`` and never install
    mlgate from a fixed ref: workflows install ``git+${SERVER_URL}/${MLGATE_REPOSITORY}@${MLGATE_REF}`` with
    those variables bound to ``inputs.mlgate-repository`` / ``inputs.mlgate-ref``; actions install their own
    checkout (``$GITHUB_ACTION_PATH``).
(b) the template (read as text, before rendering) calls mlgate's workflows at ``@{{ cookiecutter.mlgate_ref }}``
    and passes ``mlgate-ref: {{ cookiecutter.mlgate_ref }}``; the project's pyproject pins the same ref.
(c) docs/ and README.md pin the current version tag (or a placeholder such as ``<sha>``), via scripts/release.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from e2e.bake import CALLERS
from release_script import load_release

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted(ROOT.glob(".github/workflows/*.yml"))
ACTIONS = sorted(p for p in [ROOT / "action.yml", *ROOT.glob("actions/*/action.yml")] if p.is_file())
TEMPLATE = ROOT / "templates" / "ml-project" / "{{cookiecutter.project_slug}}"
REF_VAR = "{{ cookiecutter.mlgate_ref }}"
REPO_VAR = "{{ cookiecutter.mlgate_repository }}"

SELF_USES = re.compile(r"^\s*(-\s+)?uses:\s*['\"]?mlgate/mlgate\b", re.MULTILINE)
PIP_INSTALL = re.compile(r"\bpip\b[^\n]*\binstall\b")
GIT_URL = re.compile(r"git\+[^\s\"')]+")
PINNED_PACKAGE = re.compile(r"(?<![\w$/{-])mlgate(\[[^\]]*\])?\s*(==|~=|>=|<=|!=|===|@)|github\.com/mlgate/mlgate\b")
WORKFLOW_INSTALL = "git+${SERVER_URL}/${MLGATE_REPOSITORY}@${MLGATE_REF}"
WORKFLOW_ENV = {"MLGATE_REF": "${{ inputs.mlgate-ref }}", "MLGATE_REPOSITORY": "${{ inputs.mlgate-repository }}"}
JINJA = re.compile(r"\{\{.*?\}\}")
TEMPLATE_REF = re.compile(
    r"(?:\bmlgate/mlgate|\{\{\s*cookiecutter\.mlgate_repository\s*\}\})(?P<path>/[\w./-]*)?@(?P<ref>\{\{.*?\}\}|[^\s\"'`)]+)"
)
TEMPLATE_INPUT = re.compile(r"\bmlgate-ref:\s*(?P<value>.*?)\s*$")
TEMPLATE_CALL = re.compile(r"^(?P<indent>\s*)uses:\s*(?P<target>\S.*?\.github/workflows/.*?)\s*$")


def iter_run_steps(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(where, step, env visible to the step) for every run: step of a workflow or composite action."""
    for job_id, job in (document.get("jobs") or {}).items():
        for index, step in enumerate((job or {}).get("steps") or []):
            if isinstance(step, dict) and "run" in step:
                yield f"jobs.{job_id}.steps[{index}]", step, {**(job.get("env") or {}), **(step.get("env") or {})}
    runs = document.get("runs")
    for index, step in enumerate((runs or {}).get("steps") or [] if isinstance(runs, dict) else []):
        if isinstance(step, dict) and "run" in step:
            yield f"runs.steps[{index}]", step, dict(step.get("env") or {})


def find_hard_coded_refs(path: Path, action: bool) -> tuple[list[str], int]:
    """Violations of rule (a) in one workflow or action.yml, and how many mlgate installs it makes."""
    text = path.read_text(encoding="utf-8")
    problems = [f"{path.name}: uses mlgate/mlgate at a fixed ref" for _ in SELF_USES.finditer(text)]
    installs = 0
    for where, step, env in iter_run_steps(yaml.safe_load(text)):
        script = str(step["run"])
        problems += [f"{path.name} {where}: mlgate pinned in {m.group(0)!r}" for m in PINNED_PACKAGE.finditer(script)]
        if not PIP_INSTALL.search(script):
            continue
        urls = GIT_URL.findall(script)
        if action:
            problems += [f"{path.name} {where}: an action installs {url}, not its own checkout" for url in urls]
            installs += script.count('"$GITHUB_ACTION_PATH')
            continue
        for url in urls:
            installs += 1
            if url != WORKFLOW_INSTALL:
                problems.append(f"{path.name} {where}: installs {url}, not {WORKFLOW_INSTALL}")
        if urls and any(env.get(key) != value for key, value in WORKFLOW_ENV.items()):
            problems.append(f"{path.name} {where}: MLGATE_REF/MLGATE_REPOSITORY are not bound to the inputs")
    return problems, installs


def is_reusable(path: Path) -> bool:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    triggers = document.get("on", document.get(True))
    return isinstance(triggers, dict) and "workflow_call" in triggers


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_install_mlgate_only_at_the_mlgate_ref_input(path: Path) -> None:
    problems, installs = find_hard_coded_refs(path, action=False)
    assert problems == []
    if is_reusable(path):
        assert installs >= 1, f"{path.name} never installs mlgate at the mlgate-ref input"


@pytest.mark.parametrize("path", ACTIONS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_actions_install_their_own_checkout(path: Path) -> None:
    problems, installs = find_hard_coded_refs(path, action=True)
    assert problems == []
    assert installs == 1
    own = '"$GITHUB_ACTION_PATH"' if path.parent == ROOT else '"$GITHUB_ACTION_PATH/../.."'
    assert own in path.read_text(encoding="utf-8")


UV_PIN = re.compile(r"-m pip install --disable-pip-version-check --quiet uv==(?P<version>\d+\.\d+\.\d+)$", re.M)
UV_INSTALL = re.compile(r'-m uv pip install --python "\$\(command -v [^)]+\)" ')


def find_slow_installs(path: Path) -> tuple[list[str], set[str]]:
    """Install steps of mlgate in ``path`` that do not use uv, and the uv versions the others pin."""
    problems, versions = [], set()
    for where, step, _ in iter_run_steps(yaml.safe_load(path.read_text(encoding="utf-8"))):
        script = str(step["run"])
        if not PIP_INSTALL.search(script) or not (GIT_URL.search(script) or "$GITHUB_ACTION_PATH" in script):
            continue
        pins, installs = UV_PIN.findall(script), UV_INSTALL.findall(script)
        if len(pins) != 1 or len(installs) != 1:
            problems.append(f"{path.name} {where}: installs mlgate without a pinned uv (`uv pip install`)")
        versions.update(pins)
    return problems, versions


def test_every_install_of_mlgate_uses_one_pinned_uv() -> None:
    """22 s with pip against 2.2 s with uv for the same install, in every job of every PR (issue 17)."""
    problems, versions = [], set()
    for path in [*WORKFLOWS, *ACTIONS]:
        found, pinned = find_slow_installs(path)
        problems += found
        versions |= pinned
    assert problems == []
    assert len(versions) == 1, versions  # one uv version everywhere: bump them together


def test_a_pip_install_of_mlgate_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "slow.yml"
    script = 'python -m pip install --disable-pip-version-check "git+${SERVER_URL}/${MLGATE_REPOSITORY}@${MLGATE_REF}"'
    path.write_text(f"jobs:\n  j:\n    steps:\n      - run: '{script}'\n", encoding="utf-8")
    problems, _ = find_slow_installs(path)
    assert problems == ["slow.yml jobs.j.steps[0]: installs mlgate without a pinned uv (`uv pip install`)"]


BAD_WORKFLOWS = {
    "uses at a tag": ("jobs:\n  j:\n    uses: mlgate/mlgate/.github/workflows/pr-check.yml@v0.1.0\n", "fixed ref"),
    "pip from PyPI": ("jobs:\n  j:\n    steps:\n      - run: pip install mlgate==0.1.0\n", "mlgate pinned"),
    "pip from a tag": (
        "jobs:\n  j:\n    steps:\n      - run: pip install git+https://github.com/mlgate/mlgate@v0\n",
        "mlgate pinned",
    ),
    "ref not bound to the input": (
        "jobs:\n  j:\n    steps:\n      - env: {MLGATE_REF: main, MLGATE_REPOSITORY: x/y}\n"
        '        run: pip install "git+${SERVER_URL}/${MLGATE_REPOSITORY}@${MLGATE_REF}"\n',
        "not bound to the inputs",
    ),
}


@pytest.mark.parametrize("name", list(BAD_WORKFLOWS))
def test_hard_coded_refs_are_caught(tmp_path: Path, name: str) -> None:
    text, expected = BAD_WORKFLOWS[name]
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    problems, _ = find_hard_coded_refs(path, action=False)
    assert problems
    assert any(expected in problem for problem in problems), problems


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATE.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml", ".toml", ".md"))


def find_template_ref_problems(path: Path, base: Path = TEMPLATE) -> list[str]:
    """Rule (b) in one template file: every mlgate ref and mlgate-ref input is the cookiecutter variable."""
    name = path.relative_to(base).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    problems = []
    for number, line in enumerate(lines, start=1):
        problems += [
            f"{name}:{number}: mlgate referenced at {m['ref']!r}, not {REF_VAR}"
            for m in TEMPLATE_REF.finditer(line)
            if JINJA.sub(_normalise, m["ref"]) != REF_VAR
        ]
        value = TEMPLATE_INPUT.search(line)
        if value is not None and JINJA.sub(_normalise, value["value"].strip("\"'")) != REF_VAR:
            problems.append(f"{name}:{number}: mlgate-ref is {value['value']!r}, not {REF_VAR}")
        call = TEMPLATE_CALL.match(line)
        if call is not None:
            problems += check_call(name, number, call, lines)
    return problems


def check_call(name: str, number: int, call: re.Match[str], lines: list[str]) -> list[str]:
    """A job calling a reusable workflow: the mlgate repository variable, and the same ref as mlgate-ref input."""
    target = JINJA.sub(_normalise, call["target"])
    problems = []
    if not target.startswith(f"{REPO_VAR}/.github/workflows/") or not target.endswith(f"@{REF_VAR}"):
        problems.append(f"{name}:{number}: calls {target}, not {REPO_VAR}/.github/workflows/X.yml@{REF_VAR}")
    block = []
    for line in lines[number:]:
        if line.strip() and not line.lstrip().startswith("{%") and len(line) - len(line.lstrip()) < len(call["indent"]):
            break
        block.append(JINJA.sub(_normalise, line.strip()))
    for key, value in (("mlgate-ref", REF_VAR), ("mlgate-repository", REPO_VAR)):
        if f"{key}: {value}" not in block:
            problems.append(f"{name}:{number}: the job calling {target} does not pass `{key}: {value}`")
    return problems


def _normalise(match: re.Match[str]) -> str:
    return "{{ " + match.group(0)[2:-2].strip() + " }}"


@pytest.mark.skipif(not TEMPLATE.is_dir(), reason="the template folder is not in this checkout")
def test_template_workflows_call_mlgate_at_the_template_ref() -> None:
    workflows = sorted((TEMPLATE / ".github" / "workflows").glob("*.y*ml"))
    assert {JINJA.sub("", p.stem) for p in workflows} >= set(CALLERS)
    calls = sum(
        1 for path in workflows for line in path.read_text(encoding="utf-8").splitlines() if TEMPLATE_CALL.match(line)
    )
    assert calls >= len(CALLERS)
    problems = [problem for path in template_files() for problem in find_template_ref_problems(path)]
    assert problems == []


@pytest.mark.skipif(not TEMPLATE.is_dir(), reason="the template folder is not in this checkout")
def test_template_project_installs_mlgate_at_the_template_ref() -> None:
    pyproject = JINJA.sub(_normalise, (TEMPLATE / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"git+https://github.com/{REPO_VAR}@{REF_VAR}" in pyproject


def test_template_ref_problems_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "wf.yml"
    path.write_text(
        "jobs:\n  pr:\n    uses: mlgate/mlgate/.github/workflows/pr-check.yml@v0.1.0\n    with:\n"
        "      mlgate-ref: main\n  ok:\n    uses: {{cookiecutter.mlgate_repository}}/.github/workflows/x.yml"
        "@{{cookiecutter.mlgate_ref}}\n    with:\n      mlgate-ref: {{ cookiecutter.mlgate_ref }}\n"
        "      mlgate-repository: {{ cookiecutter.mlgate_repository }}\n",
        encoding="utf-8",
    )
    assert find_template_ref_problems(path, tmp_path) == [
        f"wf.yml:3: mlgate referenced at 'v0.1.0', not {REF_VAR}",
        f"wf.yml:3: calls mlgate/mlgate/.github/workflows/pr-check.yml@v0.1.0, not {REPO_VAR}/.github/workflows/"
        f"X.yml@{REF_VAR}",
        f"wf.yml:3: the job calling mlgate/mlgate/.github/workflows/pr-check.yml@v0.1.0 does not pass "
        f"`mlgate-ref: {REF_VAR}`",
        f"wf.yml:3: the job calling mlgate/mlgate/.github/workflows/pr-check.yml@v0.1.0 does not pass "
        f"`mlgate-repository: {REPO_VAR}`",
        f"wf.yml:5: mlgate-ref is 'main', not {REF_VAR}",
    ]


def test_docs_pin_the_current_version() -> None:
    release = load_release()
    version = release.read_version(ROOT)
    refs = list(release.iter_doc_refs(ROOT))
    assert any(ref == f"v{version}" for _, _, ref in refs), "no versioned mlgate reference found in docs/"
    assert release.find_stale_refs(ROOT, version) == []
