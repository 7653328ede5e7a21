"""The data-version lines of a PR check in markdown, text and JSON; untrusted paths and notes escaped."""

from __future__ import annotations

from mlgate.dvc.changes import DataChange
from mlgate.report.data_versions import render_markdown_lines, render_text_lines, to_data

A, B = "a" * 32, "b" * 32
CHANGED = DataChange("data/train.csv", "changed", "data/train.csv.dvc", A, B, rows_added=12, rows_removed=3)


def test_markdown_says_what_changed() -> None:
    changes = [
        CHANGED,
        DataChange("data/test.csv", "unchanged", "dvc.lock", B, B, modified=True),
        DataChange("data/new.csv", "new", "data/new.csv.dvc", None, A),
        DataChange("data/old.csv", "untracked", None, A, None),
    ]
    assert render_markdown_lines(changes) == [
        "- 📦 `data/train.csv`: DVC data changed since the merge-base, md5 `aaaaaaaaaaaa` → `bbbbbbbbbbbb` "
        "(`data/train.csv.dvc`): 12 rows added, 3 removed",
        "- 📦 `data/test.csv`: DVC data unchanged since the merge-base, md5 `bbbbbbbbbbbb` (`dvc.lock`); "
        "the file is modified since dvc add/repro (not the content DVC recorded)",
        "- 📦 `data/new.csv`: tracked by DVC since the merge-base, md5 `aaaaaaaaaaaa` (`data/new.csv.dvc`)",
        "- 📦 `data/old.csv`: no longer tracked by DVC (md5 `aaaaaaaaaaaa` at the merge-base)",
    ]


def test_text_and_json() -> None:
    assert render_text_lines([CHANGED]) == [
        "data/train.csv: DVC data changed since the merge-base, md5 aaaaaaaaaaaa → bbbbbbbbbbbb "
        "(data/train.csv.dvc): 12 rows added, 3 removed"
    ]
    assert to_data([CHANGED]) == [
        {
            "dataset": "data/train.csv",
            "status": "changed",
            "tracked_by": "data/train.csv.dvc",
            "base_md5": A,
            "head_md5": B,
            "modified": False,
            "rows_added": 12,
            "rows_removed": 3,
            "note": None,
        }
    ]


def test_untrusted_names_and_notes_are_escaped() -> None:
    hostile = DataChange(
        "data/`x` @team <b>.csv", "unreadable", "\x1b[31mred.dvc", None, A, note="bad: <img src=x> @org/all"
    )
    (markdown,) = render_markdown_lines([hostile])
    assert "<img" not in markdown
    assert "@org" not in markdown
    assert "`x`" not in markdown  # the code span is not broken out of
    (text,) = render_text_lines([hostile])
    assert "\x1b" not in text
