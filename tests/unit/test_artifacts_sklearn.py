"""The scikit-learn types mlgate trusts by default, checked against every estimator scikit-learn ships.

Every estimator of ``sklearn.utils.all_estimators()`` that can be built (meta-estimators get a small inner
estimator) and fitted on tiny data is saved with skops, plus variants whose parameters bring other types
(tree algorithms and metrics, kernels, solvers, losses). Each type skops then reports as untrusted must be
either in ``mlgate.artifacts.SKLEARN_TRUSTED`` (scikit-learn's own data types, trusted by default) or in
``EXCLUDED`` below, with the reason it stays opt-in. Every curated type must have shown up here: the list
holds what evidence asked for, nothing more. And a model needing only curated types loads with no
``artifacts.trusted_types`` at all.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mlgate.artifacts import BUILTIN_TRUSTED, SKLEARN_TRUSTED, import_skops, load_model, save_model
from mlgate.errors import InputError

pytestmark = pytest.mark.slow

_FUNCTION = (
    "a function reference: trusting its name would let a crafted file put that callable wherever a model calls one"
)
_SCIPY = "a scipy type, not scikit-learn's own: third-party types stay opt-in"
EXCLUDED: dict[str, str] = {
    "numpy.mean": _FUNCTION,  # FeatureAgglomeration(pooling_func)
    "scipy._lib.array_api_compat.numpy._aliases.asarray": _FUNCTION,  # inside SplineTransformer's BSpline
    "scipy.interpolate._bsplines.BSpline": _SCIPY,  # SplineTransformer
    "scipy.sparse._csr.csr_matrix": _SCIPY,  # SpectralEmbedding.affinity_matrix_
    "sklearn.cluster._kmeans._kmeans_single_elkan": _FUNCTION,  # BisectingKMeans(algorithm="elkan")
    "sklearn.cluster._kmeans._kmeans_single_lloyd": _FUNCTION,  # BisectingKMeans
    "sklearn.feature_selection._univariate_selection.f_classif": _FUNCTION,  # SelectKBest & co. (score_func)
    "sklearn.feature_selection._univariate_selection.f_regression": _FUNCTION,
    "sklearn.metrics._classification.balanced_accuracy_score": _FUNCTION,  # TunedThresholdClassifierCV's scorer
}
SKIPPED: dict[str, str] = {
    "Birch": "skops cannot save it (UnsupportedTypeException)",
    "GridSearchCV": "needs a parameter grid; the model it fits is another estimator of this sweep",
    "RandomizedSearchCV": "needs parameter distributions; the model it fits is another estimator of this sweep",
    "FrozenEstimator": "wraps an estimator fitted elsewhere, and holds nothing else",
    "CountVectorizer": "text input; fitted, it holds a vocabulary of strings and ints",
    "HashingVectorizer": "text input; stateless",
    "TfidfVectorizer": "text input; fitted, it holds a vocabulary and numbers",
    "DictVectorizer": "dict input; fitted, it holds feature names and ints",
    "FeatureHasher": "dict or text input; stateless",
    "GaussianRandomProjection": "n_components='auto' needs thousands of features: a variant sets 2",
    "SparseRandomProjection": "n_components='auto' needs thousands of features: a variant sets 2",
    "SelfTrainingClassifier": "its estimator is optional yet needed: a variant passes one",
}

RNG = np.random.RandomState(0)
X = RNG.rand(40, 4) + 0.1  # positive, for chi2, NMF and the like
Y_CLASSES = np.array([0, 1, 2, 1] * 10)
Y_BINARY = np.array([0, 1] * 20)
Y_VALUES = RNG.rand(40) + 0.1
Y_TWO = np.column_stack([Y_VALUES, Y_VALUES[::-1]])


def inner(regression: bool) -> dict[str, Any]:
    """The arguments meta-estimators require, built small."""
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    one = Ridge() if regression else LogisticRegression()
    two = DecisionTreeRegressor(max_depth=2) if regression else DecisionTreeClassifier(max_depth=2)
    return {
        "estimator": one,
        "estimators": [("one", one), ("two", two)],
        "transformers": [("scale", StandardScaler(), [0, 1])],
        "transformer_list": [("pca", PCA(2)), ("scale", StandardScaler())],
        "steps": [("scale", StandardScaler()), ("model", one)],
        "dictionary": RNG.rand(3, 4),
    }


def list_estimators() -> Iterator[tuple[str, Any]]:
    """(name, unfitted estimator) for every estimator scikit-learn ships that can be built, then variants."""
    from sklearn.utils import all_estimators

    regressors = {cls for _, cls in all_estimators(type_filter="regressor")}
    for name, cls in all_estimators():
        if name in SKIPPED:
            continue
        params = inspect.signature(cls).parameters.values()
        required = [
            p.name for p in params if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD
        ]
        arguments = inner(cls in regressors)
        estimator = cls(**{key: arguments[key] for key in required})
        if "random_state" in estimator.get_params(deep=False):
            estimator.set_params(random_state=0)  # the same types on every run
        yield name, estimator
    yield from list_variants()


def list_variants() -> Iterator[tuple[str, Any]]:
    """Estimators whose parameters bring types the defaults do not."""
    from sklearn import gaussian_process as gp
    from sklearn.cluster import BisectingKMeans
    from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingRegressor
    from sklearn.feature_selection import SelectKBest, f_regression
    from sklearn.linear_model import LogisticRegression, TweedieRegressor
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.neural_network import MLPClassifier
    from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection
    from sklearn.semi_supervised import SelfTrainingClassifier

    kernels = gp.kernels
    for metric, options in [
        ("euclidean", {}),
        ("manhattan", {}),
        ("chebyshev", {}),
        ("minkowski", {"p": 3}),
        ("seuclidean", {"V": np.ones(4)}),
        ("mahalanobis", {"VI": np.eye(4)}),
        ("hamming", {}),
        ("canberra", {}),
        ("braycurtis", {}),
        ("jaccard", {}),
        ("dice", {}),
        ("rogerstanimoto", {}),
        ("russellrao", {}),
        ("sokalmichener", {}),
        ("sokalsneath", {}),
    ]:
        yield (
            f"KNeighborsClassifier(ball_tree, {metric})",
            KNeighborsClassifier(algorithm="ball_tree", metric=metric, metric_params=options or None),
        )
    haversine = KNeighborsRegressor(algorithm="ball_tree", metric="haversine")
    yield "KNeighborsRegressor(ball_tree, haversine)", _On(haversine, X[:, :2], Y_VALUES)  # latitude, longitude
    labels = np.column_stack([Y_BINARY, np.zeros(40, dtype=int)])  # a label no row has: a constant predictor
    yield "OneVsRestClassifier(multilabel)", _On(OneVsRestClassifier(LogisticRegression()), X, labels)
    for kernel in [
        kernels.Matern(),
        kernels.RationalQuadratic(),
        kernels.DotProduct() + kernels.WhiteKernel(),
        kernels.RBF() ** 2,
        kernels.PairwiseKernel(metric="laplacian"),
    ]:
        yield f"GaussianProcessRegressor({kernel})", gp.GaussianProcessRegressor(kernel=kernel)
    yield "GaussianProcessClassifier(one_vs_rest)", gp.GaussianProcessClassifier(multi_class="one_vs_rest")
    yield "MLPClassifier(sgd)", MLPClassifier(solver="sgd", max_iter=20)
    yield "TweedieRegressor(power=1.5)", TweedieRegressor(power=1.5)
    for loss in ("absolute_error", "gamma", "poisson", "quantile"):
        yield (
            f"HistGradientBoostingRegressor({loss})",
            HistGradientBoostingRegressor(loss=loss, quantile=0.5, max_iter=3),
        )
    for loss in ("huber", "quantile", "absolute_error"):
        yield f"GradientBoostingRegressor({loss})", GradientBoostingRegressor(loss=loss, n_estimators=3)
    yield "BisectingKMeans(elkan)", BisectingKMeans(algorithm="elkan", n_clusters=3)
    yield "SelectKBest(f_regression)", SelectKBest(f_regression, k=2)
    yield "GaussianRandomProjection(2)", GaussianRandomProjection(n_components=2)
    yield "SparseRandomProjection(2)", SparseRandomProjection(n_components=2)
    yield "SelfTrainingClassifier(LogisticRegression)", SelfTrainingClassifier(LogisticRegression())


class _On:
    """An estimator with the data it must be fitted on."""

    def __init__(self, estimator: Any, data: Any, target: Any) -> None:
        self.estimator, self.data, self.target = estimator, data, target


def fit(estimator: Any) -> Any:
    """Fit on the first tiny dataset the estimator accepts (raises the last error if none)."""
    from sklearn.base import clone, is_classifier, is_regressor

    if isinstance(estimator, _On):
        return clone(estimator.estimator).fit(estimator.data, estimator.target)
    attempts: list[tuple[Any, Any]]
    if is_classifier(estimator):
        attempts = [(X, Y_CLASSES), (X, Y_BINARY), (X, np.column_stack([Y_BINARY, Y_BINARY[::-1]]))]
    elif is_regressor(estimator):
        attempts = [(X, Y_VALUES), (X, Y_TWO), (X[:, 0], Y_VALUES)]
    else:  # transformers, clusterers, outlier detectors, label encoders, kernel centerers
        attempts = [
            (X, None),
            (X, Y_CLASSES),
            (X, Y_VALUES),
            (X, Y_TWO),
            (Y_CLASSES, None),
            (np.column_stack([Y_BINARY, Y_BINARY[::-1]]), None),
            (X @ X.T, None),
        ]
    failure: Exception | None = None
    for data, target in attempts:
        try:
            return clone(estimator).fit(data) if target is None else clone(estimator).fit(data, target)
        except Exception as exc:  # noqa: BLE001 - the next shape of data may suit it
            failure = exc
    assert failure is not None
    raise failure


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, ...]]:
    """{estimator name: the untrusted types skops reports for it, fitted and saved}.

    Each model that needs a curated type and nothing beyond mlgate's defaults is also loaded back through
    ``load_model`` with no ``trusted_types``: the list must be enough to load it, not just to pass the check.
    """
    sio = import_skops()
    found: dict[str, tuple[str, ...]] = {}
    unfit: dict[str, str] = {}
    unloadable: dict[str, str] = {}
    path = tmp_path_factory.mktemp("sweep") / "model.skops"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and tiny-data warnings say nothing about types
        for name, estimator in list_estimators():
            try:
                fitted = fit(estimator)
            except Exception as exc:  # noqa: BLE001 - collected and asserted on below
                unfit[name] = f"{type(exc).__name__}: {exc}"
                continue
            data = sio.dumps(fitted)
            found[name] = tuple(sio.get_untrusted_types(data=data))
            if set(found[name]) & set(SKLEARN_TRUSTED) and set(found[name]) <= set(BUILTIN_TRUSTED):
                path.write_bytes(data)
                try:
                    load_model(path, sha256=hashlib.sha256(data).hexdigest(), trusted=())
                except InputError as exc:
                    unloadable[name] = str(exc)
    assert unfit == {}, "estimators that could not be fitted on tiny data: add a shape of data or a reason to skip"
    assert unloadable == {}
    return found


def test_every_untrusted_type_is_curated_or_excluded_with_a_reason(sweep: dict[str, tuple[str, ...]]) -> None:
    assert len(sweep) > 200  # all of scikit-learn, not a handful
    allowed = {*BUILTIN_TRUSTED, *EXCLUDED}
    unexplained = {t: name for name, types in sweep.items() for t in types if t not in allowed}
    assert unexplained == {}, "add each to SKLEARN_TRUSTED (scikit-learn data) or to EXCLUDED with a reason"


def test_every_curated_type_was_seen_and_is_a_scikit_learn_class(sweep: dict[str, tuple[str, ...]]) -> None:
    seen = {t for types in sweep.values() for t in types}
    assert set(SKLEARN_TRUSTED) - seen == set()
    assert len(set(SKLEARN_TRUSTED)) == len(SKLEARN_TRUSTED)
    for name in SKLEARN_TRUSTED:
        module, _, attribute = name.rpartition(".")
        assert module.startswith("sklearn.")
        assert inspect.isclass(getattr(importlib.import_module(module), attribute)), name


def test_exclusions_are_what_their_reason_says(sweep: dict[str, tuple[str, ...]]) -> None:
    seen = {t for types in sweep.values() for t in types}
    assert set(EXCLUDED) - seen == set()  # no stale entries
    for name, reason in EXCLUDED.items():
        module, _, attribute = name.rpartition(".")
        found: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
        assert not set(SKLEARN_TRUSTED) & {name}
        if reason == _FUNCTION:
            assert callable(found)
            assert not inspect.isclass(found), name
        else:
            assert inspect.isclass(found)
            assert not name.startswith("sklearn."), name


@pytest.mark.parametrize(
    ("make", "params"),
    [
        ("sklearn.ensemble:RandomForestClassifier", {"n_estimators": 5}),
        ("sklearn.ensemble:HistGradientBoostingClassifier", {"max_iter": 5}),
        ("sklearn.neighbors:KNeighborsClassifier", {"algorithm": "ball_tree", "metric": "manhattan"}),
        ("sklearn.neural_network:MLPClassifier", {"max_iter": 20}),
    ],
)
def test_models_needing_only_curated_types_predict_alike_after_loading(
    tmp_path: Path, make: str, params: dict[str, Any]
) -> None:
    module, _, name = make.partition(":")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = fit(getattr(importlib.import_module(module), name)(**params))
    saved = save_model(fitted, tmp_path / "model.skops", trusted=())  # refused before writing if it needed any
    assert saved.untrusted == ()
    loaded = load_model(saved.path, sha256=saved.sha256, trusted=())
    assert loaded.predict(X).tolist() == fitted.predict(X).tolist()
