"""The default preprocessing pipeline, built from the schema so that users write no code.

For ``preprocess: auto`` (the default) a model becomes ``Pipeline([("preprocess", ColumnTransformer),
("model", estimator)])``. Per feature, by schema type (see the feature frame in dataset.py):

- ``integer``, ``number``, ``year``, ``date``, ``datetime``, ``time``: ``SimpleImputer(strategy="median")``,
  then ``StandardScaler`` when the estimator is scale-sensitive (linear models, SVMs, nearest neighbours,
  neural networks, kernel ridge, Gaussian processes), never for trees and boosting;
- ``boolean``; ``string`` with an ``enum`` constraint; other ``string``/``any`` fields with at most
  ``MAX_CATEGORIES`` distinct values in the training rows: ``SimpleImputer(strategy="most_frequent")`` +
  ``OneHotEncoder(handle_unknown="ignore")``;
- dropped, with a note: strings that are unique or in the primary key (identifiers), strings with more
  distinct values, and columns with no value at all in the training rows.

For ``preprocess: none`` the estimator (typically the user's own Pipeline) gets the feature frame as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.data.schema import Field, Schema

if TYPE_CHECKING:
    import pandas as pd

MAX_CATEGORIES = 50
SCALE_SENSITIVE = (
    "sklearn.linear_model",
    "sklearn.svm",
    "sklearn.neighbors",
    "sklearn.neural_network",
    "sklearn.kernel_ridge",
    "sklearn.gaussian_process",
)
_NUMERIC = ("integer", "number", "year", "date", "datetime", "time")


@dataclass(frozen=True)
class Columns:
    """Which features are treated as numbers, which as categories, and which are dropped (and why)."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    dropped: dict[str, str]


def needs_scaling(estimator: Any) -> bool:
    """Whether the (final step of the) estimator is sensitive to feature scale."""
    steps = getattr(estimator, "steps", None)
    final = steps[-1][1] if steps else estimator
    module = type(final).__module__
    return any(module == prefix or module.startswith(prefix + ".") for prefix in SCALE_SENSITIVE)


def classify_columns(schema: Schema, features: Sequence[str], X: pd.DataFrame) -> Columns:
    """Sort features into numeric, categorical and dropped, from their schema fields and the training rows."""
    numeric: list[str] = []
    categorical: list[str] = []
    dropped: dict[str, str] = {}
    for name in features:
        field = schema.get(name)
        assert field is not None
        column = X[name]
        if column.isna().all():
            dropped[name] = "no values in the training rows"
        elif field.type in _NUMERIC:
            numeric.append(name)
        elif field.type == "boolean" or (field.type == "string" and field.constraints.enum):
            categorical.append(name)
        elif _is_identifier(field, schema):
            dropped[name] = "an identifier (unique or primary key)"
        elif column.nunique(dropna=True) > MAX_CATEGORIES:
            dropped[name] = f"more than {MAX_CATEGORIES} distinct strings (encode it yourself: preprocess: none)"
        else:
            categorical.append(name)
    return Columns(numeric=tuple(numeric), categorical=tuple(categorical), dropped=dropped)


def _is_identifier(field: Field, schema: Schema) -> bool:
    return field.constraints.unique or schema.primary_key == (field.name,)


def build_pipeline(estimator: Any, columns: Columns) -> Any:
    """``Pipeline([("preprocess", ColumnTransformer(...)), ("model", estimator)])``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric_steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
    if needs_scaling(estimator):
        numeric_steps.append(("scale", StandardScaler()))
    transformers: list[tuple[str, Any, list[str]]] = []
    if columns.numeric:
        transformers.append(("numeric", Pipeline(numeric_steps), list(columns.numeric)))
    if columns.categorical:
        encode = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        transformers.append(("categorical", encode, list(columns.categorical)))
    return Pipeline([("preprocess", ColumnTransformer(transformers, remainder="drop")), ("model", estimator)])


def describe(columns: Columns) -> list[str]:
    """One note per dropped feature, for progress output and the manifest."""
    return [f"feature '{name}' dropped: {why}" for name, why in columns.dropped.items()]
