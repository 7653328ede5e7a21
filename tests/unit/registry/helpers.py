"""Small registry records for the registry tests (imported as ``unit.registry.helpers``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mlgate.registry.model import GoldenRow, ModelVersion

WHEN = "2026-11-20T09:00:00+00:00"
# how ``mlgate retrain`` judged a version against live version 3 (``ModelVersion.decision``)
DECISION = {
    "metric": "roc_auc",
    "direction": "higher",
    "live_version": "3",
    "live": 0.81,
    "new": 0.85,
    "low": 0.012,
    "high": 0.068,
    "method": "DeLong",
    "n": 1200,
    "unit": "rows",
    "alpha": 0.05,
    "confidence": 0.975,
    "margin": 0.0081,
    "margin_source": "retrain.min_rel_improvement",
    "p_value": 0.003,
    "candidates": 2,
    "evaluation": "ab" * 32,
}


def artifact(folder: Path, content: bytes = b"model bytes") -> tuple[Path, str]:
    """A stand-in artifact file and its SHA-256 (the local backend copies bytes; it never loads models)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.skops"
    path.write_bytes(content)
    return path, hashlib.sha256(content).hexdigest()


def version(sha256: str, *, model: str = "forest", by: str = "alice") -> ModelVersion:
    """A version as ``build_candidate`` makes it, before the registry numbers it."""
    return ModelVersion(
        version="",
        model=model,
        estimator="sklearn.ensemble.RandomForestClassifier",
        artifact="results/model.skops",
        sha256=sha256,
        metrics={"accuracy": 0.8, "roc_auc": 0.9},
        params={"n_estimators": 10, "max_depth": None},
        data_sha256="ab" * 32,
        schema_sha256="cd" * 32,
        commit="1" * 40,
        registered_by=by,
        registered_at=WHEN,
        trusted_types=("sklearn.tree._tree.Tree",),
        features=("x1", "color"),
        golden=(GoldenRow(features={"x1": 0.5, "color": None}, prediction=True),),
        reference_stats=None,
        prediction_stats=None,
        extra={"primary": "roc_auc"},
    )
