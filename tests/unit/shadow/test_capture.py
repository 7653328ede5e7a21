"""A SageMaker shadow from data capture: the live and the shadow answer of a request paired by its id."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from mlgate.config import Config, MonitorConfig
from mlgate.deploy.experiment import RunningShadow
from mlgate.errors import InputError
from mlgate.shadow.capture import read_capture_records, read_endpoint_status
from unit.deploy.fakes import FakeClock, FakeRegistry, FakeSplitTarget, make_version

NOW = dt.datetime.now(dt.timezone.utc)


def line(rid: str, x: float, answer: str, version: str, at: dt.datetime | None = None) -> str:
    when = (at or NOW - dt.timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": "application/json",
                    "mode": "INPUT",
                    "data": json.dumps({"instances": [{"x": x}]}),
                    "encoding": "JSON",
                },
                "endpointOutput": {
                    "observedContentType": "application/json",
                    "mode": "OUTPUT",
                    "data": json.dumps({"predictions": [answer], "version": version}),
                    "encoding": "JSON",
                },
            },
            "eventMetadata": {"eventId": f"e-{rid}", "inferenceTime": when, "inferenceId": rid},
            "eventVersion": "0",
        }
    )


@pytest.fixture
def config(tmp_path: Path) -> Config:
    hour = NOW - dt.timedelta(minutes=5)
    for variant, lines in {
        "AllTraffic": [line("r1", 1.0, "yes", "1"), line("r2", 2.0, "no", "1"), line("r3", 3.0, "no", "1")],
        "Shadow": [line("r1", 1.0, "yes", "2"), line("r2", 2.0, "yes", "2")],
    }.items():
        folder = tmp_path / "churn" / variant / hour.strftime("%Y/%m/%d/%H")
        folder.mkdir(parents=True)
        (folder / "00-00-000-x.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Config(monitor=MonitorConfig(capture=str(tmp_path / "churn")))


def test_shadowed_requests_are_paired_and_the_rest_left_out(config: Config) -> None:
    records, malformed = read_capture_records(config, shadow="2", features=("x",), start=None, end=NOW)
    assert malformed == 0
    assert [(r["request_id"], r["live"], r["shadow"], r["live_version"]) for r in records] == [
        ("r1", "yes", "yes", "1"),
        ("r2", "no", "yes", "1"),
    ]
    assert records[0]["inputs"] == {"x": 1.0}


def test_the_endpoint_status_judges_the_pairs(config: Config) -> None:
    target = FakeSplitTarget(clock=FakeClock(), pointer="1", serving="1")
    target.shadow = RunningShadow("2", 0.5, (NOW - dt.timedelta(hours=1)).isoformat())
    status = read_endpoint_status(
        config,
        target,
        FakeRegistry(make_version(1)),
        version=None,
        since=None,
        regression=False,
    )
    assert (status.version, status.running, status.rows, status.disagreement.count) == ("2", True, 2, 1)
    assert status.state == "fake endpoint"
    assert "SageMaker captures neither latency" in status.notes[0]


def test_no_shadow_and_no_version_is_an_input_error(config: Config) -> None:
    target = FakeSplitTarget(clock=FakeClock(), pointer="1", serving="1")
    with pytest.raises(InputError, match="no shadow runs on fake endpoint"):
        read_endpoint_status(
            config,
            target,
            FakeRegistry(make_version(1)),
            version=None,
            since=None,
            regression=False,
        )
