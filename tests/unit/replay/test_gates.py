"""The replay gates are judged on the bound that is hard to pass; too little data is no verdict."""

from __future__ import annotations

import pytest

from mlgate.config import ReplayConfig
from mlgate.errors import ConfigError
from mlgate.replay.compare import interval
from mlgate.replay.gates import check_settings, judge
from mlgate.replay.model import Quality, ReplayResult


def result(count: int, n: int, quality: Quality | None = None) -> ReplayResult:
    return ReplayResult(
        version="2",
        live_version="1",
        window_start="s",
        window_end="e",
        location="capture",
        task="classification",
        rows=n,
        replayed=n,
        invalid=0,
        invalid_examples=(),
        disagreement=interval(count, n, 0.05),
        segments=(),
        flips=(),
        mean_difference=None,
        seconds_per_1k=0.1,
        quality=quality,
        gates=(),
        verdict="inconclusive",
        reason="",
    )


def quality(estimate: float, low: float, high: float, direction: str = "higher") -> Quality:
    return Quality("accuracy", direction, 0.8, 0.8 + estimate, estimate, low, high, 0.01, "McNemar (exact)", 500)


def test_disagreement_must_be_below_the_limit_with_confidence() -> None:
    settings = ReplayConfig(max_disagreement=0.05)
    assert judge(result(10, 1000, None), settings).verdict == "pass"  # 1 %, at most ~1.7 %
    borderline = judge(result(40, 1000), settings)  # 4 %: below 5 %, but its upper bound is not
    assert borderline.verdict == "fail"
    assert borderline.gates[0].measured == "4.00% (at most 5.18% at 95%)"


def test_quality_passes_on_its_lower_bound_and_without_labels_fails_closed() -> None:
    settings = ReplayConfig(min_quality_difference=-0.01)
    assert judge(result(5, 500, quality(0.02, 0.005, 0.035)), settings).verdict == "pass"
    assert judge(result(5, 500, quality(0.0, -0.02, 0.02)), settings).verdict == "fail"
    lower = quality(-0.02, -0.03, -0.015, direction="lower")  # an error that fell: a gain of 0.02
    assert judge(result(5, 500, lower), settings).verdict == "pass"
    unlabelled = judge(result(5, 500), settings)
    assert (unlabelled.verdict, unlabelled.gates[0].passed) == ("fail", None)


def test_too_few_rows_is_inconclusive_and_no_gates_is_a_pass_for_reading() -> None:
    few = judge(result(0, 20), ReplayConfig(max_disagreement=0.5, min_rows=100))
    assert few.verdict == "inconclusive"
    assert "only 20 replayable row(s)" in few.reason
    free = judge(result(300, 500), ReplayConfig())
    assert (free.verdict, free.gates) == ("pass", ())
    assert "no replay gate is configured" in free.reason


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (ReplayConfig(alpha=0.7), r"replay\.alpha is 0\.7"),
        (ReplayConfig(max_disagreement=5.0), r"replay\.max_disagreement is 5; it must be a share"),
        (ReplayConfig(min_quality_difference=float("inf")), r"replay\.min_quality_difference must be a finite"),
        (ReplayConfig(min_rows=0), r"replay\.min_rows must be ≥ 1"),
    ],
)
def test_unusable_settings_name_the_key(settings: ReplayConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check_settings(settings)
