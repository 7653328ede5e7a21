"""The demo's pull request: a real parameter change in mlgate.yaml, comments kept, and its git history."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlgate.demo.repo import (
    ParamChange,
    apply_param_change,
    commit_all,
    open_repo,
    plan_param_change,
    start_repository,
)
from mlgate.errors import InputError

CONFIG = """\
# the models
models:
  logistic:
    estimator: sklearn.linear_model.LogisticRegression
    params: {C: 1.0, max_iter: 1000}   # keep this comment
  forest:
    estimator: sklearn.ensemble.RandomForestClassifier
    params: {n_estimators: 50, max_depth: 6}
"""


def test_plan_divides_the_first_float_by_ten() -> None:
    change = plan_param_change(yaml.safe_load(CONFIG))
    assert change == ParamChange("logistic", "C", 1.0, 0.1)
    assert change.describe() == "models.logistic.params.C: 1.0 → 0.1"


def test_plan_halves_integers_and_skips_seeds_and_flags() -> None:
    document = {"models": {"a": {"params": {"random_state": 4, "warm_start": True, "n_estimators": 50}}}}
    assert plan_param_change(document) == ParamChange("a", "n_estimators", 50, 25)


def test_plan_without_a_numeric_parameter_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no numeric model parameter"):
        plan_param_change({"models": {"a": {"estimator": "x"}}})


def test_apply_changes_only_that_value_and_keeps_the_comments() -> None:
    updated = apply_param_change(CONFIG, ParamChange("forest", "max_depth", 6, 3))
    assert updated == CONFIG.replace("max_depth: 6", "max_depth: 3")
    updated = apply_param_change(CONFIG, ParamChange("logistic", "C", 1.0, 0.1))
    assert "params: {C: 0.1, max_iter: 1000}   # keep this comment" in updated


def test_apply_refuses_when_the_value_is_not_where_it_should_be() -> None:
    with pytest.raises(InputError, match="could not change"):
        apply_param_change(CONFIG, ParamChange("forest", "max_depth", 7, 3))


def test_commits_use_the_demo_identity(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\n", encoding="utf-8")
    git = open_repo(tmp_path, {"PATH": __import__("os").environ["PATH"]})
    first = start_repository(git)
    (tmp_path / "a.txt").write_text("two\n", encoding="utf-8")
    second = commit_all(git, "change")
    assert first != second
    assert git.output("log", "--format=%an <%ae> %s", "-1") == "mlgate demo <demo@mlgate.invalid> change"
    assert git.output("rev-parse", "--abbrev-ref", "HEAD") == "main"
