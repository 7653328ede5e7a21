from __future__ import annotations

import io

from mlgate.cli.progress import ProgressPrinter, StepPrinter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_logs_get_periodic_lines() -> None:
    out, clock = io.StringIO(), Clock()
    progress = ProgressPrinter(out, interval=5, clock=clock, actions=False)
    progress("a.csv", 10, 100, 1000)  # too soon: nothing
    clock.now = 6
    progress("a.csv", 50, 100, 5000)
    clock.now = 7
    progress("a.csv", 60, 100, 6000)  # within the interval again
    progress.close()
    assert out.getvalue() == "  … a.csv: 50% (5,000 rows, 6 s)\n"


def test_actions_logs_fold_each_file_in_a_group() -> None:
    out, clock = io.StringIO(), Clock()
    progress = ProgressPrinter(out, interval=5, clock=clock, actions=True)
    clock.now = 6
    progress("a.csv", 1, 2, 10)
    clock.now = 12
    progress("b.csv", 1, 2, 10)
    progress.close()
    assert out.getvalue().splitlines() == [
        "::group::mlgate: reading a.csv",
        "  … a.csv: 50% (10 rows, 6 s)",
        "::endgroup::",
        "::group::mlgate: reading b.csv",
        "  … b.csv: 50% (10 rows, 12 s)",
        "::endgroup::",
    ]


def test_disabled_progress_prints_nothing() -> None:
    out, clock = io.StringIO(), Clock()
    progress = ProgressPrinter(out, clock=clock, enabled=False)
    clock.now = 100
    progress("a.csv", 1, 2, 3)
    progress.close()
    assert out.getvalue() == ""


def test_steps_are_folded_in_github_actions() -> None:
    stream = io.StringIO()
    printer = StepPrinter(stream, actions=True)
    printer("[1/1] lr: fitting")
    printer("[1/1] lr: accuracy 0.9")
    printer.close()
    assert stream.getvalue() == (
        "::group::mlgate: training\n  [1/1] lr: fitting\n  [1/1] lr: accuracy 0.9\n::endgroup::\n"
    )
