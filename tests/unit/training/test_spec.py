"""Candidate specs: import paths, params checked by name, seeds, params as plain JSON data."""

from __future__ import annotations

import json
import math
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from mlgate.config import ModelConfig
from mlgate.errors import ConfigError
from mlgate.training.spec import (
    build_estimator,
    check_model_name,
    distributions,
    plain_params,
    plain_value,
    project_paths,
    resolve_object,
)


def test_class_path() -> None:
    from sklearn.linear_model import LogisticRegression

    assert resolve_object("m", "sklearn.linear_model.LogisticRegression") is LogisticRegression


@pytest.fixture
def factory_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    package = tmp_path / "h1_spec_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "factories.py").write_text(
        textwrap.dedent("""
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler


        def forest():
            return Pipeline([("scale", StandardScaler()), ("model", RandomForestClassifier(n_estimators=5))])


        def needs_arguments(depth):
            return RandomForestClassifier(max_depth=depth)


        def not_an_estimator():
            return [1, 2, 3]


        class Holder:
            @staticmethod
            def make():
                return RandomForestClassifier(random_state=42)
    """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for cached in ("h1_spec_pkg", "h1_spec_pkg.factories"):  # each test imports its own copy (its own tmp_path)
        monkeypatch.delitem(sys.modules, cached, raising=False)
    return "h1_spec_pkg.factories"


def test_factory_with_nested_params_and_seed(factory_package: str, tmp_path: Path) -> None:
    model = ModelConfig(estimator=f"{factory_package}:forest", params={"model__max_depth": 3})
    estimator = build_estimator("f", model, seed=11)
    assert estimator.get_params()["model__max_depth"] == 3
    assert estimator.get_params()["model__random_state"] == 11


def test_seed_never_overrides_a_set_value(factory_package: str, tmp_path: Path) -> None:
    estimator = build_estimator("h", ModelConfig(estimator=f"{factory_package}:Holder.make"), seed=1)
    assert estimator.random_state == 42
    mine = ModelConfig(estimator="sklearn.tree.DecisionTreeClassifier", params={"random_state": None})
    assert build_estimator("t", mine, seed=1).random_state is None  # the user asked for None


@pytest.mark.parametrize(
    ("path", "message", "hint"),
    [
        (
            "sklearn.ensembl.RandomForestClassifier",
            r"cannot import module 'sklearn\.ensembl'",
            "did you mean 'sklearn.ensemble'?",
        ),
        ("sklearnx.Foo", r"cannot import module 'sklearnx'", "install the package that provides 'sklearnx'"),
        (
            "sklearn.ensemble.RandomForestClasifier",
            "has no attribute 'RandomForestClasifier'",
            "did you mean 'RandomForestClassifier'?",
        ),
        ("LogisticRegression", "names no module", "write package.module.Class"),
        ("sklearn linear", "is not an import path", "write package.module.Class or package.module:factory"),
    ],
)
def test_bad_paths_name_the_model_and_the_fix(path: str, message: str, hint: str) -> None:
    with pytest.raises(ConfigError, match=f"model 'm': estimator .*{message}") as caught:
        resolve_object("m", path)
    assert caught.value.hint is not None
    assert hint in caught.value.hint


def test_bad_param_name_suggests_the_closest() -> None:
    model = ModelConfig(estimator="sklearn.ensemble.RandomForestClassifier", params={"n_estimator": 5})
    with pytest.raises(
        ConfigError, match=r"model 'rf': RandomForestClassifier has no parameter 'n_estimator'"
    ) as caught:
        build_estimator("rf", model, seed=0)
    assert caught.value.hint == "did you mean 'n_estimators'?"


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        (":needs_arguments", "without arguments failed: TypeError"),
        (":not_an_estimator", "gave a list, not a scikit-learn estimator"),
    ],
)
def test_factories_must_return_estimators(factory_package: str, tmp_path: Path, attribute: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_estimator("f", ModelConfig(estimator=factory_package + attribute), seed=0)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("sys:exit", r"estimator 'sys:exit' is a built-in function, not an estimator class or a factory function"),
        ("sys.exit", r"estimator 'sys\.exit' is a built-in function"),
        ("builtins:breakpoint", r"estimator 'builtins:breakpoint' is a built-in function"),
        ("os.system", r"estimator 'os\.system' is a built-in function"),
        ("os:getcwd", r"estimator 'os:getcwd' is a built-in function"),
        ("shutil:rmtree", r"estimator 'shutil:rmtree' is a function of \S+shutil\.py, not of the project's own code"),
        (
            "subprocess.Popen",
            r"estimator 'subprocess\.Popen' is the class subprocess\.Popen, not a scikit-learn estimator \(it has no fit, get_params",
        ),
        (
            "sklearn.pipeline:make_pipeline",
            r"estimator 'sklearn\.pipeline:make_pipeline' is a function of \S+site-packages\S+, not of the project's own code",
        ),
        ("math.pi", r"estimator 'math\.pi' is a float, not an estimator class"),
    ],
)
def test_a_path_that_names_no_estimator_is_refused_before_it_is_called(tmp_path: Path, path: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"model 'x': {message}") as caught:  # sys.exit would raise SystemExit
        build_estimator("x", ModelConfig(estimator=path), seed=0)
    assert "factory function in your project" in (caught.value.hint or "")


def test_a_factory_in_a_site_packages_folder_of_the_project_is_not_the_projects_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendored = tmp_path / ".venv" / "lib" / "site-packages"
    vendored.mkdir(parents=True)
    (vendored / "h16_vendored.py").write_text("def make():\n    raise SystemExit(9)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(vendored))
    with pytest.raises(ConfigError, match=r"site-packages/h16_vendored\.py, not of the project's own code"):
        build_estimator("x", ModelConfig(estimator="h16_vendored:make"), seed=0)


def test_model_names_must_be_folder_names() -> None:
    check_model_name("random_forest-v2.1")
    for bad in ("../x", ".hidden", "a/b", "", ".."):
        with pytest.raises(ConfigError, match="cannot be used as a folder name"):
            check_model_name(bad)


def test_params_are_plain_json() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    pipeline = Pipeline([("encode", OneHotEncoder(dtype=np.float32)), ("model", LogisticRegression(C=np.float64(2)))])
    data = plain_params(pipeline)
    json.dumps(data, allow_nan=False)
    assert data["steps"][0] == [
        "encode",
        {"class": "sklearn.preprocessing._encoders.OneHotEncoder", "params": data["steps"][0][1]["params"]},
    ]
    assert data["steps"][0][1]["params"]["dtype"] == "numpy.float32"
    assert data["steps"][1][1]["params"]["C"] == 2.0
    assert plain_value(math.nan) == "nan"
    assert plain_value({"b", "a"}) == ["a", "b"]
    assert plain_value(np.int64(3)) == 3


def test_project_paths_put_the_config_folder_on_sys_path(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with project_paths(tmp_path):
        assert sys.path[:2] == [str(tmp_path / "src"), str(tmp_path)]
    assert str(tmp_path) not in sys.path


def test_distributions_are_top_level_modules() -> None:
    assert distributions(["sklearn.svm.SVC", "xgboost.XGBClassifier", "pkg.mod:make"]) == {"sklearn", "xgboost", "pkg"}
