"""The smoke test of a live endpoint: ping, golden predictions, response schema, p95 latency.

Every check runs against the endpoint clients use (``Target.ping`` / ``Target.invoke``), never against
a model loaded here. The golden rows are the registry's sample of the version's inputs with the
predictions the model gave for them at registration; the latency check sends single-row requests one after
another (warm-up first, at least ``MIN_SAMPLES`` timed, interleaved with the previous version's where the
endpoint still answers with it) and compares the 95th percentile with ``smoke.latency_p95_ms``; a breach is
confirmed by a second measurement (see ``check_latency``, and docs/deploy.md for the rule).
Every request is marked as a smoke test (``mlgate.serve.marks``): monitoring leaves its captured rows out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from mlgate.deploy.target import Reply, Target
from mlgate.errors import ServiceError
from mlgate.progress import Say

if TYPE_CHECKING:
    from mlgate.config import SmokeConfig
    from mlgate.registry.model import ModelVersion

CheckStatus = Literal["pass", "fail", "skip"]
WARMUP_REQUESTS = 3  # untimed: the first requests after a swap pay for caches, lazy imports, a cold branch predictor
MIN_SAMPLES = 20  # timed requests per round at least: with fewer, the p95 is simply the slowest request
RELATIVE_LIMIT = 1.5  # with a reference in the same window, a breach must also be this much slower than it


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
    say: Say = lambda _message: None,
    reference: str | None = None,
) -> SmokeResult:
    """Smoke-test ``version`` on the live ``target``; returns every check, passed or not.

    ``reference``: the version that was live before the switch, timed in the same window when the target
    can still answer with it (see ``check_latency``).
    """
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
    compared = f", interleaved with version {reference}" if reference and isinstance(target, ComparingTarget) else ""
    say(f"smoke test of version {expected}: {max(settings.requests, MIN_SAMPLES)} single-row requests{compared}")
    latency = check_latency(target, rows, expected, settings, reference=reference, clock=clock)
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
    reference: str | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Check:
    """Time single-row requests and judge their p95 against the SLO (and ``reference``, when live-comparable).

    ``WARMUP_REQUESTS`` untimed requests first; then at least ``MIN_SAMPLES`` timed ones (``settings.requests``
    when more), each followed or preceded (alternately) by one to ``reference`` on a target that can still
    answer with it (``ComparingTarget``). A round breaches when its p95 is over the SLO and, with a reference,
    more than ``RELATIVE_LIMIT`` times the reference's p95 of the same round (the endpoint's own times when it
    reports them, see ``_Round.relative``); a breach is declared only when a second round breaches too. Every request must succeed and come from the version it asked for.
    """
    slo = settings.latency_p95_ms
    if settings.requests <= 0:
        return Check("latency", "skip", "deploy.smoke.requests is 0")
    comparing = reference if reference is not None and isinstance(target, ComparingTarget) else None
    count = max(settings.requests, MIN_SAMPLES)
    probe = _Probe(target, rows, expected, clock)
    try:
        for _ in range(WARMUP_REQUESTS):
            probe.time_new()
        first = probe.measure(count, comparing)
        if not first.breaches(slo):
            return first.judged("pass", slo)
        second = probe.measure(count, comparing)
    except _RequestFailed as exc:
        return Check("latency", "fail", str(exc))
    if not second.breaches(slo):
        return second.judged("pass", slo, note=f"a second measurement; the first had p95 {first.p95:.1f} ms")
    return first.judged("fail", slo, again=second)


@runtime_checkable
class ComparingTarget(Protocol):
    """A target that can still answer with the version it served before the switch (``mlgate serve`` does)."""

    def invoke_previous(self, rows: Sequence[Mapping[str, Any]]) -> Reply:
        """Predictions for ``rows`` by the previous version (a smoke-test request); ServiceError when unreachable."""
        ...


@dataclass(frozen=True)
class _Round:
    """One measurement: the new version's timings and the reference's of the same window (None: no reference).

    ``timings`` are what a client waits (the SLO's measure); ``own`` the endpoint's own time for each of them
    (``Server-Timing``: no queueing behind other requests), and likewise for the reference.
    """

    timings: tuple[float, ...]
    reference: str | None = None
    reference_timings: tuple[float, ...] = ()
    lost_reference: str = ""  # why the reference could not be measured
    own: tuple[float | None, ...] = ()
    reference_own: tuple[float | None, ...] = ()

    @property
    def p95(self) -> float:
        return percentile(self.timings, 95.0)

    @property
    def reference_p95(self) -> float | None:
        return percentile(self.reference_timings, 95.0) if self.reference and self.reference_timings else None

    def relative(self) -> tuple[float, float, str] | None:
        """The new version's and the reference's p95 to compare, and what they measure; None without a reference.

        The endpoint's own times when it gave one for every request of both (traffic queued in front of a
        request slows both versions' client times alike, however slow the new version is: only its own time
        shows that), else the client times.
        """
        reference = self.reference_p95
        if reference is None:
            return None
        if self.own and self.reference_own and None not in self.own and None not in self.reference_own:
            own = [value for value in self.own if value is not None]
            theirs = [value for value in self.reference_own if value is not None]
            return percentile(own, 95.0), percentile(theirs, 95.0), "the endpoint's own time (Server-Timing)"
        return self.p95, reference, ""

    def breaches(self, slo: float) -> bool:
        """Over the SLO, and (with a reference) clearly slower than the reference in the same window."""
        relative = self.relative()
        return self.p95 > slo and (relative is None or relative[0] > RELATIVE_LIMIT * relative[1])

    def judged(self, status: CheckStatus, slo: float, *, again: _Round | None = None, note: str = "") -> Check:
        sign = "≤" if self.p95 <= slo else ">"
        detail = f"p95 {self.p95:.1f} ms {sign} {slo:g} ms over {len(self.timings)} requests"
        if again is not None:
            detail += f", and {again.p95:.1f} ms in a second measurement"
        last = again or self
        relative = last.relative()
        if relative is not None:
            new, reference, measure = relative
            if measure:
                detail += (
                    f"; {measure}: p95 {new:.1f} ms, version {self.reference}'s {reference:.1f} ms in the same window"
                )
            else:
                detail += f"; version {self.reference} in the same window: p95 {reference:.1f} ms"
            if status == "pass" and self.p95 > slo:
                detail += f" (within {RELATIVE_LIMIT:g}×: the machine is slow, not this version)"
        elif self.lost_reference:
            detail += f"; {self.lost_reference}"
        if note:
            detail += f" ({note})"
        return Check("latency", status, detail, value=last.p95)


class _RequestFailed(Exception):
    """A timed request failed: the latency check fails with this message."""


class _Probe:
    """Sends the timed requests of the latency check, cycling over the golden rows."""

    def __init__(
        self, target: Target, rows: Sequence[dict[str, Any]], expected: str, clock: Callable[[], float]
    ) -> None:
        self.target, self.rows, self.expected, self.clock = target, rows, expected, clock
        self.sent = 0

    def measure(self, count: int, reference: str | None) -> _Round:
        timings: list[float] = []
        own: list[float | None] = []
        reference_timings: list[float] = []
        reference_own: list[float | None] = []
        lost = ""
        for i in range(count):
            if reference is not None and not lost and i % 2 == 1:  # alternate which one goes first
                lost = self._time_reference(reference, reference_timings, reference_own)
            elapsed, predict_ms = self.time_new()
            timings.append(elapsed)
            own.append(predict_ms)
            if reference is not None and not lost and i % 2 == 0:
                lost = self._time_reference(reference, reference_timings, reference_own)
        if lost:
            return _Round(tuple(timings), lost_reference=lost, own=tuple(own))
        return _Round(
            tuple(timings), reference, tuple(reference_timings), own=tuple(own), reference_own=tuple(reference_own)
        )

    def time_new(self) -> tuple[float, float | None]:
        """One timed request to the new version: the client's ms and the endpoint's own (None when not given)."""
        self.sent += 1
        row = self.rows[self.sent % len(self.rows)]
        started = self.clock()
        try:
            reply = self.target.invoke([row], smoke=True)
        except ServiceError as exc:
            raise _RequestFailed(f"request {self.sent} failed: {exc.message}") from exc
        elapsed = (self.clock() - started) * 1000.0
        if reply.status != 200 or (reply.version is not None and reply.version != self.expected):
            what = f"answered {reply.status}" if reply.status != 200 else f"came from version {reply.version}"
            raise _RequestFailed(f"request {self.sent} {what}")
        return elapsed, reply.predict_ms

    def _time_reference(self, reference: str, timings: list[float], own: list[float | None]) -> str:
        """Time one request to the reference; the reason it cannot be compared, or "" when it was timed."""
        assert isinstance(self.target, ComparingTarget)
        row = self.rows[len(timings) % len(self.rows)]
        started = self.clock()
        try:
            reply = self.target.invoke_previous([row])
        except ServiceError as exc:
            return f"version {reference} could not be timed for comparison: {exc.message}"
        elapsed = (self.clock() - started) * 1000.0
        if reply.status != 200 or reply.version != reference:
            got = f"answered {reply.status}" if reply.status != 200 else f"answered as version {reply.version}"
            return f"version {reference} could not be timed for comparison (the endpoint {got})"
        timings.append(elapsed)
        own.append(reply.predict_ms)
        return ""


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
