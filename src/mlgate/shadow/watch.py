"""``mlgate monitor`` with a shadow: the shadow's records in the monitor's window, beside the monitor's result.

When the server's state folder holds shadow records in the window, the monitor report gains a section saying how
the shadow answered the same traffic (``mlgate.shadow.status``), and with ``--labels`` the paired quality difference
shadow − live on the labelled rows (the replay's statistics). No shadow records: no section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlgate.config import Config
from mlgate.monitor.model import MonitorResult
from mlgate.monitor.window import parse_timestamp
from mlgate.replay.model import Quality
from mlgate.replay.quality import compare_quality
from mlgate.replay.run import is_regression
from mlgate.shadow.status import Watched, read_status


def watch_shadow(config: Config, state: Path, result: MonitorResult, labels: Path | None) -> Watched:
    """``result`` with the shadow's records of its window read from ``state``."""
    start = parse_timestamp(result.window_start)
    regression = is_regression(config, None)
    settings = config.replay

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

    status = read_status(
        state,
        version=None,
        since=start,
        regression=regression,
        alpha=settings.alpha,
        tolerance=settings.tolerance,
        flips=settings.flips,
        judge_quality=judge if labels is not None else None,
    )
    return Watched(result, None if status.version is None or status.rows == 0 else status)
