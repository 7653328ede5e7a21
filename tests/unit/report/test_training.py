"""``mlgate train``'s report: the table of models (mean ± std under CV, then timings) and the metrics.json document."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from mlgate.report import training as render
from mlgate.results import Evaluation, ModelResult, ResultSet, from_data
from mlgate.training.run import TrainRun

FOLDS = (0.8, 0.9, 0.85)


def run(evaluation: Evaluation | None) -> TrainRun:
    forest = ModelResult(
        "forest",
        "sklearn.ensemble.RandomForestClassifier",
        metrics={"accuracy": 0.85, "f1": 0.8},
        folds={"accuracy": FOLDS},
        timings={"fit_s": 1.23456},
    )
    linear = ModelResult("linear", "sklearn.linear_model.LogisticRegression", metrics={"accuracy": 0.8})
    results = ResultSet(
        {"forest": forest, "linear": linear}, task="classification", primary="accuracy", evaluation=evaluation
    )
    return TrainRun(results, Path("runs/out"))


def test_the_table_has_a_row_per_model_and_a_column_per_metric_then_timing() -> None:
    text = render.render_text(run(Evaluation("cv", train_rows=300, folds=3)))
    lines = text.splitlines()
    assert lines[0] == "mlgate train: 2 model(s), 3-fold cross-validation over 300 rows, primary metric accuracy"
    header = lines[2].split()
    assert header[:3] == ["model", "accuracy", "f1"]
    assert "fit time (s)" in lines[2]
    forest = next(line for line in lines if line.startswith("forest"))
    assert f"0.8500 ± {statistics.stdev(FOLDS):.4f}" in forest
    assert forest.split()[-1] == "1.235"  # 4 significant digits
    linear = next(line for line in lines if line.startswith("linear"))
    assert linear.split()[1:] == ["0.8000", "–", "–"]  # no f1, no timing
    assert lines[-1] == "Results: runs/out/metrics.json · provenance: runs/out/manifest.json"


def test_a_holdout_run_names_its_row_counts() -> None:
    first = render.render_text(run(Evaluation("holdout", train_rows=240, test_rows=60))).splitlines()[0]
    assert first.endswith("holdout: 240 training rows, 60 test rows, primary metric accuracy")


def test_json_is_the_metrics_document_and_reads_back() -> None:
    done = run(Evaluation("holdout", train_rows=240, test_rows=60))
    document = json.loads(render.render_json(done))
    assert from_data(document) == done.results


def test_json_refuses_a_non_finite_number() -> None:
    bad = run(None)
    bad.results.models["linear"].metrics["accuracy"] = float("nan")
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        render.render_json(bad)
