"""Feature engineering of the `engineered` model in mlgate.yaml (its estimator names `make_model` below).

mlgate's default preprocessing (one-hot encoding, scaling, imputation from the schema) runs first; the pipeline
below adds pairwise interactions of those columns. It uses scikit-learn's own classes only, so the saved model
loads with skops' default trusted types; a class of your own must be listed in mlgate.yaml's
`artifacts.trusted_types` and be importable wherever the model is served.
"""

from __future__ import annotations

{% if cookiecutter.task == "classification" -%}
from sklearn.linear_model import LogisticRegression
{%- else -%}
from sklearn.linear_model import Ridge
{%- endif %}
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler


def make_model() -> Pipeline:
    """A linear model over the features and their pairwise products (mlgate sets `random_state` when unset)."""
    return Pipeline(
        [
            ("interactions", PolynomialFeatures(degree=2, interaction_only=True, include_bias=False)),
            ("scale", StandardScaler()),
{%- if cookiecutter.task == "classification" %}
            ("model", LogisticRegression(C=0.1, max_iter=2000)),
{%- else %}
            ("model", Ridge(alpha=10.0)),
{%- endif %}
        ]
    )
