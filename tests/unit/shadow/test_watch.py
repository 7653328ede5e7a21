"""The monitor's window, read for a shadow: nothing shadowed is no section; records in the window are one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from mlgate.config import Config, DeployConfig, MonitorConfig
from mlgate.shadow.watch import watch_shadow
from unit.report.monitor_results import result
from unit.shadow.test_capture import line


def write(state: Path, ts: str, count: int) -> None:
    folder = state / "shadow" / ts[:10]
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = [
        {
            "request_id": f"r{i}",
            "row": 0,
            "ts": ts,
            "live_version": "1",
            "live": True,
            "live_ms": 1.0,
            "shadow_version": "2",
            "shadow": i % 4 != 0,
            "shadow_ms": 2.0,
            "error": None,
            "inputs": {},
        }
        for i in range(count)
    ]
    (folder / "shadow-a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_nothing_shadowed_in_the_window_is_no_section(tmp_path: Path) -> None:
    config = dataclasses.replace(Config(), task="classification")
    assert watch_shadow(config, tmp_path, result(), None).shadow is None
    write(tmp_path, "2026-11-20T12:00:00.000000Z", 8)  # before the window (it starts 2026-11-21T12:00)
    assert watch_shadow(config, tmp_path, result(), None).shadow is None


def test_records_in_the_window_are_reported(tmp_path: Path) -> None:
    config = dataclasses.replace(Config(), task="classification")
    write(tmp_path, "2026-11-21T13:00:00.000000Z", 8)
    watched = watch_shadow(config, tmp_path, result(), None)
    assert watched.shadow is not None
    assert (watched.shadow.version, watched.shadow.rows, watched.shadow.disagreement.count) == ("2", 8, 2)
    assert watched.shadow.quality is None


def test_on_sagemaker_the_window_s_shadow_is_paired_from_data_capture(tmp_path: Path) -> None:
    at = dt.datetime(2026, 11, 21, 13, 0, tzinfo=dt.timezone.utc)
    lines = {
        "AllTraffic": [line(f"r{i}", float(i), "yes", "3", at) for i in range(6)] + [line("c1", 9.0, "no", "4", at)],
        "Shadow": [line(f"r{i}", float(i), "yes" if i % 3 else "no", "5", at) for i in range(4)],
    }
    for variant, written in lines.items():
        folder = tmp_path / "capture" / variant / "2026/11/21/13"
        folder.mkdir(parents=True)
        (folder / "00-00-000-a.jsonl").write_text("\n".join(written) + "\n", encoding="utf-8")
    config = dataclasses.replace(
        Config(),
        task="classification",
        monitor=MonitorConfig(capture=str(tmp_path / "capture")),
        deploy=DeployConfig(target="sagemaker"),
    )
    watched = watch_shadow(config, tmp_path / "no-state", result(), None, features=("x",))
    assert watched.shadow is not None
    shadow = watched.shadow
    assert (shadow.version, shadow.rows, shadow.disagreement.count, shadow.live_versions) == ("5", 4, 2, ("3",))
    assert "SageMaker captures neither latency" in shadow.notes[0]
