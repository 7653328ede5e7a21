"""Paired timing: warm-up, alternating rounds, pooled statistics and their intervals, with a fake clock.

The last two tests time real scikit-learn models on a machine loaded by two busy-loop processes.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

import mlgate
from busy import busy_machine
from mlgate.config import TimingConfig
from mlgate.gates import TIMING_REL_TOL
from mlgate.training.latency import WARMUP, measure_latency
from mlgate.training.paired_timing import WARMUP_ROWS, measure_fit_pair, measure_pair, warm_up
from mlgate.training.timing_rule import PairedTiming, judge_timing

FLOORS = TimingConfig()
PredictLog = list[tuple[str, tuple[int, ...]]]  # (model name, the ids of the rows it predicted), in call order


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeModel:
    """Charges the clock per predict: ``single`` s per one-row call, ``batch`` s per batch, times the drift."""

    def __init__(
        self,
        name: str,
        clock: FakeClock,
        log: PredictLog,
        *,
        single: float | list[float] = 0.001,
        batch: float = 0.01,
        drift: float = 0.0,
    ) -> None:
        self.name, self.clock, self.log = name, clock, log
        self.single, self.batch, self.drift = single, batch, drift
        self.singles = 0

    def predict(self, X: pd.DataFrame) -> list[int]:
        self.log.append((self.name, tuple(X["id"])))
        if len(X) == 1:
            cost = self.single if isinstance(self.single, float) else self.single[self.singles % len(self.single)]
            self.singles += 1
        else:
            cost = self.batch
        self.clock.now += cost * (1.0 + self.drift * self.clock.now)  # the machine slows down as time passes
        return [0] * len(X)


def sample(n: int = 7) -> pd.DataFrame:
    return pd.DataFrame({"id": range(n)})


def test_warm_up_then_rounds_in_alternating_order_on_the_same_rows() -> None:
    clock, log = FakeClock(), PredictLog()
    base, new = FakeModel("base", clock, log), FakeModel("new", clock, log)
    measure_pair(base, new, sample(), rounds=4, rows=8, batch_rows=10, clock=clock)
    batch = (0, 1, 2, 3, 4, 5, 6, 0, 1, 2)
    warm = [(m, (i,)) for m in ("new", "base") for i in range(WARMUP)]
    assert log[:8] == [*warm[:WARMUP], ("new", batch), *warm[WARMUP:], ("base", batch)]
    rounds = log[8:]
    expected = []
    for turn, ids in enumerate([(0, 1), (2, 3), (4, 5), (6, 0)]):
        for name in ("base", "new") if turn % 2 == 0 else ("new", "base"):
            expected += [(name, (i,)) for i in ids] + [(name, batch)]
    assert rounds == expected


def test_statistics_ratio_and_interval() -> None:
    clock, log = FakeClock(), PredictLog()
    costs = [0.001 * k for k in range(1, 11)]  # single calls cost 1..10 ms in turn, the new model's twice that
    base = FakeModel("base", clock, log, single=costs, batch=0.010)
    new = FakeModel("new", clock, log, single=[2 * c for c in costs], batch=0.030)
    found = measure_pair(base, new, sample(10), rounds=3, rows=30, batch_rows=5, clock=clock)
    p50, p95, batch = found["predict_1row_p50_ms"], found["predict_1row_p95_ms"], found["predict_batch_ms"]
    assert p50.rounds == p95.rounds == batch.rounds == 3
    assert (batch.base, batch.new, batch.ratio) == pytest.approx((10.0, 30.0, 3.0))
    assert (batch.low, batch.high) == pytest.approx((3.0, 3.0))  # the same ratio in every round
    assert p50.new == pytest.approx(2 * p50.base)
    assert (p50.ratio, p50.low, p50.high) == pytest.approx((2.0, 2.0, 2.0))
    assert p95.ratio == pytest.approx(2.0)
    assert judge_timing(p95, rel_tol=TIMING_REL_TOL, floor=FLOORS.latency_floor_ms) == "worse"


def test_every_model_gets_the_single_calls_of_measure_latency_and_a_batch_per_round() -> None:
    clock, log = FakeClock(), PredictLog()
    base, new = FakeModel("base", clock, log), FakeModel("new", clock, log)
    found = measure_pair(base, new, sample(50), rounds=15, rows=200, batch_rows=1000, clock=clock)
    for name in ("base", "new"):
        sizes = [len(ids) for who, ids in log if who == name]
        assert sizes.count(1) == 200 + WARMUP  # as measure_latency: rows timed calls after WARMUP untimed ones
        assert sizes.count(1000) == 15 + 1  # a batch per round and one to warm up
    assert {key: t.rounds for key, t in found.items()} == dict.fromkeys(found, 15)


def test_fewer_rows_than_rounds_pairs_the_rounds_that_had_rows() -> None:
    clock, log = FakeClock(), PredictLog()
    found = measure_pair(
        FakeModel("b", clock, log), FakeModel("n", clock, log), sample(), rounds=6, rows=4, batch_rows=3, clock=clock
    )
    assert found["predict_1row_p50_ms"].rounds == 4
    assert found["predict_batch_ms"].rounds == 6


def test_zero_rows_or_batch_skip_their_keys() -> None:
    clock, log = FakeClock(), PredictLog()
    base, new = FakeModel("base", clock, log), FakeModel("new", clock, log)
    assert list(measure_pair(base, new, sample(), rounds=3, rows=0, batch_rows=5, clock=clock)) == ["predict_batch_ms"]
    assert all(len(ids) == 5 for _, ids in log)
    assert list(measure_pair(base, new, sample(), rounds=3, rows=5, batch_rows=0, clock=clock)) == [
        "predict_1row_p50_ms",
        "predict_1row_p95_ms",
    ]
    assert measure_pair(base, new, sample(0), rounds=3, rows=5, batch_rows=5, clock=clock) == {}


def test_drift_that_fakes_a_slowdown_one_after_the_other_is_judged_same_when_paired() -> None:
    clock, log = FakeClock(), PredictLog()
    base = FakeModel("base", clock, log, single=0.004, batch=0.05, drift=0.5)
    new = FakeModel("new", clock, log, single=0.004, batch=0.05, drift=0.5)
    one_after_the_other = [measure_latency(m, sample(), rows=200, batch_rows=20, clock=clock) for m in (base, new)]
    assert one_after_the_other[1]["predict_1row_p50_ms"] > 1.5 * one_after_the_other[0]["predict_1row_p50_ms"]
    found = measure_pair(base, new, sample(), rounds=15, rows=200, batch_rows=20, clock=clock)
    for key, t in found.items():
        assert t.low is not None, key
        assert t.high is not None, key
        assert t.low < 1.0 < t.high, key
        assert judge_timing(t, rel_tol=TIMING_REL_TOL, floor=FLOORS.latency_floor_ms) == "same", key


class FakeFit(BaseEstimator, RegressorMixin):  # type: ignore[misc]
    """Charges ``cost`` s per row (times the drift) to the class's clock; the class's first fit pays ``tax`` more."""

    clock: ClassVar[FakeClock]
    log: ClassVar[list[tuple[str, int]]]
    taxed: ClassVar[bool]

    def __init__(
        self, name: str = "", cost: float = 0.001, tax: float = 0.0, drift: float = 0.0, fail_below: int = 0
    ) -> None:
        self.name, self.cost, self.tax, self.drift, self.fail_below = name, cost, tax, drift, fail_below

    def fit(self, X: Any, y: Any) -> FakeFit:
        type(self).log.append((self.name, len(X)))
        if len(X) < self.fail_below:
            raise ValueError("too few rows")
        self.clock.now += self.cost * len(X) * (1.0 + self.drift * self.clock.now)
        if not type(self).taxed:
            type(self).taxed = True
            self.clock.now += self.tax
        return self

    def predict(self, X: Any) -> np.ndarray[Any, Any]:
        return np.zeros(len(X))


@pytest.fixture
def fit_class() -> type[FakeFit]:
    """A fresh subclass per test: its own clock, call log and first-fit state (``clone`` keeps the class)."""
    return type("Fit", (FakeFit,), {"clock": FakeClock(), "log": [], "taxed": False})


def xy(n: int = 100) -> tuple[pd.DataFrame, pd.Series]:
    return pd.DataFrame({"a": range(n)}), pd.Series(range(n), dtype=float)


def test_fits_alternate_after_a_warm_up_and_stop_before_the_budget(fit_class: type[FakeFit]) -> None:
    X, y = xy()  # a fit costs 0.1 s, a warm-up fit 0.02 s: after k rounds 0.04 + 0.2 k s are spent
    t = measure_fit_pair(fit_class("base"), fit_class("new"), X, y, budget_s=1.0, max_rounds=50, clock=fit_class.clock)
    assert fit_class.log[:2] == [("new", WARMUP_ROWS), ("base", WARMUP_ROWS)]
    rounds = fit_class.log[2:]
    assert rounds == [(n, 100) for turn in range(4) for n in (("base", "new"), ("new", "base"))[turn % 2]]
    assert fit_class.clock.now == pytest.approx(0.84)  # a fifth round would end at 1.04 s
    assert (t.base, t.new, t.ratio, t.low, t.high, t.rounds) == pytest.approx((0.1, 0.1, 1.0, 1.0, 1.0, 4))


def test_identical_fits_on_a_slowing_machine_are_judged_same(fit_class: type[FakeFit]) -> None:
    X, y = xy()
    t = measure_fit_pair(
        fit_class("base", drift=0.5),
        fit_class("new", drift=0.5),
        X,
        y,
        budget_s=100.0,
        max_rounds=15,
        clock=fit_class.clock,
    )
    assert t.rounds == 15
    assert t.low is not None
    assert t.high is not None
    assert t.low < 1.0 < t.high
    assert judge_timing(t, rel_tol=TIMING_REL_TOL, floor=FLOORS.fit_floor_s) == "same"


def test_max_rounds_caps_the_fits(fit_class: type[FakeFit]) -> None:
    X, y = xy()
    t = measure_fit_pair(
        fit_class("base"), fit_class("new", cost=0.003), X, y, budget_s=100.0, max_rounds=5, clock=fit_class.clock
    )
    assert t.rounds == 5
    assert t.ratio == pytest.approx(3.0, rel=0.2)
    assert judge_timing(t, rel_tol=TIMING_REL_TOL, floor=FLOORS.fit_floor_s) == "worse"


@pytest.mark.parametrize(("budget", "rounds"), [(0.0, 1), (0.8, 2)])
def test_one_or_two_fits_each_give_no_interval(fit_class: type[FakeFit], budget: float, rounds: int) -> None:
    X, y = xy()  # fits cost 0.1 and 0.2 s: a round 0.3 s, after 0.06 s of warm-up
    t = measure_fit_pair(
        fit_class("base"), fit_class("new", cost=0.002), X, y, budget_s=budget, max_rounds=15, clock=fit_class.clock
    )
    assert t.rounds == rounds
    assert (t.low, t.high) == (None, None)
    assert judge_timing(t, rel_tol=TIMING_REL_TOL, floor=FLOORS.fit_floor_s) == "unjudged"


def test_warm_up_pays_the_first_fit_tax_so_first_and_second_fit_alike(fit_class: type[FakeFit]) -> None:
    X, y = xy()
    clock = fit_class.clock
    ridge = partial(fit_class, cost=0.00006, tax=0.08)  # a fit takes 6 ms, and 80 ms more the first time in a process
    ridge("first").fit(X, y)
    first, clock.now = clock.now, 0.0
    ridge("second").fit(X, y)
    assert (first, clock.now) == pytest.approx((0.086, 0.006))
    fit_class.taxed = False
    t = measure_fit_pair(ridge("base"), ridge("new"), X, y, budget_s=0.0, max_rounds=1, clock=clock)
    assert (t.base, t.new) == pytest.approx((0.006, 0.006))


def test_warm_up_ignores_a_model_that_cannot_fit_a_few_rows(fit_class: type[FakeFit]) -> None:
    X, y = xy(500)
    warm_up([fit_class("picky", fail_below=50), fit_class("easy")], X, y)
    assert fit_class.log == [("picky", WARMUP_ROWS), ("easy", WARMUP_ROWS)]


class Recording(FakeFit):
    seen: ClassVar[list[list[int]]] = []

    def fit(self, X: Any, y: Any) -> Recording:
        self.seen.append(list(X["a"]))
        return self


def test_warm_up_spreads_its_rows_over_the_data() -> None:
    Recording.seen.clear()
    warm_up([Recording()], *xy(39), rows=3)
    warm_up([Recording()], *xy(2), rows=3)
    assert Recording.seen == [[0, 19, 38], [0, 1]]


# --- real models on a busy machine --------------------------------------------------------------------------------

FIT_IN_A_FRESH_PROCESS = """
import dataclasses, json
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from mlgate.training.paired_timing import measure_fit_pair

rng = np.random.default_rng(0)
X = pd.DataFrame({"a": rng.normal(size=3000), "b": rng.normal(size=3000), "c": rng.choice(list("xyz"), 3000)})
y = 2 * X["a"] + rng.normal(size=3000)
def ridge():
    encode = ColumnTransformer([("num", StandardScaler(), ["a", "b"]), ("cat", OneHotEncoder(), ["c"])])
    return Pipeline([("preprocess", encode), ("model", Ridge())])
timing = measure_fit_pair(ridge(), ridge(), X, y, budget_s=3.0, max_rounds=15)
print(json.dumps(dataclasses.asdict(timing)))
"""


@pytest.fixture(name="busy_machine")
def fixture_busy_machine() -> Iterator[None]:
    """Two busy-loop processes (each ends by itself after 20 s), killed when the test ends."""
    with busy_machine(seconds=20):
        yield


@pytest.mark.slow
@pytest.mark.usefixtures("busy_machine")
def test_a_model_against_its_identical_copy_on_a_busy_machine_is_never_judged_changed() -> None:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(600, 6)), columns=list("abcdef"))
    model = make_pipeline(StandardScaler(), RandomForestRegressor(n_estimators=30, max_depth=8, random_state=0))
    model.fit(X.iloc[:400], X["a"].iloc[:400] + rng.normal(size=400))
    found = measure_pair(model, copy.deepcopy(model), X.iloc[400:], rounds=15, rows=200, batch_rows=1000)
    assert set(found) == {"predict_1row_p50_ms", "predict_1row_p95_ms", "predict_batch_ms"}
    for key, t in found.items():
        assert t.rounds == 15, key
        assert judge_timing(t, rel_tol=TIMING_REL_TOL, floor=FLOORS.latency_floor_ms) == "same", (key, t)

    paths = [p for p in (os.environ.get("PYTHONPATH", ""), str(Path(mlgate.__file__).parents[1])) if p]
    done = subprocess.run(
        [sys.executable, "-c", FIT_IN_A_FRESH_PROCESS],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    t = PairedTiming(**json.loads(done.stdout))
    assert t.rounds >= 1
    assert judge_timing(t, rel_tol=TIMING_REL_TOL, floor=FLOORS.fit_floor_s) in ("same", "unjudged"), t
