"""GITHUB_OUTPUT delimiters, the step-summary cap and workflow-command escaping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mlgate.github.actions import (
    END_GROUP,
    add_mask,
    annotation,
    append_outputs,
    append_summary,
    format_outputs,
    group,
)


def test_outputs_use_a_delimiter_that_is_not_in_the_value() -> None:
    tokens: Iterator[str] = iter(["aaa", "bbb"])
    text = format_outputs({"report": "line 1\nghadelimiter_aaa\nline 3"}, token=lambda: next(tokens))
    assert text == "report<<ghadelimiter_bbb\nline 1\nghadelimiter_aaa\nline 3\nghadelimiter_bbb\n"


def test_outputs_are_appended(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_text("earlier=1\n", encoding="utf-8")
    append_outputs(path, {"result": "created", "comment-url": "https://x"})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "earlier=1"
    assert lines[1].startswith("result<<ghadelimiter_")
    assert lines[2] == "created"
    assert lines[5] == "https://x"


def test_an_output_name_cannot_inject() -> None:
    with pytest.raises(ValueError, match="invalid output name"):
        format_outputs({"x\ny": "v"})


def test_summary_appends_within_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    assert append_summary(path, "# one") is False
    assert append_summary(path, "two\n") is False
    assert path.read_text(encoding="utf-8") == "# one\ntwo\n"


def test_summary_is_cut_at_a_line_at_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("x" * 100 + "\n", encoding="utf-8")
    report = "".join(f"row {i}\n" for i in range(1000))
    assert append_summary(path, report, limit=1000) is True
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) <= 1000
    assert "1 MiB step-summary limit" in text
    assert text.split("\n> [!NOTE]")[0].endswith("\n")
    assert append_summary(path, "more " * 100, limit=1000) is True
    assert path.read_text(encoding="utf-8") == text


def test_workflow_commands_are_escaped() -> None:
    assert annotation("warning", "50% done\nnext", title="a:b,c") == "::warning title=a%3Ab%2Cc::50%25 done%0Anext"
    assert annotation("error", "bad", file="data.csv", line=3) == "::error file=data.csv,line=3::bad"
    assert group("Train") == "::group::Train"
    assert END_GROUP == "::endgroup::"
    assert add_mask("s1\ns2\n") == "::add-mask::s1\n::add-mask::s2"
