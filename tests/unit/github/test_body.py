"""Dropping a marker line and fitting a body into GitHub's comment limit."""

from __future__ import annotations

from mlgate.github.body import fit_body, size, strip_marker
from mlgate.report.budget import with_marker


def test_strip_marker_keeps_the_rest() -> None:
    assert strip_marker(with_marker("rest\n", key="k", head=None)) == "rest\n"
    assert strip_marker("no marker\n") == "no marker\n"


def test_a_small_body_is_kept() -> None:
    assert fit_body("small\n", limit=100) == ("small\n", False)


def test_a_long_body_is_cut_on_a_line_and_open_blocks_are_closed() -> None:
    text = "# Report\n<details>\n<summary>rows</summary>\n\n```text\n" + "".join(
        f"row {i:05d} ✅\n" for i in range(5000)
    )
    fitted, cut = fit_body(text, limit=20_000, where="the summary")
    assert cut
    assert size(fitted) <= 20_000
    head, _, tail = fitted.partition("```\n\n</details>\n")
    assert text.startswith(head)
    assert head.endswith("\n")
    assert "left out. The full report is in the summary." in tail


def test_a_closed_fence_is_not_closed_again() -> None:
    text = "```\ncode\n```\n" + "x" * 50 + "\n" + "y" * 5000 + "\n"
    fitted, cut = fit_body(text, limit=1000)
    assert cut
    assert fitted.count("```") == 2
