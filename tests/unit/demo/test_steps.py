"""The step runner: timing with the injected clock, errors as failed steps, stopping at the first surprise."""

from __future__ import annotations

from pathlib import Path

from mlgate.demo.steps import DemoResult, Outcome, Step, StepRunner
from mlgate.errors import InputError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.5
        return self.now


def test_steps_are_timed_and_reported_as_they_end() -> None:
    begun: list[tuple[int, str]] = []
    ended: list[Step] = []
    runner = StepRunner(clock=FakeClock(), begin=lambda n, t: begun.append((n, t)), done=ended.append)
    outcome = runner.run("one", "First", lambda: Outcome(True, "fine", facts={"x": 1}))
    assert outcome == Outcome(True, "fine", facts={"x": 1})
    assert begun == [(1, "First")]
    assert ended == [Step("one", "First", True, 0.5, "fine", "", {"x": 1})]


def test_a_failure_shown_as_designed_is_carried_to_the_step() -> None:
    runner = StepRunner(clock=FakeClock())
    assert runner.run("caught", "Bad data", lambda: Outcome(True, "INVALID", failed=True)) is not None
    assert (runner.steps[0].ok, runner.steps[0].failed, runner.failed) == (True, True, False)  # the run goes on


def test_an_mlgate_error_fails_the_step_and_later_steps_do_not_run() -> None:
    def broken() -> Outcome:
        raise InputError("no data", hint="add some")

    runner = StepRunner(clock=FakeClock())
    assert runner.run("one", "First", broken) is None
    assert runner.run("two", "Second", lambda: Outcome(True, "never")) is None
    assert [(s.name, s.ok, s.summary) for s in runner.steps] == [("one", False, "error: no data (add some)")]


def test_a_step_that_misbehaves_without_an_error_also_stops_the_run() -> None:
    runner = StepRunner(clock=FakeClock())
    assert runner.run("one", "First", lambda: Outcome(False, "passed but should have failed")) is None
    assert runner.failed
    assert runner.run("two", "Second", lambda: Outcome(True, "never")) is None


def test_the_result_is_ok_only_when_every_planned_step_ran_as_designed() -> None:
    good = Step("a", "A", True, 0.1, "ok")
    assert DemoResult(Path("x"), (good, good), {}, 1.0, planned=2).ok
    assert not DemoResult(Path("x"), (good,), {}, 1.0, planned=2).ok
    assert not DemoResult(Path("x"), (good, Step("b", "B", False, 0.1, "no")), {}, 1.0, planned=2).ok
