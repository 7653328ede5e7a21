"""scripts/monitor_calibration.py (``bench_monitor.py --calibrate``): windows judged by the monitor's functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "mlgate_monitor_calibration", ROOT / "scripts" / "monitor_calibration.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mc = _load()


def test_a_healthy_window_passes_and_a_shifted_one_names_the_feature() -> None:
    (wine,) = mc.load_datasets(["wine"])
    rng = np.random.default_rng(1)
    version = mc.register(wine, rng)
    assert set(version.metrics) == {"accuracy", "f1_macro", "roc_auc_ovr"}
    assert set(version.uncertainty) == set(version.metrics)
    rows = rng.integers(0, len(wine.y), 400)
    healthy = mc.judge(wine, version, wine.X[rows], wine.y[rows], 0.01)
    assert healthy.verdict == "healthy"
    assert healthy.tests == len(wine.features) + 1 + 2  # features, predictions, accuracy and f1 (AUC needs scores)
    moved = wine.X[rows].copy()
    moved[:, wine.features.index("alcohol")] += 2 * version.population_sd[0]
    shifted = mc.judge(wine, version, moved, wine.y[rows], 0.01)
    assert "alcohol" in {r.field for r in shifted.feature_drift.drifted}


def test_label_noise_changes_the_stated_share_of_labels() -> None:
    (wine,) = mc.load_datasets(["wine"])
    y = np.repeat(wine.y, 20)
    noisy = mc.corrupt_labels(wine, y, np.random.default_rng(2))
    assert np.mean(noisy != y) == pytest.approx(mc.NOISE_SHARE, abs=0.02)


def test_rates_carry_a_between_version_standard_error_and_rows_print() -> None:
    tally = mc.Tally()
    for hits in ([1, 0, 0, 0], [0, 0, 0, 0], [1, 1, 0, 0]):
        tally.add_block()
        for hit in hits:
            tally.count(bool(hit))
    rate, se = tally.rate()
    assert rate == pytest.approx(3 / 12)
    assert se == pytest.approx(np.std([0.25, 0.0, 0.5], ddof=1) / np.sqrt(3))
    (wine,) = mc.load_datasets(["wine"])
    cell = mc.calibrate(wine, 100, versions=1, windows=2, alpha=0.01, seed=0)
    row = mc.table_row(wine, 100, cell, 0.01)
    assert row.startswith("| wine | 100 | ")
    assert row.count("|") == mc.HEADER.splitlines()[0].count("|")
