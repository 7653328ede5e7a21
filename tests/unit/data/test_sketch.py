"""Unit tests for mlgate.data.sketch: the KLL quantile sketch and the category counter, against numpy."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mlgate.data.sketch import RANK_ERROR, SKETCH_K, CategoryCounter, QuantileSketch

LEVELS = np.linspace(0.0, 1.0, 101)


def feed(sketch: QuantileSketch, values: np.ndarray, batch: int) -> None:
    for start in range(0, len(values), batch):
        sketch.add(values[start : start + batch])


def assert_within_rank_error(values: np.ndarray, sketch: QuantileSketch, eps: float = RANK_ERROR) -> None:
    """Each estimated q-quantile lies between the exact (q - eps)- and (q + eps)-quantiles."""
    got = sketch.quantiles(LEVELS)
    low = np.quantile(values, np.clip(LEVELS - eps, 0, 1), method="inverted_cdf")
    high = np.quantile(values, np.clip(LEVELS + eps, 0, 1), method="inverted_cdf")
    assert np.all(low <= got), LEVELS[low > got]
    assert np.all(got <= high), LEVELS[got > high]


def test_sketch_is_exact_while_small() -> None:
    values = np.random.default_rng(1).normal(size=SKETCH_K)
    sketch = QuantileSketch()
    sketch.add(values)
    ordered = np.sort(values)
    expected = ordered[np.maximum(np.ceil(LEVELS * len(values) - 1e-9).astype(int) - 1, 0)]
    assert sketch.exact
    np.testing.assert_array_equal(sketch.quantiles(LEVELS), expected)
    np.testing.assert_array_equal(sketch.ranks(ordered[[0, 10, -1]]), [1, 11, len(values)])


@pytest.mark.parametrize(
    ("name", "batch"),
    [("normal", 65536), ("normal", 1000), ("sorted", 65536), ("reversed", 4096), ("ties", 65536), ("lognormal", 7)],
)
def test_sketch_quantiles_within_rank_error(name: str, batch: int) -> None:
    rng = np.random.default_rng(7)
    n = 20_000 if batch < 100 else 400_000
    values = {
        "normal": lambda: rng.normal(size=n),
        "sorted": lambda: np.arange(n, dtype=np.float64),
        "reversed": lambda: np.arange(n, dtype=np.float64)[::-1].copy(),
        "ties": lambda: rng.integers(0, 50, size=n).astype(np.float64),
        "lognormal": lambda: rng.lognormal(size=n),
    }[name]()
    sketch = QuantileSketch()
    feed(sketch, values, batch)
    assert not sketch.exact
    assert sketch.count == n
    assert_within_rank_error(values, sketch)
    true_cdf = np.searchsorted(np.sort(values), values[:50], side="right") / n
    assert np.max(np.abs(sketch.ranks(values[:50]) / n - true_cdf)) <= RANK_ERROR


def test_sketch_memory_is_bounded_and_weights_add_up() -> None:
    sketch = QuantileSketch()
    feed(sketch, np.random.default_rng(3).normal(size=2_000_000), 65536)
    assert sum(len(level) for level in sketch.levels) <= 3 * SKETCH_K + 8 * len(sketch.levels)
    assert sum(len(level) << h for h, level in enumerate(sketch.levels)) == 2_000_000


def test_sketch_merges_and_is_deterministic() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=150_000), rng.normal(loc=2, size=100_000)
    left, right, again = QuantileSketch(), QuantileSketch(), QuantileSketch()
    feed(left, a, 65536)
    feed(right, b, 65536)
    feed(again, a, 65536)
    np.testing.assert_array_equal(left.quantiles(LEVELS), again.quantiles(LEVELS))
    left.merge(right)
    assert left.count == 250_000
    assert_within_rank_error(np.concatenate([a, b]), left)


def test_category_counter_exact_then_misra_gries() -> None:
    exact = CategoryCounter(capacity=10)
    exact.add(pa.array(["b", "a", "b", "c"]))
    exact.add(pa.array(["b", "d"]))
    exact.add(pa.array([True, False, True]))
    assert exact.top(3) == [("b", 3), ("true", 2), ("a", 1)]
    assert exact.total == 9
    assert not exact.truncated

    rng = np.random.default_rng(11)
    values = rng.zipf(1.6, size=200_000).astype(str)
    counter = CategoryCounter(capacity=50)
    for start in range(0, len(values), 20_000):
        counter.add(pa.array(values[start : start + 20_000]))
    keys, truth = np.unique(values, return_counts=True)
    exact_counts = dict(zip(keys.tolist(), truth.tolist(), strict=True))
    assert counter.truncated
    for key, count in counter.top(10):
        assert exact_counts[key] - len(values) / 51 <= count <= exact_counts[key]
    assert [k for k, _ in counter.top(3)] == ["1", "2", "3"]
