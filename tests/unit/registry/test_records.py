"""version.json and history.jsonl documents: round trips and malformed records."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from mlgate.errors import InputError
from mlgate.registry.model import HistoryEvent, StatusChange
from mlgate.registry.records import (
    event_from_data,
    event_line,
    render_version,
    summary_data,
    version_from_data,
    version_to_data,
)
from unit.registry.helpers import DECISION, WHEN, version


def registered() -> Any:
    changes = (StatusChange("pending", "alice", "registered", WHEN), StatusChange("approved", "bob", "good", WHEN))
    return dataclasses.replace(version("ef" * 32), version="4", history=changes)


def test_a_version_survives_a_round_trip_through_json() -> None:
    original = registered()
    data = json.loads(render_version(original))
    assert data["status"] == "approved"
    assert version_from_data(data, where="v.json") == original


def test_the_feature_schema_round_trips_and_old_records_read_without_it() -> None:
    described = {
        "fields": [{"name": "x1", "type": "number"}, {"name": "color", "type": "string"}],
        "missingValues": [""],
    }
    typed = dataclasses.replace(registered(), feature_schema=described)
    data = json.loads(render_version(typed))
    assert data["feature_schema"] == described
    assert version_from_data(data, where="v.json") == typed
    del data["feature_schema"]  # a record written before versions kept it
    assert version_from_data(data, where="v.json").feature_schema is None


def test_the_uncertainty_round_trips_and_old_records_read_without_it() -> None:
    measured = dataclasses.replace(registered(), uncertainty={"accuracy": {"n": 200, "se": 0.021}})
    data = json.loads(render_version(measured))
    assert data["uncertainty"] == {"accuracy": {"n": 200, "se": 0.021}}
    assert version_from_data(data, where="v.json") == measured
    assert summary_data(measured)["uncertainty"] == {"accuracy": {"n": 200, "se": 0.021}}
    del data["uncertainty"]  # a record written before versions kept it
    assert version_from_data(data, where="v.json").uncertainty is None
    assert "uncertainty" not in version_to_data(registered())


def test_the_retrain_decision_round_trips_and_old_records_read_without_it() -> None:
    decided = dataclasses.replace(registered(), decision=DECISION)
    data = json.loads(render_version(decided))
    assert data["decision"] == DECISION
    assert version_from_data(data, where="v.json") == decided
    assert json.loads(render_version(registered()))["decision"] is None  # versions not made by retrain
    del data["decision"]  # a record written before versions kept it
    assert version_from_data(data, where="v.json").decision is None
    data["decision"] = ["not", "an", "object"]
    with pytest.raises(InputError, match=r"v\.json: malformed model-version record: 'decision' must be an object"):
        version_from_data(data, where="v.json")


def test_the_artifact_path_can_be_stored_relative_and_read_back_absolute() -> None:
    data = version_to_data(registered(), artifact="versions/4/model.skops")
    assert data["artifact"] == "versions/4/model.skops"
    assert version_from_data(data, where="v.json", artifact="/abs/model.skops").artifact == "/abs/model.skops"


def test_a_summary_leaves_out_golden_rows_and_statistics() -> None:
    data = summary_data(registered())
    assert not {"golden", "reference_stats", "prediction_stats"} & set(data)
    assert data["version"] == "4"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(kind="other"), "not an mlgate model-version record"),
        (lambda d: d.update(schema_version=9), "schema_version 9 is not supported"),
        (lambda d: d.pop("sha256"), "missing key 'sha256'"),
        (lambda d: d.update(metrics=[1]), "'metrics' must be an object"),
        (lambda d: d["history"].append({"status": "live", "by": "x", "reason": "y", "at": WHEN}), "status 'live'"),
        (lambda d: d.update(uncertainty={"accuracy": {"n": 0, "se": 0.1}}), "uncertainty.accuracy: n must be ≥ 1"),
        (lambda d: d.update(uncertainty={"accuracy": {"se": 0.1}}), "missing key 'n'"),
    ],
)
def test_malformed_version_records_name_the_file(edit: Any, message: str) -> None:
    data = version_to_data(registered())
    edit(data)
    with pytest.raises(InputError, match=f"v.json: .*{message}"):
        version_from_data(data, where="v.json")


def test_history_events_are_single_json_lines_that_read_back() -> None:
    event = HistoryEvent(at=WHEN, event="deployed", version="4", by="ci", reason="", detail={"target": "local"})
    line = event_line(event)
    assert line.index("\n") == len(line) - 1
    assert event_from_data(json.loads(line), where="h:1") == event


def test_a_malformed_history_event_names_the_line() -> None:
    with pytest.raises(InputError, match=r"history.jsonl:3: malformed history event: missing key 'by'"):
        event_from_data({"at": WHEN, "event": "approved", "version": "1"}, where="history.jsonl:3")
