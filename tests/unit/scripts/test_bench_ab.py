"""scripts/bench_ab.py: experiments decided by decide_ab after every batch, the rates and the alpha check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlgate.config import AbConfig
from unit.scripts.scripts import load_script

bench = load_script("bench_ab")


def test_an_experiment_promotes_a_much_better_challenger_at_the_first_look() -> None:
    champion, challenger = np.array([0.0] * 50 + [1.0] * 50), np.array([1.0] * 99 + [0.0])
    outcome = bench.run_experiment(champion, challenger, AbConfig(), "accuracy", 25, np.random.default_rng(0))
    assert outcome == bench.Outcome("promote", 200)


def test_an_experiment_of_equal_arms_runs_to_max_labels() -> None:
    population = np.array([1.0] * 9 + [0.0])
    settings = AbConfig(max_labels=300)
    outcome = bench.run_experiment(population, population, settings, "accuracy", 25, np.random.default_rng(1))
    assert outcome == bench.Outcome("stop-max", 300)


def test_rates_and_the_check_against_alpha() -> None:
    populations = bench.Populations("toy", "accuracy", "a vs b", np.ones(4), np.zeros(4))
    equal = tuple([bench.Outcome("promote", 300)] * 10 + [bench.Outcome("stop-max", 5000)] * 90)
    effect = tuple([bench.Outcome("promote", 250)] * 3 + [bench.Outcome("stop-worse", 400)])
    row = bench.Row(populations, equal, effect)
    assert bench.share(equal, "promote") == 0.1
    assert bench.margin(0.05, 100) == pytest.approx(0.0427, abs=1e-4)
    assert bench.check_rates([row], 0.05) == ["toy: 0.100 > 0.05 + 0.043"]
    assert bench.check_rates([row], 0.1) == []
    table = bench.format_table([row])
    assert table.splitlines()[-1] == "| toy | accuracy | a vs b | +1 | 0.100 | 0.000 | 0.750 | 0.250 | 250 |"


def test_a_quick_run_writes_its_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = bench.main(
        ["--quick", "--experiments", "10", "--workers", "1", "--datasets", "wine", "--out", str(tmp_path)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.startswith("10 experiments per dataset and scenario; a decision after every 25 labels per variant")
    assert "| wine | accuracy | logistic vs tree | +0.1124 |" in printed
    assert (tmp_path / "results.md").read_text(encoding="utf-8") == printed
