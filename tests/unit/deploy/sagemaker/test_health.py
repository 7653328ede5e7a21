"""A variant's health from CloudWatch: one period over the window, counts summed, p99 in milliseconds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mlgate.deploy.sagemaker.api import SagemakerApi
from mlgate.deploy.sagemaker.health import choose_period, read_p99_ms, read_variant_health, sum_datapoints

SINCE = dt.datetime(2026, 12, 7, 10, 0, 0, 500000, tzinfo=dt.timezone.utc)


class FakeCloudWatch:
    """Answers ``get_metric_statistics`` from canned datapoints by metric name and keeps every query."""

    def __init__(self, datapoints: dict[str, list[dict[str, Any]]]) -> None:
        self.datapoints, self.queries = datapoints, list[dict[str, Any]]()

    def get_metric_statistics(self, **query: Any) -> dict[str, Any]:
        self.queries.append(query)
        return {"Label": query["MetricName"], "Datapoints": self.datapoints.get(query["MetricName"], [])}


def api_with(cloudwatch: FakeCloudWatch) -> SagemakerApi:
    return SagemakerApi("churn", sagemaker=object(), runtime=object(), cloudwatch=cloudwatch)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seconds", "period"), [(0, 60), (1, 60), (60, 60), (61, 120), (3600, 3600), (3601, 7200), (86400 * 3, 259200)]
)
def test_one_period_covers_the_window_in_whole_minutes_then_whole_hours(seconds: float, period: int) -> None:
    assert choose_period(seconds) == period


def test_counts_add_up_over_datapoints_and_the_p99_is_the_largest_in_milliseconds() -> None:
    assert sum_datapoints([{"Sum": 3.0}, {"Sum": 4.0}, {}]) == 7
    assert read_p99_ms([{"ExtendedStatistics": {"p99": 1500.0}}, {"ExtendedStatistics": {"p99": 2500.0}}]) == 2.5
    assert read_p99_ms([{"Sum": 1.0}]) is None
    assert read_p99_ms([]) is None


def test_three_queries_one_statistic_kind_each_on_the_variant_s_dimensions() -> None:
    cloudwatch = FakeCloudWatch(
        {
            "Invocations": [{"Sum": 40.0}, {"Sum": 2.0}],
            "Invocation5XXErrors": [{"Sum": 3.0}],
            "ModelLatency": [{"ExtendedStatistics": {"p99": 48000.0}}],
        }
    )
    now = SINCE + dt.timedelta(minutes=5)
    health = read_variant_health(api_with(cloudwatch), "Challenger", "2", SINCE, now)
    assert (health.version, health.requests, health.errors, health.p99_ms) == ("2", 42, 3, 48.0)
    assert health.source.startswith("CloudWatch AWS/SageMaker churn/Challenger")
    assert [q["MetricName"] for q in cloudwatch.queries] == ["Invocations", "Invocation5XXErrors", "ModelLatency"]
    for query in cloudwatch.queries:
        assert query["Namespace"] == "AWS/SageMaker"
        assert query["Dimensions"] == [
            {"Name": "EndpointName", "Value": "churn"},
            {"Name": "VariantName", "Value": "Challenger"},
        ]
        assert query["StartTime"] == SINCE.replace(microsecond=0)
        assert query["EndTime"] - query["StartTime"] == dt.timedelta(seconds=query["Period"]) == dt.timedelta(minutes=6)
        assert ("Statistics" in query) != ("ExtendedStatistics" in query)
    assert cloudwatch.queries[2]["ExtendedStatistics"] == ["p99"]


def test_without_requests_there_is_no_p99_to_give() -> None:
    cloudwatch = FakeCloudWatch({"ModelLatency": [{"ExtendedStatistics": {"p99": 48000.0}}]})
    health = read_variant_health(api_with(cloudwatch), "AllTraffic", "1", SINCE, SINCE + dt.timedelta(seconds=30))
    assert (health.requests, health.errors, health.p99_ms) == (0, 0, None)
    assert [q["MetricName"] for q in cloudwatch.queries] == ["Invocations", "Invocation5XXErrors"]
