"""The replay use case: rows the version cannot read, rows other versions answered, features capture hid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.errors import InputError
from mlgate.registry import LocalRegistry
from mlgate.replay.model import ReplayResult
from mlgate.replay.run import ReplayRequest, run_replay
from unit.monitor.helpers import sample_inputs, write_jsonl
from unit.replay.helpers import capture_rows, make_replay_project, register_tree

NOW = dt.datetime.now(dt.timezone.utc)
NUMBERS = {
    "fields": [{"name": "x1", "type": "number"}, {"name": "x2", "type": "integer"}],
}


def replay(config: Path, version: str) -> ReplayResult:
    loaded = load_config(config)
    return run_replay(loaded, LocalRegistry(config.parent / "registry"), ReplayRequest(version=version), now=NOW)


def test_rows_the_version_cannot_read_are_counted_with_examples_not_fatal(tmp_path: Path) -> None:
    config = make_replay_project(tmp_path / "p", extra="replay: {min_rows: 10}\n", rows=40)
    bad = capture_rows(sample_inputs(3, seed=77))
    for record in bad:
        record["inputs"]["x1"] = "not a number"
        record["request_id"] = "bad-" + record["request_id"]
    write_jsonl(config.parent / ".mlgate" / "capture", bad, seq=2)
    version = register_tree(config.parent, 0.0, feature_schema=NUMBERS)
    result = replay(config, version)
    assert (result.rows, result.replayed, result.invalid) == (43, 40, 3)
    assert "x1" in result.invalid_examples[0]
    assert result.verdict == "pass"


def test_rows_answered_by_other_versions_are_left_out_with_a_note(tmp_path: Path) -> None:
    config = make_replay_project(tmp_path / "p", extra="replay: {min_rows: 10}\n", rows=30)
    others = capture_rows(sample_inputs(5, seed=3))
    for row in others:
        row["version"] = "7"
        row["request_id"] = "other-" + row["request_id"]
    write_jsonl(config.parent / ".mlgate" / "capture", others, seq=2)
    result = replay(config, register_tree(config.parent, 0.0))
    assert result.rows == 30
    assert "5 captured row(s) were answered by other versions and are not replayed" in result.notes


def test_a_feature_capture_drops_cannot_be_replayed(tmp_path: Path) -> None:
    config = make_replay_project(tmp_path / "p", extra="capture: {drop: [x2]}\n", rows=10)
    version = register_tree(config.parent, 0.0)
    with pytest.raises(InputError, match=r"version 2 needs x2, which capture drops or hashes"):
        replay(config, version)
