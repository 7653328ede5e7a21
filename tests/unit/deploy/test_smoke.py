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
    assert (target.requests, target.smoke_requests) == (21, 21)  # every request marked: monitoring leaves it out


def test_the_latency_slo_is_checked_on_the_95th_percentile() -> None:
    target, clock = serving("4", latency_s=0.025)
    result = run_smoke(target, make_version(4), SMOKE, clock=clock)
    assert statuses(result)["latency"] == "fail"
    assert result.failures[0].detail == "p95 25.0 ms > 20 ms over 20 requests"
    assert result.summary() == "latency: p95 25.0 ms > 20 ms over 20 requests"


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
