"""``mlgate monitor`` with a shadow: the shadow's records in the monitor's window, beside the monitor's result.

When the server's state folder holds shadow records in the window, the monitor report gains a section saying how
the shadow answered the same traffic (``mlgate.shadow.status``), and with ``--labels`` the paired quality difference
shadow − live on the labelled rows (the replay's statistics). No shadow records: no section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlgate.config import Config
from mlgate.monitor.model import MonitorResult
from mlgate.monitor.run import capture_location
from mlgate.monitor.window import parse_timestamp
from mlgate.replay.model import Quality
from mlgate.replay.quality import compare_quality
from mlgate.replay.run import is_regression
from mlgate.shadow.capture import NOTES, read_capture_records
from mlgate.shadow.status import Watched, judge_shadow, read_status


def watch_shadow(
    config: Config, state: Path, result: MonitorResult, labels: Path | None, *, features: Sequence[str] = ()
) -> Watched:
    """``result`` with the shadow's records of its window: read from ``state`` (local target), or paired from the
    endpoint's data capture (sagemaker target: ``features`` read its list rows)."""
    start = parse_timestamp(result.window_start)
    regression = is_regression(config, None)

    def judge(answered: list[dict[str, Any]]) -> Quality:
        assert labels is not None
        return compare_quality(
            config,
            None,
            labels,
            [str(r["request_id"]) for r in answered],
            [int(r["row"]) for r in answered],
            [r["live"] for r in answered],
            [r["shadow"] for r in answered],
            regression,
        )

    quality = judge if labels is not None else None
    if config.deploy.target == "sagemaker":
        end = parse_timestamp(result.window_end)

        def read(since: dt.datetime | None) -> tuple[list[dict[str, Any]], int]:
            return read_capture_records(
                config, shadow=None, live=result.version, features=features, start=since, end=end
            )

        where = capture_location(config, None)
        status = judge_shadow(
            read,
            None,
            where=where,
            version=None,
            since=start,
            regression=regression,
            settings=config.replay,
            judge_quality=quality,
            notes=NOTES,
        )
    else:
        status = read_status(
            state,
            version=None,
            since=start,
            regression=regression,
            settings=config.replay,
            judge_quality=quality,
        )
    return Watched(result, None if status.version is None or status.rows == 0 else status)
