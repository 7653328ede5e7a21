"""What each variant answered: the local server's A/B log (one entry per row), else the endpoint's capture."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx

from mlgate.ab.answers import read_answers
from mlgate.config import Config, MonitorConfig
from mlgate.deploy.experiment import Split
from mlgate.deploy.local import LocalTarget
from mlgate.serve.ab_log import AbEntry, AbLog
from unit.deploy.fakes import FakeClock, FakeSplitTarget

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)
SINCE = NOW - dt.timedelta(hours=1)
SPLIT = Split("1", "2", 50.0, "header:X", "2026-12-07T09:00:00Z")


def test_the_local_target_reads_its_ab_log_row_by_row(tmp_path: Path) -> None:
    log = AbLog(tmp_path / "ab", clock=lambda: NOW)
    log.add(AbEntry(NOW, "r1", "champion", "1", 0.001, 200, False, ["yes", "no"]))
    log.add(AbEntry(NOW, "r2", "challenger", "2", 0.001, 200, False, ["no"]))
    log.add(AbEntry(NOW, "r3", "challenger", "1", 0.001, 400, False, None))  # refused: nothing answered
    log.add(AbEntry(SINCE - dt.timedelta(minutes=1), "old", "champion", "1", 0.001, 200, False, ["yes"]))
    log.flush()
    target = LocalTarget(tmp_path, http=httpx.Client())
    found = read_answers(Config(), target, SPLIT, since=SINCE, until=NOW, features=("x",))
    assert list(zip(found.request_id, found.row, found.version, found.prediction, strict=True)) == [
        ("r1", 0, "1", "yes"),
        ("r1", 1, "1", "no"),
        ("r2", 0, "2", "no"),
    ]
    assert found.of("2") == (["r2"], [0], ["no"])
    assert "A/B log" in found.source


def test_other_targets_read_the_capture_and_leave_other_versions_out(tmp_path: Path) -> None:
    day = tmp_path / "capture" / "2026-12-07"
    day.mkdir(parents=True)
    lines = [
        {
            "schema_version": 1,
            "request_id": f"r{i}",
            "row": 0,
            "ts": "2026-12-07T09:30:00Z",
            "version": v,
            "inputs": {"x": i},
            "prediction": "yes",
        }
        for i, v in enumerate(["1", "2", "7"])
    ]
    (day / "capture-1.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    config = Config(monitor=MonitorConfig(capture=str(tmp_path / "capture")))
    target = FakeSplitTarget(clock=FakeClock())
    found = read_answers(config, target, SPLIT, since=SINCE, until=NOW, features=("x",))
    assert (found.request_id, found.version) == (["r0", "r1"], ["1", "2"])
    assert found.notes == ["1 captured row(s) answered by other versions: left out"]
