"""The docs cover what the code offers: every config key, every reusable-workflow input, every repository variable
the generated project reads, every page in the index; their links resolve; README's PR comment is the real one.

(docs/actions.md against the action.yml files: tests/unit/test_actions_docs.py; the copy-paste workflow callers:
tests/lint/test_docs_examples.py.)
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlgate.config import Config

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
TEMPLATE = ROOT / "templates" / "ml-project"
KEY_CELL = re.compile(r"`([^`]+)`")
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def config_keys(cls: Any = Config, prefix: str = "") -> set[str]:
    """Every leaf key of the config, dotted; ``*`` stands for a name the user chooses (a model, a metric)."""
    keys: set[str] = set()
    hints = typing.get_type_hints(cls)
    for spec in dataclasses.fields(cls):
        if spec.metadata.get("internal"):
            continue
        hint, name = hints[spec.name], f"{prefix}{spec.name}"
        args = typing.get_args(hint)
        if type(None) in args and len(args) == 2 and dataclasses.is_dataclass(args[0]):  # an optional section
            hint = args[0]
        if dataclasses.is_dataclass(hint):
            keys |= config_keys(hint, f"{name}.")
        elif typing.get_origin(hint) is Mapping and dataclasses.is_dataclass(args[1]):
            keys |= config_keys(args[1], f"{name}.*.")
        else:
            keys.add(name)
    return keys


def documented_keys(text: str) -> set[str]:
    """The keys in the first column of docs/config.md's table: `a.b.c` / `.d` / `e` (siblings of a.b.c)."""
    keys: set[str] = set()
    for line in text.splitlines():
        cells = line.split(" | ")
        if not line.startswith("| `") or len(cells) < 2:
            continue
        names = KEY_CELL.findall(cells[0])
        first = re.sub(r"<[^>]+>", "*", names[0])
        keys.add(first)
        parent = first.rsplit(".", 1)[0] + "." if "." in first else ""
        for other in names[1:]:
            other = re.sub(r"<[^>]+>", "*", other).lstrip(".")
            keys.add(other if other.count(".") >= first.count(".") else parent + other)
    return keys


def test_every_config_key_is_documented_and_nothing_else() -> None:
    documented = documented_keys((DOCS / "config.md").read_text(encoding="utf-8"))
    expected = config_keys()
    assert not expected - documented, f"docs/config.md does not describe {sorted(expected - documented)}"
    assert not documented - expected, (
        f"docs/config.md describes keys that do not exist: {sorted(documented - expected)}"
    )


def test_the_key_reader_understands_the_shorthands() -> None:
    text = "| `a.b.c` / `.d` | x |\n| `m.<name>.e` / `f` | y |\n| `p.q` / `p.r` | z |\n"
    assert documented_keys(text) == {"a.b.c", "a.b.d", "m.*.e", "m.*.f", "p.q", "p.r"}


@cache
def reusable_workflows() -> dict[str, dict[str, Any]]:
    """The inputs of every reusable workflow (``on: workflow_call``) in .github/workflows, by file name."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        triggers = document.get("on", document.get(True))
        if isinstance(triggers, dict) and "workflow_call" in triggers:
            found[path.name] = dict((triggers["workflow_call"] or {}).get("inputs") or {})
    return found


@pytest.mark.parametrize("workflow", sorted(reusable_workflows()))
def test_every_input_of_every_reusable_workflow_is_documented(workflow: str) -> None:
    text = (DOCS / "workflows.md").read_text(encoding="utf-8")
    assert f"`{workflow}`" in text, f"docs/workflows.md does not mention {workflow}"
    table = {m[1] for m in re.finditer(r"^\| `([\w-]+)` \|", text, re.MULTILINE)}
    missing = set(reusable_workflows()[workflow]) - table
    assert not missing, f"docs/workflows.md has no row for {sorted(missing)} of {workflow}"


def template_variables() -> set[str]:
    """The repository variables (``vars.NAME``) the generated project's workflows read."""
    names: set[str] = set()
    for path in TEMPLATE.rglob("*"):
        if path.is_file() and path.suffix in {".yml", ".yaml", ".md"}:
            names |= set(re.findall(r"\bvars\.([A-Z][A-Z0-9_]*)", path.read_text(encoding="utf-8")))
    return names


def test_every_repository_variable_of_the_generated_project_is_documented() -> None:
    text = (DOCS / "aws-setup.md").read_text(encoding="utf-8")
    missing = {name for name in template_variables() if f"`{name}`" not in text}
    assert not missing, f"docs/aws-setup.md does not describe the repository variables {sorted(missing)}"


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize(("index", "prefix"), [(DOCS / "README.md", ""), (README, "docs/")], ids=["docs", "root"])
def test_the_indexes_link_every_page(index: Path, prefix: str) -> None:
    linked = {m["target"].split("#", 1)[0] for m in LINK.finditer(index.read_text(encoding="utf-8"))}
    missing = {p.name for p in DOCS.glob("*.md") if p.name != "README.md" and prefix + p.name not in linked}
    assert not missing, f"{index.relative_to(ROOT)} does not link {sorted(missing)}"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    headings = re.findall(r"^#{1,6} (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return {slug(h) for h in headings}


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    broken = []
    for match in LINK.finditer(text):
        target = match["target"]
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (page.parent / file_part).resolve() if file_part else page
        if not resolved.exists() or (anchor and resolved.suffix == ".md" and anchor not in anchors(resolved)):
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"


def test_readme_shows_lines_of_the_real_pr_comment() -> None:
    """The comment in README is an excerpt of docs/assets/pr-comment.md (made by docs/assets/pr-comment.sh)."""
    comment = (DOCS / "assets" / "pr-comment.md").read_text(encoding="utf-8").splitlines()
    assert comment[0].startswith("<!-- mlgate:report v=1 ")
    quoted = [line[2:] for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("> ")]
    shown = [line for line in quoted if line.strip() and line.strip() != "…"]
    assert len(shown) >= 10
    invented = [line for line in shown if line not in comment]
    assert not invented, f"README quotes lines that are not in docs/assets/pr-comment.md: {invented}"


AWS_SOURCES = ("src/mlgate/aws.py", "src/mlgate/deploy/sagemaker/*.py", "src/mlgate/registry/sagemaker*.py")
AWS_CALL = (
    r"self\.(?:api\.)?(?:sagemaker|s3|sm|runtime|cloudwatch)\.([a-z0-9_]+)\b",  # self.s3.put_object, self.api.sm.…
    r'get_(?:paginator|waiter)\(\s*"([a-z0-9_]+)"',  # paginated listings and waiters: get_waiter("endpoint_deleted")
)
NOT_CALLS = {"get_paginator", "get_waiter", "meta"}


def aws_calls() -> set[str]:
    """Every boto3 operation (and waiter) mlgate's source uses."""
    found: set[str] = set()
    for pattern in AWS_SOURCES:
        for path in ROOT.glob(pattern):
            text = path.read_text(encoding="utf-8")
            found |= {match[1] for call in AWS_CALL for match in re.finditer(call, text)}
    return found - NOT_CALLS


def test_the_aws_setup_lists_every_aws_call_mlgate_makes() -> None:
    calls = aws_calls()
    assert {"update_endpoint", "create_model_package", "put_object", "list_objects_v2", "endpoint_deleted"} <= calls
    text = (DOCS / "aws-setup.md").read_text(encoding="utf-8")
    missing = {call for call in calls if not re.search(rf"\b{call}\b", text)}
    assert not missing, f"docs/aws-setup.md does not list the AWS calls {sorted(missing)} (and their IAM actions)"


def json_blocks() -> list[tuple[str, str]]:
    """Every ```json block of the pages, except abbreviated examples (with ``…`` for the parts left out)."""
    blocks = [
        (f"{page.relative_to(ROOT)}:{index}", match[1])
        for page in pages()
        for index, match in enumerate(re.finditer(r"```json\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL), 1)
    ]
    return [(name, body) for name, body in blocks if "…" not in body]


@pytest.mark.parametrize(("name", "body"), json_blocks(), ids=[name for name, _ in json_blocks()])
def test_every_json_block_parses(name: str, body: str) -> None:
    json.loads(body)


def iam_policies() -> list[dict[str, Any]]:
    documents = [json.loads(body) for name, body in json_blocks() if name.startswith("docs/aws-setup.md:")]
    return [d for d in documents if all("Resource" in s for s in d.get("Statement", [{}]))]


def test_every_iam_action_in_the_aws_setup_table_is_granted_by_a_policy() -> None:
    text = (DOCS / "aws-setup.md").read_text(encoding="utf-8")
    table = text.split("## 3.", 1)[1].split("```json", 1)[0]
    listed = set(re.findall(r"`((?:sagemaker|s3|cloudwatch|iam):[A-Za-z]+)`", table))
    granted: set[str] = set()
    for policy in iam_policies():
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow", statement
            assert statement["Resource"], statement
            actions = statement["Action"]
            granted |= {actions} if isinstance(actions, str) else set(actions)
    assert len(listed) >= 20
    assert not listed - granted, f"listed but in no policy: {sorted(listed - granted)}"
