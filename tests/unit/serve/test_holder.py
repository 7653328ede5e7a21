"""mlgate.serve.holder: load fully, swap under a lock, keep the old model when a load fails."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlgate.artifacts import save_model
from mlgate.errors import InputError
from mlgate.serve.holder import ModelHolder, check_features, load_estimator
from mlgate.serve.state import LivePointer

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


class Model:
    """A stand-in estimator: predicts ``scale`` for every row; optionally records fitted feature names."""

    def __init__(self, scale: float, names: tuple[str, ...] | None = None) -> None:
        self.scale = scale
        if names is not None:
            self.feature_names_in_ = np.array(names, dtype=object)

    def predict(self, frame: pd.DataFrame) -> Any:
        return np.full(len(frame), self.scale)


def pointer(version: str, *, features: tuple[str, ...] = ("a", "b"), sha: str = "0" * 64) -> LivePointer:
    return LivePointer(
        version=version,
        model="m",
        artifact=f"/models/{version}.skops",
        sha256=sha,
        trusted_types=(),
        features=features,
        switched_at="2026-01-01T00:00:00+00:00",
    )


class Loader:
    """Returns models by version; raises what it is told to; counts calls."""

    def __init__(self, models: dict[str, Any]) -> None:
        self.models = models
        self.calls: list[str] = []

    def __call__(self, p: LivePointer) -> Any:
        self.calls.append(p.version)
        found = self.models[p.version]
        if isinstance(found, Exception):
            raise found
        return found


def test_a_new_pointer_is_loaded_then_swapped_in() -> None:
    loader = Loader({"1": Model(1.0), "2": Model(2.0)})
    holder = ModelHolder(loader=loader, clock=lambda: FIXED)
    before = holder.current  # a local: mypy would keep holder.current narrowed to None past apply()
    assert before is None
    assert holder.apply(pointer("1")) is True
    first = holder.current
    assert first is not None
    assert first.version == "1"
    assert first.features == ("a", "b")
    assert first.loaded_at == "2026-01-02T03:04:05+00:00"
    assert holder.apply(pointer("2")) is True
    assert holder.current is not None
    assert holder.current.version == "2"
    assert first.estimator.scale == 1.0  # a request holding the old snapshot still has the old model
    assert holder.status().to_document() == {
        "version": "2",
        "loading_error": None,
        "pointer_version": "2",
        "loading": False,
        "model": "m",
        "sha256": "0" * 64,
        "loaded_at": "2026-01-02T03:04:05+00:00",
    }


def test_the_same_model_is_not_reloaded() -> None:
    loader = Loader({"1": Model(1.0)})
    holder = ModelHolder(loader=loader)
    holder.apply(pointer("1"))
    later = replace(pointer("1"), switched_at="2026-06-01T00:00:00+00:00")
    assert holder.apply(later) is False
    assert loader.calls == ["1"]
    assert holder.current is not None
    assert holder.current.pointer.switched_at == "2026-06-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("failure", "match"),
    [
        (InputError("tampered artifact: x", hint="do not use it"), r"^version 2: tampered artifact: x; do not use it$"),
        (RuntimeError("boom"), r"^version 2: unexpected error loading the model: RuntimeError: boom$"),
    ],
)
def test_a_failed_load_keeps_the_old_model_and_shows_why(failure: Exception, match: str) -> None:
    holder = ModelHolder(loader=Loader({"1": Model(1.0), "2": failure}))
    holder.apply(pointer("1"))
    assert holder.apply(pointer("2")) is False
    status = holder.status()
    assert status.version == "1"
    assert status.pointer_version == "2"
    assert status.loading is False
    assert status.loading_error is not None
    assert re.match(match, status.loading_error)


def test_switching_back_clears_the_error_without_reloading() -> None:
    loader = Loader({"1": Model(1.0), "2": InputError("refused")})
    holder = ModelHolder(loader=loader)
    holder.apply(pointer("1"))
    holder.apply(pointer("2"))
    assert holder.apply(pointer("1")) is False  # the rollback pointer names what is already served
    assert holder.status().loading_error is None
    assert holder.status().pointer_version == "1"
    assert loader.calls == ["1", "2"]


def test_a_pointer_error_is_reported_and_the_model_kept() -> None:
    holder = ModelHolder(loader=Loader({"1": Model(1.0)}))
    holder.apply(pointer("1"))
    holder.report_pointer_error("live.json:1:1: not valid JSON")
    status = holder.status()
    assert (status.version, status.pointer_version, status.loading_error) == (
        "1",
        None,
        "live.json:1:1: not valid JSON",
    )


def test_features_come_from_the_pointer_or_the_model() -> None:
    assert check_features(pointer("1"), Model(1.0, names=("a", "b"))) == ("a", "b")
    assert check_features(pointer("1", features=()), Model(1.0, names=("x", "y"))) == ("x", "y")
    with pytest.raises(InputError, match=r"live\.json lists features a, b, but the model was fit on b, a"):
        check_features(pointer("1"), Model(1.0, names=("b", "a")))
    with pytest.raises(InputError, match="lists no features and the model does not record them"):
        check_features(pointer("1", features=()), Model(1.0))
    with pytest.raises(InputError, match="holds a str, which has no predict"):
        check_features(pointer("1"), "not a model")


def test_load_estimator_verifies_digest_and_trusted_types(tmp_path: Path) -> None:
    from sklearn.feature_selection import SelectKBest, f_regression
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeRegressor

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
    y = np.array([0.0, 1.0, 2.0, 3.0])
    linear = save_model(LinearRegression().fit(X, y), tmp_path / "linear.skops")
    good = replace(pointer("1"), artifact=str(linear.path), sha256=linear.sha256)
    assert load_estimator(good).predict(X) == pytest.approx(y)
    with pytest.raises(InputError, match="tampered artifact"):
        load_estimator(replace(good, sha256="f" * 64))
    tree = save_model(DecisionTreeRegressor().fit(X, y), tmp_path / "tree.skops")  # scikit-learn's own: trusted
    assert load_estimator(replace(good, artifact=str(tree.path), sha256=tree.sha256)).predict(X) == pytest.approx(y)
    picky = save_model(
        make_pipeline(SelectKBest(f_regression, k=1), LinearRegression()).fit(X, y), tmp_path / "p.skops"
    )
    untrusted = replace(pointer("2"), artifact=str(picky.path), sha256=picky.sha256)
    name = "sklearn.feature_selection._univariate_selection.f_regression"
    with pytest.raises(InputError, match=rf"types skops does not trust by default: {re.escape(name)}"):
        load_estimator(untrusted)
    trusted = replace(untrusted, trusted_types=(name,))
    assert load_estimator(trusted).predict(X) == pytest.approx(y)


def test_the_swapped_out_model_is_kept_and_a_switch_back_to_it_needs_no_load() -> None:
    loader = Loader({"1": Model(1.0), "2": Model(2.0)})
    holder = ModelHolder(loader=loader)
    holder.apply(pointer("1"))
    before = holder.previous  # a local: mypy would keep holder.previous narrowed to None past apply()
    assert before is None
    holder.apply(pointer("2"))
    assert holder.previous is not None
    assert holder.previous.version == "1"
    assert holder.apply(replace(pointer("1"), switched_at="2026-01-02T00:00:00+00:00")) is True
    assert holder.current is not None
    assert (holder.current.version, holder.previous.version) == ("1", "2")
    assert holder.current.pointer.switched_at == "2026-01-02T00:00:00+00:00"
    assert loader.calls == ["1", "2"]  # version 1 was not read again
