"""The demo's A/B chapter, its pure parts: the changed world's churn rule, the relabelled files, the retraining
config and the simulated labels (the chapter itself runs in tests/integration/test_cli_demo.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from mlgate.config import load_config
from mlgate.demo.abtest import PRICE_RISE, ChurnRule, relabel_file, retrained_config, write_labels
from mlgate.errors import ConfigError

HEADER = "customer_id,plan,monthly_charges,churned"
ROWS = ["C-1,basic,20.5,true", "C-2,premium,120,false", "C-3,standard,70,true", "C-4,premium,95.25,false"]


def write_csv(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_the_rule_raises_the_churn_probability_with_the_charges() -> None:
    rule = ChurnRule(pivot=70.0, slope=0.15)
    assert rule.probability(70.0) == pytest.approx(0.5)
    assert rule.probability(30.0) < 0.01 < 0.97 < rule.probability(95.0)
    assert rule.describe() == "P(churn) = 1 / (1 + exp(−0.15 × (monthly_charges − 70)))"


def test_draws_follow_the_probability_and_repeat_with_the_seed() -> None:
    charges = [90.0] * 4000  # p = 0.9526
    first = PRICE_RISE.draw(charges, np.random.default_rng(3))
    assert first == PRICE_RISE.draw(charges, np.random.default_rng(3))
    assert sum(first) / len(first) == pytest.approx(PRICE_RISE.probability(90.0), abs=0.02)
    assert not any(PRICE_RISE.draw([0.0] * 100, np.random.default_rng(3)))


def test_a_relabelled_copy_changes_the_target_only(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "train.csv", [HEADER, *ROWS])
    copy = tmp_path / "fresh" / "train.csv"
    churned = relabel_file(source, copy, target="churned", rule=ChurnRule(pivot=70.0, slope=100.0), seed=1)
    before, after = read_csv(source), read_csv(copy)
    assert [{k: v for k, v in r.items() if k != "churned"} for r in after] == [
        {k: v for k, v in r.items() if k != "churned"} for r in before
    ]
    assert [r["churned"] for r in after] == ["false", "true", after[2]["churned"], "true"]  # 70: a coin flip
    assert churned == sum(r["churned"] == "true" for r in after)
    assert source.read_text(encoding="utf-8").splitlines()[1:] == ROWS


def test_a_file_without_the_charges_is_refused(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "train.csv", ["id,churned", "1,true"])
    with pytest.raises(ConfigError, match="has no 'churned' or 'monthly_charges' column"):
        relabel_file(source, tmp_path / "out.csv", target="churned", rule=PRICE_RISE, seed=1)


def test_the_retraining_config_trains_the_live_model_only_on_the_relabelled_files(tmp_path: Path) -> None:
    write_csv(tmp_path / "data" / "train.csv", [HEADER, *ROWS])
    write_csv(tmp_path / "data" / "test.csv", [HEADER, *ROWS[:2]])
    (tmp_path / "mlgate.yaml").write_text(
        "version: 1\ntask: classification\ntarget: churned\n"
        "data: {train: data/train.csv, test: data/test.csv}\n"
        "models:\n  logistic: {estimator: sklearn.linear_model.LogisticRegression}\n"
        "  tree: {estimator: sklearn.tree.DecisionTreeClassifier}\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path / "mlgate.yaml", cwd=tmp_path, environ={})
    fresh = tmp_path / "fresh"
    retrained = retrained_config(config, "tree", fresh)
    assert list(retrained.models) == ["tree"]
    assert retrained.models["tree"] == config.models["tree"]
    assert (retrained.data.train, retrained.data.test) == (str(fresh / "train.csv"), str(fresh / "test.csv"))
    assert retrained.data.datasets == (str(fresh / "train.csv"), str(fresh / "test.csv"))
    assert retrained.data.allow_outside is True
    assert len(read_csv(fresh / "train.csv")) == 4
    assert len(read_csv(fresh / "test.csv")) == 2
    assert config.data.train is not None
    assert Path(config.data.train).read_text(encoding="utf-8").splitlines()[1:] == ROWS  # the project is untouched


def test_labels_name_each_request_and_repeat_with_the_seed(tmp_path: Path) -> None:
    rows = [{"monthly_charges": 200.0}, {"monthly_charges": 0.0}]
    answered = [{"request_id": f"r{i}", "row": i % 2, "version": "1"} for i in range(6)]
    path = write_labels(tmp_path / "labels.csv", answered, rows, target="churned")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ["request_id,churned", *(f"r{i},{'true' if i % 2 == 0 else 'false'}" for i in range(6))]
    again = write_labels(tmp_path / "again.csv", answered, rows, target="churned")
    assert again.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
