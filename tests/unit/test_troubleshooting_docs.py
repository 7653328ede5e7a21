"""docs/troubleshooting.md quotes real messages: each one still exists in src/mlgate, so the page cannot rot.

A section heading that is only a code span (``### `message` ``) quotes an mlgate message, with ``…`` where the
message holds a value (a path, a name, a number). The message must match a string mlgate's source builds:
every string literal and f-string in src/mlgate (an f-string's ``{...}`` parts count as ``…``). Messages that
come from elsewhere (an action, AWS) are quoted in headings with more than a code span and are not checked.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from mlgate.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "troubleshooting.md"
SOURCE = ROOT / "src" / "mlgate"
QUOTED = re.compile(r"^### `(?P<message>[^`]+)`$", re.MULTILINE)
GAP = "…"


def template_of(node: ast.expr) -> str | None:
    """The text a string expression builds, with ``…`` for every interpolated value; None if it is not a string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(template_of(part) or GAP for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = template_of(node.left), template_of(node.right)
        if left is not None or right is not None:
            return (left or GAP) + (right or GAP)
    return None


@cache
def source_templates() -> tuple[str, ...]:
    """Every string the package's source can build, as a template."""
    found: set[str] = set()
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.expr):
                text = template_of(node)
                if text:
                    found.add(text)
    return tuple(sorted(found))


def pattern_of(message: str) -> re.Pattern[str]:
    """``…`` in a quoted message stands for any text."""
    return re.compile(".*".join(re.escape(piece) for piece in message.split(GAP)), re.DOTALL)


def doc_messages() -> list[str]:
    return [m["message"] for m in QUOTED.finditer(DOC.read_text(encoding="utf-8"))]


def sections() -> dict[str, str]:
    """The body under each quoted-message heading, by message."""
    text = DOC.read_text(encoding="utf-8")
    marks = list(QUOTED.finditer(text))
    ends = [m.start() for m in marks[1:]] + [len(text)]
    return {
        m["message"]: re.split(r"^#{1,3} ", text[m.end() : end], maxsplit=1, flags=re.MULTILINE)[0]
        for m, end in zip(marks, ends, strict=True)
    }


def test_the_page_quotes_many_messages_once_each() -> None:
    messages = doc_messages()
    assert len(messages) >= 30
    assert len(messages) == len(set(messages)), "a message is quoted twice"


@pytest.mark.parametrize("message", doc_messages())
def test_the_quoted_message_exists_in_the_source(message: str) -> None:
    literal = message.replace(GAP, "")
    assert len(literal.strip()) >= 10, f"too little text to identify a message: {message!r}"
    pattern = pattern_of(message)
    assert any(pattern.search(template) for template in source_templates()), (
        f"docs/troubleshooting.md quotes {message!r}, which no string in src/mlgate builds any more: "
        "update the page (and keep `…` where the message holds a value)"
    )


@pytest.mark.parametrize("message", doc_messages())
def test_each_message_has_a_cause_and_a_fix(message: str) -> None:
    body = sections()[message]
    assert "**Cause.**" in body, message
    assert "**Fix.**" in body, message


def test_the_exit_code_table_lists_every_exit_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = {int(m[1]) for m in re.finditer(r"^\| `(\d+)` \|", text, re.MULTILINE)}
    assert table == {int(code) for code in ExitCode}


def test_a_message_with_values_is_matched_only_through_its_gaps() -> None:
    templates = ("tampered artifact: … has SHA-256 …, its results record …",)
    assert any(pattern_of("tampered artifact: … has SHA-256 …").search(t) for t in templates)
    assert not any(pattern_of("tampered artifact: model.skops has SHA-256 …").search(t) for t in templates)


def test_templates_turn_interpolations_into_gaps() -> None:
    expression = ast.parse('f"endpoint busy: {name} is {status}" + " (wait)"', mode="eval").body
    assert template_of(expression) == "endpoint busy: … is … (wait)"
    assert template_of(ast.parse("len(x)", mode="eval").body) is None
