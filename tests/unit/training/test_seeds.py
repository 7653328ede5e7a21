"""measure_seed_spread: cheap seeded models are refitted with other seeds; deterministic and slow ones are not."""

from __future__ import annotations

import statistics

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.naive_bayes import GaussianNB

from mlgate.config import TrainConfig
from mlgate.training.evaluate import Notes, predict_scored
from mlgate.training.metrics import to_metric
from mlgate.training.seeds import measure_seed_spread

METRICS = (to_metric("accuracy"), to_metric("roc_auc"))


def split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    return X[:400], y[:400], X[400:], y[400:]


def spread(model: object, *, fit_s: float = 0.1, **settings: object) -> dict[str, float]:
    X, y, X_test, y_test = split()
    fitted = model.fit(X, y)  # type: ignore[attr-defined]
    first = predict_scored("m", fitted, METRICS, X_test, y_test, notes=Notes())
    return measure_seed_spread(
        "m",
        model,
        METRICS,
        (X, y, X_test, y_test),
        first=first,
        fit_s=fit_s,
        settings=TrainConfig(**settings),  # type: ignore[arg-type]
        notes=Notes(),
    )


def test_a_seeded_forest_gets_the_spread_of_its_reseeded_scores() -> None:
    found = spread(ExtraTreesClassifier(n_estimators=3, max_depth=3, random_state=0), seed_fits=3)
    assert set(found) == {"accuracy", "roc_auc"}
    assert found["roc_auc"] > 0
    X, y, X_test, y_test = split()
    seeds = [0, 7919, 2 * 7919, 3 * 7919]
    scores = [
        predict_scored(
            "m",
            ExtraTreesClassifier(n_estimators=3, max_depth=3, random_state=s).fit(X, y),
            METRICS,
            X_test,
            y_test,
            notes=Notes(),
        )[0]["accuracy"]
        for s in seeds
    ]
    assert found["accuracy"] == statistics.stdev(scores)


def test_deterministic_slow_or_seedless_models_are_not_refitted_for_nothing() -> None:
    assert spread(LogisticRegression(max_iter=5000, random_state=0)) == {"accuracy": 0.0, "roc_auc": 0.0}
    assert spread(ExtraTreesClassifier(n_estimators=3, random_state=0), fit_s=50.0) == {}  # slower than the cap
    assert spread(ExtraTreesClassifier(n_estimators=3, random_state=0), seed_fits=0) == {}
    X, y, X_test, y_test = split()
    model = LinearRegression().fit(X, y)
    metrics = (to_metric("r2"),)
    first = predict_scored("m", model, metrics, X_test, y_test, notes=Notes())
    assert (
        measure_seed_spread(
            "m", model, metrics, (X, y, X_test, y_test), first=first, fit_s=0.1, settings=TrainConfig(), notes=Notes()
        )
        == {}
    )


def test_retrain_refits_even_a_seedless_model_on_resampled_rows_keeping_every_class() -> None:
    X, y, X_test, y_test = split()
    model = GaussianNB()  # deterministic on fixed rows: the spread comes from the rows
    first = predict_scored("m", model.fit(X, y), METRICS, X_test, y_test, notes=Notes())
    found = measure_seed_spread(
        "m",
        GaussianNB(),
        METRICS,
        (X, y, X_test, y_test),
        first=first,
        fit_s=0.1,
        settings=TrainConfig(seed=3),
        notes=Notes(),
        resample_max_s=5.0,
    )
    assert set(found) == {"accuracy", "roc_auc"}
    assert found["roc_auc"] > 0
    again = measure_seed_spread(
        "m",
        GaussianNB(),
        METRICS,
        (X, y, X_test, y_test),
        first=first,
        fit_s=0.1,
        settings=TrainConfig(seed=3),
        notes=Notes(),
        resample_max_s=5.0,
    )
    assert again == found  # the resamples are seeded
    slow = measure_seed_spread(
        "m",
        GaussianNB(),
        METRICS,
        (X, y, X_test, y_test),
        first=first,
        fit_s=9.0,
        settings=TrainConfig(),
        notes=Notes(),
        resample_max_s=5.0,
    )
    assert slow == {}


def test_a_resample_of_class_labels_keeps_each_class_count() -> None:
    from mlgate.training.seeds import _resample

    X = np.arange(12).reshape(6, 2)
    y = np.array(["a", "a", "a", "a", "b", "c"])
    rows, labels = _resample(X, y, seed=1)
    assert sorted(labels) == sorted(y)  # every class keeps its count, "b" and "c" included
    assert {tuple(r) for r in rows} <= {tuple(r) for r in X}
    _numbers, target = _resample(X, np.linspace(0.0, 1.0, 6), seed=1)
    assert len(target) == 6
    assert set(target) <= set(np.linspace(0.0, 1.0, 6))
