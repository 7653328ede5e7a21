from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from mlgate.errors import InputError
from mlgate.results import (
    METRICS_FILE,
    Artifact,
    Evaluation,
    ModelResult,
    ResultSet,
    from_data,
    is_mlgate_document,
    read_manifest,
    read_results,
    to_data,
    write_results,
)

FULL = ResultSet(
    models={
        "forest": ModelResult(
            "forest",
            "sklearn.ensemble.RandomForestClassifier",
            params={"n_estimators": 100, "max_depth": None},
            metrics={"accuracy": 0.95},
            folds={"accuracy": (0.94, 0.96)},
            timings={"fit_s": 0.5},
            artifact=Artifact("models/forest.skops", "ab" * 32, 1234),
            seed_sd={"accuracy": 0.004},
        )
    },
    task="classification",
    primary="accuracy",
    evaluation=Evaluation("cv", train_rows=500, folds=2, data_sha256="d" * 64, features=("age", "plan")),
    commit="d3cd69f" + "0" * 33,
    mlgate_version="0.1.0",
)


def document(**models: Any) -> dict[str, Any]:
    return {"schema_version": 1, "models": models}


def test_results_survive_a_round_trip_through_metrics_json(tmp_path: Path) -> None:
    path = write_results(tmp_path, FULL)
    assert path == tmp_path / METRICS_FILE
    assert path.read_text(encoding="utf-8").endswith("}\n")
    read = read_results(tmp_path)
    assert dataclasses.replace(read, source=None) == FULL
    assert read.source == str(tmp_path)
    assert read_results(path).models == FULL.models


def test_the_document_leaves_out_empty_optional_fields() -> None:
    data = to_data(ResultSet(models={"m": ModelResult("m", "est")}, evaluation=Evaluation("holdout")))
    assert data["models"]["m"] == {
        "estimator": "est",
        "params": {},
        "metrics": {},
        "folds": {},
        "timings": {},
        "artifact": None,
    }
    assert data["evaluation"] == {
        "kind": "holdout",
        "train_rows": 0,
        "test_rows": 0,
        "folds": None,
        "data_sha256": None,
    }
    assert to_data(FULL)["models"]["forest"]["seed_sd"] == {"accuracy": 0.004}


def test_non_finite_metrics_cannot_be_written(tmp_path: Path) -> None:
    broken = ResultSet(models={"m": ModelResult("m", "est", metrics={"accuracy": float("nan")})})
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        write_results(tmp_path, broken)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"schema_version": 2, "models": {}}, r"metrics schema_version 2 is not supported \(this mlgate reads 1\)"),
        ({"schema_version": 1, "models": []}, "malformed metrics file: 'models' must be an object"),
        (document(m={"metrics": {"accuracy": "high"}}), "'models.m.metrics.accuracy' must be a finite number"),
        (document(m={"metrics": {"accuracy": True}}), "'models.m.metrics.accuracy' must be a finite number"),
        (document(m={"timings": {"fit_s": float("inf")}}), "'models.m.timings.fit_s' must be a finite number"),
        (document(m={"artifact": {"path": "../x.skops", "sha256": "a", "bytes": 1}}), "must be a path inside"),
        (document(m={"artifact": {"path": "/etc/passwd", "sha256": "a", "bytes": 1}}), "not '/etc/passwd'"),
        (document(m={"artifact": {"path": "C:x", "sha256": "a", "bytes": 1}}), "must be a path inside"),
        (document(m={"artifact": {"path": "m.skops"}}), "malformed metrics file: 'sha256'"),
        (
            {"schema_version": 1, "models": {}, "evaluation": {"kind": "bootstrap"}},
            "'evaluation.kind' must be holdout, cv or external, not 'bootstrap'",
        ),
    ],
)
def test_a_malformed_document_names_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        from_data(raw, source="base/metrics.json")


def test_errors_name_the_source_or_metrics_json() -> None:
    with pytest.raises(InputError, match=r"^base/metrics\.json: metrics schema_version None"):
        from_data({"models": {}}, source="base/metrics.json")
    with pytest.raises(InputError, match=r"^metrics\.json: malformed"):
        from_data({"schema_version": 1, "models": 3})


def test_only_documents_with_a_schema_version_and_models_are_mlgates() -> None:
    assert is_mlgate_document(document()) is True
    assert is_mlgate_document({"accuracy": 0.9}) is False  # DVC-style metrics
    assert is_mlgate_document([1]) is False


def test_reading_what_is_not_there_or_not_json_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape(f"results: {tmp_path} has no metrics.json")):
        read_results(tmp_path)
    with pytest.raises(InputError, match=r"missing\.json not found"):
        read_results(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text('{"schema_version": 1,\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json:2: not valid JSON"):
        read_results(tmp_path / "bad.json")
    (tmp_path / "dvc.json").write_text(json.dumps({"accuracy": 0.9}), encoding="utf-8")
    with pytest.raises(InputError, match=r"dvc\.json is not an mlgate metrics file \(no schema_version and models\)"):
        read_results(tmp_path / "dvc.json")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InputError, match=r"deep\.json: not a metrics file mlgate can read \(RecursionError\)"):
        read_results(tmp_path / "deep.json")


def test_a_manifest_is_optional_but_must_be_a_json_object(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) == {}
    (tmp_path / "manifest.json").write_text('{"files": {}}', encoding="utf-8")
    assert read_manifest(tmp_path) == {"files": {}}
    (tmp_path / "manifest.json").write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="manifest is not a JSON object"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{\n\n oops", encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest\.json:3: manifest is not valid JSON"):
        read_manifest(tmp_path)
