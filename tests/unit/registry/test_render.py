"""What ``mlgate registry`` prints: JSON documents valid against docs/schemas/registry.schema.json, and text."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema
import pytest

from mlgate.data.stats import to_data
from mlgate.registry.model import HistoryEvent, ModelVersion, StatusChange
from mlgate.registry.render import (
    change_document,
    history_document,
    list_document,
    render_change,
    render_history,
    render_json,
    render_list,
    render_version,
    show_document,
)
from mlgate.registry.samples import prediction_stats
from schemas import schema_validator
from unit.registry.helpers import DECISION, WHEN, version


def validator() -> jsonschema.Draft202012Validator:
    return schema_validator("registry.schema.json")


def approved() -> ModelVersion:
    stats = prediction_stats([True, False], regression=False, source="predictions", created=WHEN)
    history = (
        StatusChange("pending", "alice", "registered from results", WHEN),
        StatusChange("approved", "bob", "beats v2 on recall\nsecond line", WHEN),
    )
    return dataclasses.replace(
        version("ab" * 32),
        version="3",
        history=history,
        reference_stats=stats,
        prediction_stats=stats,
        artifact="/reg/versions/3/model.skops",
    )


def test_every_document_is_valid_and_parses_back() -> None:
    check = validator()
    event = HistoryEvent(at=WHEN, event="deployed", version="3", by="ci", detail={"target": "local"})
    documents = [
        show_document(approved()),
        list_document([approved(), dataclasses.replace(approved(), version="4")]),
        list_document([]),
        change_document("approved", approved(), None),
        change_document("unchanged", approved(), "already approved"),
        history_document([event, HistoryEvent(at=WHEN, event="note", version=None, by="ci")]),
    ]
    for document in documents:
        check.validate(json.loads(render_json(document)))
        assert document["schema_version"] == 1


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(status="live"),
        lambda d: d.update(sha256="short"),
        lambda d: d.update(history=[]),
        lambda d: d.update(unexpected=1),
    ],
)
def test_the_schema_rejects_broken_records(edit: Any) -> None:
    document = show_document(approved())
    edit(document)
    with pytest.raises(jsonschema.ValidationError, match=r"is not valid under any of the given schemas"):
        validator().validate(document)


def test_a_full_record_with_real_reference_statistics_is_valid() -> None:
    from mlgate.data.stats import ReferenceStats

    empty = to_data(ReferenceStats(source="train.csv", rows=0, created=WHEN, fields={}))
    validator().validate(show_document(dataclasses.replace(approved(), reference_stats=empty)))


def test_the_list_shows_status_primary_metric_and_last_change() -> None:
    text = render_list([approved()])
    header, row = text.splitlines()
    assert header.split() == [
        "version",
        "model",
        "status",
        "primary",
        "eval",
        "vs",
        "live",
        "registered",
        "by",
        "commit",
        "last",
        "change",
    ]
    assert row.split()[:7] == ["3", "forest", "approved", "roc_auc", "0.9000", "abababab", "-"]
    assert "bob: beats v2 on recall" in row
    assert "second line" not in row
    assert render_list([]).startswith("no versions registered yet")


def retrained(number: str, evaluation: str) -> ModelVersion:
    decision = {**DECISION, "evaluation": evaluation}
    return dataclasses.replace(
        approved(), version=number, data_sha256=evaluation, decision=decision, metrics={"roc_auc": 0.85}
    )


def test_the_list_never_shows_values_of_different_evaluations_as_comparable() -> None:
    text = render_list([approved(), retrained("4", "9d" * 32)])
    rows = text.splitlines()
    assert rows[1].split()[3:7] == ["roc_auc", "0.9000", "abababab", "-"]
    assert rows[2].split()[3:11] == ["roc_auc", "0.8500", "9d9d9d9d", "+0.0400", "[+0.0120,", "+0.0680]", "vs", "v3"]
    assert "primary values measured on different evaluation data (eval) are not comparable" in text
    same = render_list([approved(), dataclasses.replace(approved(), version="4")])
    assert "not comparable" not in same  # one evaluation: the values are comparable


def test_show_gives_the_retrain_decision_and_its_evaluation() -> None:
    text = render_version(retrained("4", "9d" * 32))
    assert "roc_auc 0.8500 (on evaluation data 9d9d9d9d)" in text
    assert (
        "  decision    vs live version 3 on roc_auc, the same fresh rows (eval 9d9d9d9d): 0.8500 vs 0.8100, "
        "Δ +0.0400 [+0.0120, +0.0680] (DeLong, 1,200 rows, each end 97.5 % one-sided), needed better by > 0.0081 "
        "(p = 0.003, Holm over 2 candidates, alpha 0.05)"
    ) in text
    validator().validate(show_document(retrained("4", "9d" * 32)))
    broken = dataclasses.replace(approved(), decision={"metric": "roc_auc"})
    assert "decision    recorded, but not in a form this mlgate reads" in render_version(broken)
    assert render_list([broken]).splitlines()[1].split()[6] == "?"


def test_show_lists_every_recorded_part() -> None:
    text = render_version(approved())
    assert text.splitlines()[0] == "version 3 · forest (sklearn.ensemble.RandomForestClassifier) · approved"
    for part in (
        "/reg/versions/3/model.skops",
        "ab" * 32,
        "accuracy 0.8000 · roc_auc 0.9000",
        "x1, color",
        "sklearn.tree._tree.Tree",
        "1 row(s)",
        "predictions: 1 field(s) over 2 rows",
        f"{WHEN}  approved  by bob: beats v2 on recall",
    ):
        assert part in text


def test_change_lines_say_what_happened_and_what_next() -> None:
    registered = dataclasses.replace(approved(), history=approved().history[:1])
    assert render_change("registered", registered, None).splitlines() == [
        f"registered version 3: forest (sha256 {'ab' * 6}…) · roc_auc 0.9000 · pending",
        "  approve it with: mlgate registry approve 3 --reason TEXT",
    ]
    assert render_change("approved", approved(), None).splitlines()[1] == f"  by bob at {WHEN}: beats v2 on recall"
    unchanged = render_change("unchanged", approved(), "version 3 is already approved")
    assert unchanged.splitlines() == ["version 3 (forest) unchanged: approved", "  note: version 3 is already approved"]


def test_history_is_one_line_per_event() -> None:
    events = [
        HistoryEvent(at=WHEN, event="registered", version="1", by="alice", reason="registered"),
        HistoryEvent(at=WHEN, event="rolled-back", version=None, by="ci", reason="x" * 80),
    ]
    lines = render_history(events).splitlines()
    assert len(lines) == 3
    assert lines[2].split()[1:4] == ["rolled-back", "-", "ci"]
    assert lines[2].endswith("x" * 59 + "…")
    assert render_history([]) == "no history yet\n"


def test_show_gives_the_mlflow_run_aliases_and_a_warning_for_changes_made_outside_mlgate() -> None:
    extra = {
        "mlflow": {"name": "churn", "run_id": "abc123", "aliases": ["champion", "evil\x1b[2Jalias"]},
        "outside_mlgate": ["alias 'champion'"],
        "outside_changed_at": "2026-12-07T16:02:11+00:00",
    }
    text = render_version(dataclasses.replace(version("ab" * 32), version="3", extra=extra))
    assert "  mlflow      churn version · run abc123 · aliases: champion, evil" in text
    assert "\x1b" not in text
    assert "  WARNING     alias 'champion' set outside mlgate (version last changed 2026-12-07T16:02:11+00:00):" in text
    assert "a deploy refuses it unless mlgate's history approves it" in text
    assert "WARNING" not in render_version(dataclasses.replace(version("ab" * 32), version="3"))
