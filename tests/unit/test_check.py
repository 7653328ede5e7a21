"""``mlgate.check``: which models of the PR are refitted with other seeds."""

from __future__ import annotations

from pathlib import Path

from mlgate.baseline.resolve import Baseline
from mlgate.check import find_measured_spread
from mlgate.config import load_config
from mlgate.results import Evaluation, ModelResult, ResultSet, read_results, write_results

FOREST = "sklearn.ensemble.RandomForestClassifier"
CONFIG = f"""\
data: {{train: data/train.csv}}
models:
  forest: {{estimator: {FOREST}}}
  boosted: {{estimator: sklearn.ensemble.HistGradientBoostingClassifier}}
  logistic: {{estimator: sklearn.linear_model.LogisticRegression}}
"""


def baseline_with(folder: Path, models: dict[str, tuple[str, dict[str, float]]], source: str = "cache") -> Baseline:
    results = ResultSet(
        models={
            name: ModelResult(name=name, estimator=estimator, params={}, metrics={"accuracy": 0.9}, seed_sd=sd)
            for name, (estimator, sd) in models.items()
        },
        task="classification",
        primary="accuracy",
        evaluation=Evaluation(kind="holdout", train_rows=100, test_rows=50, data_sha256="0" * 64),
    )
    folder.mkdir()
    write_results(folder, results)
    return Baseline(commit="a" * 40, source=source, folder=folder, reason="cached")  # type: ignore[arg-type]


def test_a_model_whose_spread_the_baseline_measured_is_not_refitted(tmp_path: Path) -> None:
    (tmp_path / "mlgate.yaml").write_text(CONFIG)
    config = load_config(cwd=tmp_path, environ={})
    baseline = baseline_with(
        tmp_path / "base",
        {
            "forest": (FOREST, {"accuracy": 0.01}),  # measured: borrowed
            "boosted": ("sklearn.ensemble.RandomForestClassifier", {"accuracy": 0.01}),  # the PR changed the estimator
            "logistic": ("sklearn.linear_model.LogisticRegression", {}),  # no spread recorded (an older mlgate)
            "gone": (FOREST, {"accuracy": 0.02}),  # not in the PR's config
        },
    )
    assert find_measured_spread(config, baseline, read_results(tmp_path / "base")) == {"forest"}


def test_without_baseline_results_or_on_the_same_commit_every_model_is_measured(tmp_path: Path) -> None:
    (tmp_path / "mlgate.yaml").write_text(CONFIG)
    config = load_config(cwd=tmp_path, environ={})
    assert find_measured_spread(config, Baseline(None, "none", None, "no git"), None) == frozenset()
    itself = baseline_with(tmp_path / "self", {"forest": (FOREST, {"accuracy": 0.01})}, source="self")
    assert find_measured_spread(config, itself, read_results(tmp_path / "self")) == frozenset()
