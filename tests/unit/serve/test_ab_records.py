"""Each variant's health from the A/B log: requests, server errors (a challenger's fallback is its error), p99."""

from __future__ import annotations

from datetime import datetime, timezone

from mlgate.serve.ab_records import MIN_P99_REQUESTS, AbRecord, measure_health, quantile

AT = datetime(2026, 12, 7, tzinfo=timezone.utc)


def record(variant: str, ms: float, status: int = 200, *, fallback: bool = False) -> AbRecord:
    version = "2" if variant == "challenger" and not fallback else "1"
    return AbRecord(AT, "r", variant, version, ms, status, fallback, (1,))


def test_fallbacks_and_server_errors_count_against_the_variant_routed() -> None:
    records = [record("champion", 1.0)] * 3 + [record("challenger", 1.0), record("challenger", 2.0, fallback=True)]
    records += [record("champion", 1.0, 503), record("challenger", 1.0, 400)]
    champion, challenger = measure_health(records, "champion"), measure_health(records, "challenger")
    assert (champion.requests, champion.errors) == (4, 1)
    assert (challenger.requests, challenger.errors) == (3, 1), "a 4xx is the client's fault, a fallback is not"
    assert champion.p99_ms is None, f"fewer than {MIN_P99_REQUESTS} requests say nothing about a p99"


def test_the_p99_is_never_understated() -> None:
    times = [float(i) for i in range(1, 201)]
    assert quantile(times, 0.99) == 198.0
    health = measure_health([record("champion", t) for t in times], "champion")
    assert health.p99_ms == 198.0
    assert quantile([5.0], 0.99) == 5.0
