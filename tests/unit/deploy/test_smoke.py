"""The smoke test's checks against a fake endpoint, and its helpers (percentile, prediction matching)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from mlgate.config import SmokeConfig
from mlgate.deploy.smoke import check_schema, matches, percentile, run_smoke
from mlgate.deploy.target import Reply
from mlgate.errors import ServiceError
from unit.deploy.fakes import Behaviour, FakeClock, FakeTarget, make_version

SMOKE = SmokeConfig(latency_p95_ms=20.0, requests=20, tolerance=1e-6)


def serving(version: str, **behaviour: Any) -> tuple[FakeTarget, FakeClock]:
    clock = FakeClock()
    target = FakeTarget(clock=clock, pointer=version, serving=version, behaviours={version: Behaviour(**behaviour)})
    return target, clock


def statuses(result: Any) -> dict[str, str]:
    return {c.name: c.status for c in result.checks}


def test_a_healthy_version_passes_every_check() -> None:
    target, clock = serving("4")
    result = run_smoke(target, make_version(4), SMOKE, clock=clock)
    assert result.passed
    assert statuses(result) == {"ping": "pass", "golden": "pass", "schema": "pass", "latency": "pass"}
    latency = result.checks[-1]
    assert latency.value == pytest.approx(2.0)
    assert latency.detail == "p95 2.0 ms ≤ 20 ms over 20 requests"
    assert result.summary() == "ping, golden, schema, latency passed"
    assert (target.requests, target.smoke_requests) == (24, 24)  # batch + 3 warm-up + 20: all marked as smoke tests


def test_the_latency_slo_is_checked_on_the_95th_percentile() -> None:
    target, clock = serving("4", latency_s=0.025)
    result = run_smoke(target, make_version(4), SMOKE, clock=clock)
    assert statuses(result)["latency"] == "fail"
    detail = "p95 25.0 ms > 20 ms over 20 requests, and 25.0 ms in a second measurement"
    assert result.failures[0].detail == detail
    assert result.summary() == f"latency: {detail}"


def test_golden_predictions_outside_the_tolerance_fail() -> None:
    target, clock = serving("4", factor=2.0 + 1e-3)
    result = run_smoke(target, make_version(4), SMOKE, clock=clock)
    golden = result.checks[1]
    assert golden.status == "fail"
    assert golden.detail.startswith("2 of 3 golden rows differ, e.g. row 2: expected 2.0, got 2.001")


def test_golden_predictions_within_the_tolerance_pass() -> None:
    target, clock = serving("4", factor=2.0 + 1e-9)
    assert run_smoke(target, make_version(4), SMOKE, clock=clock).passed


def test_a_ping_for_another_version_fails_and_skips_the_rest() -> None:
    target, clock = serving("4")
    result = run_smoke(target, make_version(5), SMOKE, clock=clock)
    assert statuses(result) == {"ping": "fail", "golden": "skip", "schema": "skip", "latency": "skip"}
    assert result.checks[0].detail == "/ping reports version 4, expected 5"
    assert target.requests == 0


def test_an_unreachable_endpoint_fails_the_ping() -> None:
    target, clock = serving("4")
    target.reachable = False
    result = run_smoke(target, make_version(4), SMOKE, clock=clock)
    assert not result.passed
    assert result.checks[0].detail == "cannot reach the fake endpoint"


def test_a_version_without_golden_rows_is_only_pinged() -> None:
    target, clock = serving("4")
    result = run_smoke(target, make_version(4, golden=0), SMOKE, clock=clock)
    assert result.passed
    assert statuses(result) == {"ping": "pass", "golden": "skip", "schema": "skip", "latency": "skip"}
    assert "no golden rows" in result.checks[1].detail


def test_zero_latency_requests_skip_the_latency_check() -> None:
    target, clock = serving("4")
    result = run_smoke(target, make_version(4), dataclasses.replace(SMOKE, requests=0), clock=clock)
    assert statuses(result)["latency"] == "skip"
    assert target.requests == 1


class BrokenInvocations(FakeTarget):
    """Pings fine, but /invocations answers as ``reply`` says."""

    reply: Reply | None = None

    def invoke(self, rows: Sequence[Mapping[str, Any]], *, smoke: bool = False) -> Reply:
        if self.reply is None:
            raise ServiceError("connection reset by peer")
        return self.reply


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        (Reply(500, "4", None, "Internal Server Error"), "status 500: Internal Server Error"),
        (Reply(200, "4", ["a"], "[]"), "the body is not a JSON object"),
        (Reply(200, "4", {"predictions": [1.0], "version": "4"}, ""), "1 predictions for 3 rows"),
        (Reply(200, "4", {"predictions": [0.0, 2.0, 4.0]}, ""), "\"version\" is None, expected '4'"),
        (Reply(200, "3", {"predictions": [0.0, 2.0, 4.0], "version": "4"}, ""), "header version is '3', expected '4'"),
        (None, "connection reset by peer"),
    ],
)
def test_a_malformed_response_fails_the_schema_and_golden_checks(reply: Reply | None, detail: str) -> None:
    clock = FakeClock()
    target = BrokenInvocations(clock=clock, pointer="4", serving="4")
    target.reply = reply
    result = run_smoke(target, make_version(4), SMOKE, clock=clock)
    checks = {c.name: c for c in result.checks}
    assert checks["schema"].status == "fail"
    assert detail in checks["schema"].detail
    assert checks["golden"].detail == "no usable response: see the schema check"
    failed_requests = reply is None or reply.status != 200 or reply.version != "4"
    assert checks["latency"].status == ("fail" if failed_requests else "pass")


def test_the_schema_check_accepts_an_answer_without_the_header() -> None:
    reply = Reply(200, None, {"predictions": [1, 2], "version": "4"}, "")
    assert check_schema(reply, "4", 2).status == "pass"


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95.0) == 95.0
    assert percentile([3.0, 1.0, 2.0], 95.0) == 3.0
    assert percentile([7.0], 50.0) == 7.0


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        (1.0, 1.0 + 1e-7, True),
        (1.0, 1.0 + 1e-5, False),
        (1, 1.0, True),
        ("yes", "yes", True),
        ("yes", "no", False),
        (True, 1, False),
        (True, True, True),
        ([0.1, 0.9], [0.1, 0.9 + 1e-8], True),
        ([0.1, 0.9], [0.1], False),
        (math.nan, math.nan, True),
        (math.nan, 1.0, False),
        (None, None, True),
    ],
)
def test_predictions_match_within_the_tolerance(expected: Any, actual: Any, same: bool) -> None:
    assert matches(expected, actual, 1e-6) is same


@dataclasses.dataclass
class Scripted(FakeTarget):
    """Serves ``serving``; each request takes the next latency (ms) of ``script``; ``invoke_previous`` answers
    as ``previous`` with the next of ``previous_script`` (or ``previous_status`` when it is not 200)."""

    script: list[float] = dataclasses.field(default_factory=list)
    previous: str = "3"
    previous_script: list[float] = dataclasses.field(default_factory=list)
    previous_status: int = 200
    calls: list[str] = dataclasses.field(default_factory=list)
    own: list[float | None] = dataclasses.field(default_factory=list)  # the endpoint's own ms, when it says
    previous_own: list[float | None] = dataclasses.field(default_factory=list)

    def invoke(self, rows: Sequence[Mapping[str, Any]], *, smoke: bool = False) -> Reply:
        reply = super().invoke(rows, smoke=smoke)
        if len(rows) != 1:
            return reply
        self.calls.append("new")
        self.clock.advance(self.script.pop(0) / 1000.0)
        return dataclasses.replace(reply, predict_ms=self.own.pop(0) if self.own else None)

    def invoke_previous(self, rows: Sequence[Mapping[str, Any]]) -> Reply:
        self.calls.append("previous")
        if self.previous_status != 200:
            return Reply(self.previous_status, "4", {"error": "no previous version is loaded"}, "")
        self.clock.advance(self.previous_script.pop(0) / 1000.0)
        own = self.previous_own.pop(0) if self.previous_own else None
        return Reply(200, self.previous, {"predictions": [0.0], "version": self.previous}, "", own)


def scripted(script: list[float], previous_script: list[float] | None = None, **options: Any) -> Scripted:
    clock = FakeClock()
    behaviours = {"4": Behaviour(latency_s=0.0)}
    return Scripted(
        clock=clock,
        pointer="4",
        serving="4",
        behaviours=behaviours,
        script=script,
        previous_script=previous_script or [],
        **options,
    )


def latency_of(target: Scripted, reference: str | None = None) -> Any:
    result = run_smoke(target, make_version(4), SMOKE, clock=target.clock, reference=reference)
    return result.checks[-1]


def test_warm_up_requests_are_not_timed() -> None:
    target = scripted([900.0, 900.0, 900.0] + [2.0] * 20)
    check = latency_of(target)
    assert (check.status, check.detail) == ("pass", "p95 2.0 ms ≤ 20 ms over 20 requests")


def test_a_busy_second_is_measured_again_before_a_breach_is_declared() -> None:
    target = scripted([2.0] * 3 + [2.0] * 15 + [90.0] * 5 + [3.0] * 20)
    check = latency_of(target)
    assert check.status == "pass"
    assert check.detail == "p95 3.0 ms ≤ 20 ms over 20 requests (a second measurement; the first had p95 90.0 ms)"


def test_a_slow_version_breaches_in_both_measurements_and_fails() -> None:
    target = scripted([2.0] * 3 + [30.0] * 40)
    check = latency_of(target)
    assert check.status == "fail"
    assert check.detail == "p95 30.0 ms > 20 ms over 20 requests, and 30.0 ms in a second measurement"


def test_with_the_previous_version_as_slow_in_the_same_window_the_machine_is_blamed_not_the_version() -> None:
    target = scripted([2.0] * 3 + [40.0] * 20, previous_script=[35.0] * 20)
    check = latency_of(target, reference="3")
    assert check.status == "pass"
    assert check.detail == (
        "p95 40.0 ms > 20 ms over 20 requests; version 3 in the same window: p95 35.0 ms "
        "(within 1.5×: the machine is slow, not this version)"
    )
    timed = target.calls[3:]
    assert timed[:4] == ["new", "previous", "previous", "new"]  # interleaved, alternating which goes first
    assert timed.count("new") == timed.count("previous") == 20


def test_a_version_much_slower_than_the_previous_one_fails_even_on_a_busy_machine() -> None:
    target = scripted([2.0] * 3 + [60.0] * 40, previous_script=[5.0] * 40)
    check = latency_of(target, reference="3")
    assert check.status == "fail"
    assert check.detail == (
        "p95 60.0 ms > 20 ms over 20 requests, and 60.0 ms in a second measurement; "
        "version 3 in the same window: p95 5.0 ms"
    )


def test_without_the_previous_version_on_the_endpoint_only_the_slo_judges() -> None:
    target = scripted([2.0] * 3 + [40.0] * 40, previous_status=409)
    check = latency_of(target, reference="3")
    assert check.status == "fail"
    assert check.detail.endswith("; version 3 could not be timed for comparison (the endpoint answered 409)")


def test_a_version_whose_own_time_is_slow_fails_though_queued_traffic_slows_both_alike() -> None:
    """Traffic queued in front of every request makes both versions' client times alike; the endpoint's own
    time (``Server-Timing``) still shows which one is slow."""
    target = scripted(
        [2.0] * 3 + [40.0] * 40, [35.0] * 40, own=[1.0] * 3 + [30.0] * 40, previous_own=[1.0] * 40
    )  # own: the endpoint's ms for each request (parse, predict, render)
    check = latency_of(target, reference="3")
    assert check.status == "fail"
    assert check.detail == (
        "p95 40.0 ms > 20 ms over 20 requests, and 40.0 ms in a second measurement; the endpoint's own time "
        "(Server-Timing): p95 30.0 ms, version 3's 1.0 ms in the same window"
    )


def test_own_times_alike_on_a_busy_machine_blame_the_machine() -> None:
    target = scripted([2.0] * 3 + [40.0] * 20, [35.0] * 20, own=[1.0] * 3 + [12.0] * 20, previous_own=[10.0] * 20)
    check = latency_of(target, reference="3")
    assert check.status == "pass"
    assert check.detail == (
        "p95 40.0 ms > 20 ms over 20 requests; the endpoint's own time (Server-Timing): p95 12.0 ms, "
        "version 3's 10.0 ms in the same window (within 1.5×: the machine is slow, not this version)"
    )


def test_a_request_without_its_own_time_falls_back_to_the_client_times() -> None:
    target = scripted(
        [2.0] * 3 + [40.0] * 20, [35.0] * 20, own=[1.0] * 3 + [30.0] * 19 + [None], previous_own=[1.0] * 20
    )
    check = latency_of(target, reference="3")
    assert (check.status, check.detail) == (
        "pass",
        "p95 40.0 ms > 20 ms over 20 requests; version 3 in the same window: p95 35.0 ms "
        "(within 1.5×: the machine is slow, not this version)",
    )
