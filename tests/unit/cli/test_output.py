"""``emit``: the renderer the format names, the job summary and the step outputs, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.cli.output import bind, emit


class Report:
    """A report module's four renderers, over a number and a label."""

    @staticmethod
    def render_text(result: int, label: str = "") -> str:
        return f"text {label}{result}\n"

    @staticmethod
    def render_markdown(result: int, label: str = "", *, limit: int = 0) -> str:
        return f"**{label}{result}** limit={limit}\n"

    @staticmethod
    def render_json(result: int, label: str = "") -> str:
        return f'{{"{label}": {result}}}\n'

    @staticmethod
    def render_github(result: int, label: str = "", *, limit: int = 0) -> str:
        return f"::notice::{label}{result} {limit}\n"


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        ("text", "text n=1\n"),
        ("markdown", "**n=1** limit=9\n"),
        ("json", '{"n=": 1}\n'),
        ("github", "::notice::n=1 3\n"),
    ],
)
def test_each_format_uses_its_renderer_with_the_bound_arguments(
    fmt: str, shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    emit(1, bind(Report, "n=", markdown={"limit": 9}, github={"limit": 3}), fmt)
    assert capsys.readouterr().out == shown


def test_the_summary_gets_the_markdown_and_the_outputs_go_to_github_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    emit(2, Report, "text", summary=summary, outputs={"verdict": "pass"})
    assert capsys.readouterr().out == "text 2\n"
    assert summary.read_text(encoding="utf-8") == "**2** limit=0\n"
    assert "verdict" in outputs.read_text(encoding="utf-8")


def test_control_characters_never_reach_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    emit(3, bind(Report, "\x1b[31m"), "text")
    assert "\x1b" not in capsys.readouterr().out


def test_to_writes_the_report_as_it_is_instead_of_printing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "report.json"
    emit(4, bind(Report, "\x1b"), "json", to=target)
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8") == '{"\x1b": 4}\n'  # a file is data: nothing is escaped


class Document:
    """A document's two renderers (``mlgate schema infer``)."""

    @staticmethod
    def render_yaml(result: int) -> str:
        return f"n: {result}\n"

    @staticmethod
    def render_json(result: int) -> str:
        return f'{{"n": {result}}}\n'


def test_a_document_is_printed_in_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    emit(5, Document, "yaml")
    assert capsys.readouterr().out == "n: 5\n"
