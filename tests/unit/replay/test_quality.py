"""The labelled comparison: which metric, the paired test, and labels that match nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mlgate.config import Config, MetricsConfig
from mlgate.errors import ConfigError, InputError
from mlgate.replay.quality import choose_metric, compare_quality
from unit.registry.helpers import version

IDS = [f"r{i}" for i in range(200)]


def labels_file(folder: Path, values: Sequence[object]) -> Path:
    path = folder / "labels.csv"
    path.write_text("request_id,y\n" + "".join(f"r{i},{v}\n" for i, v in enumerate(values)), encoding="utf-8")
    return path


def config(primary: str | None, task: str) -> Config:
    return dataclasses.replace(Config(), target="y", task=task, metrics=MetricsConfig(primary=primary))  # type: ignore[arg-type]


def test_regression_uses_the_primary_metric_and_the_paired_test(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    truth = rng.normal(size=200)
    live = list(truth + rng.normal(scale=1.0, size=200))
    better = list(truth + rng.normal(scale=0.2, size=200))
    path = labels_file(tmp_path, [float(v) for v in truth])
    found = compare_quality(config("r2", "regression"), version("ab" * 32), path, IDS, [0] * 200, live, better, True)
    assert (found.metric, found.direction, found.n, found.unmatched) == ("r2", "higher", 200, 0)
    assert found.replayed > found.live
    assert found.low > 0


def test_a_score_metric_falls_back_to_accuracy_on_answers(tmp_path: Path) -> None:
    truth = ["yes", "no"] * 100
    path = labels_file(tmp_path, truth)
    cfg = config("roc_auc", "classification")
    found = compare_quality(cfg, version("ab" * 32), path, IDS, [0] * 200, ["yes"] * 200, truth, False)
    assert (found.metric, found.method) == ("accuracy", "McNemar (exact)")
    assert (found.live, found.replayed) == (0.5, 1.0)
    assert (
        choose_metric(config("f1_macro", "classification"), regression=False, sample=(np.array(truth), np.array(truth)))
        == "f1_macro"
    )


def test_labels_that_match_no_row_and_no_target_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("request_id,y\nother-1,yes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"none of its 1 label\(s\) matches a replayed row"):
        compare_quality(
            config(None, "classification"), version("ab" * 32), path, IDS, [0] * 200, ["a"] * 200, ["a"] * 200, False
        )
    no_target = dataclasses.replace(config(None, "classification"), target=None)
    with pytest.raises(ConfigError, match="--labels needs the target column's name"):
        compare_quality(no_target, version("ab" * 32), path, IDS, [0] * 200, ["a"] * 200, ["a"] * 200, False)
