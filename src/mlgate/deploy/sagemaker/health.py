"""How one variant of a SageMaker endpoint answered since a moment, from CloudWatch (``read_variant_health``).

The figures are SageMaker's own ``AWS/SageMaker`` metrics of the variant (dimensions ``EndpointName`` and
``VariantName``): ``Invocations`` and ``Invocation5XXErrors`` summed, and ``ModelLatency`` (microseconds) at
p99 through ``ExtendedStatistics``. CloudWatch takes ``Statistics`` or ``ExtendedStatistics`` in one call, not
both, so that is three ``GetMetricStatistics`` calls, each with one period covering the whole window
(``choose_period``). Should the window still span two periods, the counts add up and the p99 is the larger
one (an upper bound: percentiles of parts do not combine).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mlgate.deploy.experiment import VariantHealth

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import DatapointTypeDef, DimensionTypeDef, GetMetricStatisticsInputTypeDef

    from mlgate.deploy.sagemaker.api import SagemakerApi

NAMESPACE = "AWS/SageMaker"
P99 = "p99"


def read_variant_health(
    api: SagemakerApi, variant: str, version: str, since: dt.datetime, now: dt.datetime
) -> VariantHealth:
    """``version``'s health as the endpoint's ``variant`` between ``since`` and ``now``."""
    dimensions: list[DimensionTypeDef] = [
        {"Name": "EndpointName", "Value": api.endpoint},
        {"Name": "VariantName", "Value": variant},
    ]
    start = since.replace(microsecond=0)
    period = choose_period((now - start).total_seconds())
    end = start + dt.timedelta(seconds=period)

    def fetch(metric: str, statistic: str) -> Sequence[DatapointTypeDef]:
        query: GetMetricStatisticsInputTypeDef = {
            "Namespace": NAMESPACE,
            "MetricName": metric,
            "Dimensions": dimensions,
            "StartTime": start,
            "EndTime": end,
            "Period": period,
        }
        if statistic == P99:
            query["ExtendedStatistics"] = [P99]  # one or the other per call, never both
        else:
            query["Statistics"] = ["Sum"]
        return api.make_call(api.cloudwatch.get_metric_statistics, **query).get("Datapoints", [])

    requests = sum_datapoints(fetch("Invocations", "Sum"))
    errors = sum_datapoints(fetch("Invocation5XXErrors", "Sum"))
    p99 = read_p99_ms(fetch("ModelLatency", P99)) if requests else None
    source = f"CloudWatch {NAMESPACE} {api.endpoint}/{variant}: Invocations, Invocation5XXErrors, ModelLatency p99"
    return VariantHealth(version, requests, errors, p99, source)


def choose_period(seconds: float) -> int:
    """One period covering ``seconds``: a multiple of 60 s, and of 3600 s beyond an hour (CloudWatch keeps
    older data only at coarser periods)."""
    step = 60 if seconds <= 3600 else 3600
    return max(step, step * math.ceil(seconds / step))


def sum_datapoints(datapoints: Sequence[DatapointTypeDef]) -> int:
    """The ``Sum`` of ``datapoints`` together, as a count."""
    return round(sum(point.get("Sum", 0.0) for point in datapoints))


def read_p99_ms(datapoints: Sequence[DatapointTypeDef]) -> float | None:
    """The largest p99 of ``datapoints`` (``ModelLatency``, microseconds) in milliseconds; None without one."""
    values = [point.get("ExtendedStatistics", {}).get(P99) for point in datapoints]
    found = [value for value in values if value is not None]
    return max(found) / 1000.0 if found else None
