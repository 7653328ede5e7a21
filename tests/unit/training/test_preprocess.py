"""The default preprocessing: columns sorted by schema type, imputers, scaling only where it matters."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mlgate.data.schema import parse_schema
from mlgate.training.preprocess import MAX_CATEGORIES, build_pipeline, classify_columns, describe, needs_scaling

SCHEMA = parse_schema(
    {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"unique": True}},
            {"name": "n", "type": "number"},
            {"name": "d", "type": "date"},
            {"name": "color", "type": "string", "constraints": {"enum": ["red", "blue"]}},
            {"name": "flag", "type": "boolean"},
            {"name": "city", "type": "string"},
            {"name": "note", "type": "string"},
            {"name": "empty", "type": "integer"},
        ],
    }
)
FEATURES = ("id", "n", "d", "color", "flag", "city", "note", "empty")


def _frame(rows: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    column = lambda values: pd.Series(values, dtype=object)  # noqa: E731
    return pd.DataFrame(
        {
            "id": column([f"r{i}" for i in range(rows)]),
            "n": rng.normal(size=rows),
            "d": rng.integers(19000, 19500, size=rows).astype(float),
            "color": column([["red", "blue"][i % 2] if i % 7 else np.nan for i in range(rows)]),
            "flag": rng.integers(0, 2, size=rows).astype(float),
            "city": column([f"c{i % 4}" for i in range(rows)]),
            "note": column([f"free text {i}" for i in range(rows)]),
            "empty": np.full(rows, np.nan),
        }
    )


def test_columns_are_sorted_by_schema_type_and_training_values() -> None:
    columns = classify_columns(SCHEMA, FEATURES, _frame())
    assert columns.numeric == ("n", "d")
    assert columns.categorical == ("color", "flag", "city")
    assert set(columns.dropped) == {"id", "note", "empty"}
    assert columns.dropped["note"].startswith(f"more than {MAX_CATEGORIES} distinct strings")
    assert "feature 'id' dropped: an identifier (unique or primary key)" in describe(columns)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("sklearn.linear_model.LogisticRegression", True),
        ("sklearn.svm.SVC", True),
        ("sklearn.neighbors.KNeighborsClassifier", True),
        ("sklearn.neural_network.MLPClassifier", True),
        ("sklearn.ensemble.RandomForestClassifier", False),
        ("sklearn.ensemble.HistGradientBoostingClassifier", False),
        ("sklearn.tree.DecisionTreeClassifier", False),
    ],
)
def test_scale_sensitive_estimators(path: str, expected: bool) -> None:
    import importlib

    module, name = path.rsplit(".", 1)
    assert needs_scaling(getattr(importlib.import_module(module), name)()) is expected


def test_pipeline_final_step_decides_scaling() -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import SVC

    assert needs_scaling(Pipeline([("f", FunctionTransformer()), ("svm", SVC())]))


def test_pipeline_fits_and_ignores_unseen_categories() -> None:
    from sklearn.linear_model import LogisticRegression

    X = _frame()
    y = (X["n"] > 0).to_numpy()
    columns = classify_columns(SCHEMA, FEATURES, X)
    pipeline = build_pipeline(LogisticRegression(), columns)
    assert [name for name, _ in pipeline.steps] == ["preprocess", "model"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipeline.fit(X, y)
        unseen = X.head(3).copy()
        unseen["color"] = pd.Series(["purple", np.nan, "red"], dtype=object)
        unseen["city"] = pd.Series(["atlantis"] * 3, dtype=object)
        assert len(pipeline.predict(unseen)) == 3
    assert pipeline.score(X, y) > 0.9
    numeric = pipeline.named_steps["preprocess"].transformers[0][1]
    assert [name for name, _ in numeric.steps] == ["impute", "scale"]


def test_trees_get_no_scaler() -> None:
    from sklearn.tree import DecisionTreeClassifier

    pipeline = build_pipeline(DecisionTreeClassifier(), classify_columns(SCHEMA, FEATURES, _frame()))
    numeric = pipeline.named_steps["preprocess"].transformers[0][1]
    assert [name for name, _ in numeric.steps] == ["impute"]
