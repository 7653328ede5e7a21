"""The smoke test of a live endpoint: ping, golden predictions, response schema, p95 latency.

Every check runs against the endpoint clients use (``Target.ping`` / ``Target.invoke``), never against
a model loaded here. The golden rows are the registry's sample of the version's inputs with the
predictions the model gave for them at registration; the latency check sends ``smoke.requests``
single-row requests one after another and compares the 95th percentile with ``smoke.latency_p95_ms``.
Every request is marked as a smoke test (``mlgate.serve.marks``): monitoring leaves its captured rows out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mlgate.deploy.target import Reply, Target
from mlgate.errors import ServiceError

if TYPE_CHECKING:
    from mlgate.config import SmokeConfig
    from mlgate.registry.model import ModelVersion

CheckStatus = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    """One smoke check: ``ping``, ``golden``, ``schema`` or ``latency``; ``value`` is the p95 in ms."""

    name: str
    status: CheckStatus
    detail: str
    value: float | None = None


@dataclass(frozen=True)
class SmokeResult:
    """The checks of one version on the live endpoint, in the order they ran."""

    version: str
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "fail")

    def summary(self) -> str:
        """One line: the failed checks' details, or what passed."""
        if self.failures:
            return "; ".join(f"{c.name}: {c.detail}" for c in self.failures)
        return ", ".join(c.name for c in self.checks if c.status == "pass") + " passed"


def run_smoke(
    target: Target,
    version: ModelVersion,
    settings: SmokeConfig,
    *,
    clock: Callable[[], float] = time.perf_counter,
    say: Callable[[str], None] = lambda _message: None,
) -> SmokeResult:
    """Smoke-test ``version`` on the live ``target``; returns every check, passed or not."""
    expected = version.version
    say(f"smoke test of version {expected}: /ping")
    ping = check_ping(target, expected)
    rows = [dict(row.features) for row in version.golden]
    if ping.status == "fail":
        skipped = Check("golden", "skip", "not run: /ping failed")
        return SmokeResult(expected, (ping, skipped, *_skip(["schema", "latency"], "not run: /ping failed")))
    if not rows:
        why = f"version {expected} has no golden rows (registry.golden_rows was 0 when it was registered)"
        return SmokeResult(expected, (ping, *_skip(["golden", "schema", "latency"], why)))
    say(f"smoke test of version {expected}: {len(rows)} golden rows")
    try:
        reply: Reply | None = target.invoke(rows, smoke=True)
        error = ""
    except ServiceError as exc:
        reply, error = None, exc.message
    schema = check_schema(reply, expected, len(rows), error)
    if reply is not None and schema.status == "pass":
        golden = check_golden(reply, version, settings.tolerance)
    else:
        golden = Check("golden", "fail", "no usable response: see the schema check")
    say(f"smoke test of version {expected}: {settings.requests} single-row requests")
    latency = check_latency(target, rows, expected, settings, clock=clock)
    return SmokeResult(expected, (ping, golden, schema, latency))


def check_ping(target: Target, expected: str) -> Check:
    """``/ping`` answers 200 and names the expected version."""
    try:
        reply = target.ping()
    except ServiceError as exc:
        return Check("ping", "fail", exc.message)
    served = reply.version or (reply.body.get("version") if isinstance(reply.body, dict) else None)
    if reply.status != 200:
        return Check("ping", "fail", f"/ping answered {reply.status}: {reply.text[:120]}")
    if served != expected:
        return Check("ping", "fail", f"/ping reports version {served or 'none'}, expected {expected}")
    return Check("ping", "pass", f"200, version {expected}")


def check_schema(reply: Reply | None, expected: str, rows: int, error: str = "") -> Check:
    """The batch response is 200 JSON ``{"predictions": [one per row], "version": V}`` with the header."""
    if reply is None:
        return Check("schema", "fail", error or "no response")
    problems = []
    body = reply.body
    if reply.status != 200:
        problems.append(f"status {reply.status}: {reply.text[:120]}")
    elif not isinstance(body, dict):
        problems.append("the body is not a JSON object")
    else:
        predictions = body.get("predictions")
        if not isinstance(predictions, list) or len(predictions) != rows:
            count = len(predictions) if isinstance(predictions, list) else "no"
            problems.append(f"{count} predictions for {rows} rows")
        if body.get("version") != expected:
            problems.append(f'"version" is {body.get("version")!r}, expected {expected!r}')
        if reply.version is not None and reply.version != expected:
            problems.append(f"header version is {reply.version!r}, expected {expected!r}")
    if problems:
        return Check("schema", "fail", "; ".join(problems))
    return Check("schema", "pass", f"{rows} predictions and the version, as documented")


def check_golden(reply: Reply, version: ModelVersion, tolerance: float) -> Check:
    """The golden rows' predictions (a response that passed the schema check) match the recorded ones."""
    actual = reply.body["predictions"]
    pairs = zip(version.golden, actual, strict=True)
    wrong = [i for i, (row, got) in enumerate(pairs) if not matches(row.prediction, got, tolerance)]
    if wrong:
        first = wrong[0]
        return Check(
            "golden",
            "fail",
            f"{len(wrong)} of {len(actual)} golden rows differ, e.g. row {first + 1}: "
            f"expected {version.golden[first].prediction!r}, got {actual[first]!r}",
        )
    return Check("golden", "pass", f"{len(actual)} golden rows reproduced (tolerance {tolerance:g})")


def check_latency(
    target: Target,
    rows: Sequence[dict[str, Any]],
    expected: str,
    settings: SmokeConfig,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Check:
    """``settings.requests`` single-row requests, one after another: all succeed and the p95 is under the SLO."""
    slo = settings.latency_p95_ms
    if settings.requests <= 0:
        return Check("latency", "skip", "deploy.smoke.requests is 0")
    timings: list[float] = []
    for i in range(settings.requests):
        started = clock()
        try:
            reply = target.invoke([rows[i % len(rows)]], smoke=True)
        except ServiceError as exc:
            return Check("latency", "fail", f"request {i + 1} of {settings.requests} failed: {exc.message}")
        timings.append((clock() - started) * 1000.0)
        if reply.status != 200 or (reply.version is not None and reply.version != expected):
            what = f"answered {reply.status}" if reply.status != 200 else f"came from version {reply.version}"
            return Check("latency", "fail", f"request {i + 1} of {settings.requests} {what}")
    p95 = percentile(timings, 95.0)
    detail = f"p95 {p95:.1f} ms {'≤' if p95 <= slo else '>'} {slo:g} ms over {len(timings)} requests"
    return Check("latency", "pass" if p95 <= slo else "fail", detail, value=p95)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (the smallest value with at least ``q`` % of the values at or below it)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def matches(expected: Any, actual: Any, tolerance: float) -> bool:
    """Predictions equal: numbers within ``tolerance`` (NaN equals NaN), lists element-wise, others exactly."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        return math.isclose(expected, actual, rel_tol=0.0, abs_tol=tolerance)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            matches(e, a, tolerance) for e, a in zip(expected, actual, strict=True)
        )
    return bool(expected == actual)


def _skip(names: Sequence[str], why: str) -> tuple[Check, ...]:
    return tuple(Check(name, "skip", why) for name in names)
