"""The statistical evidence behind one comparison row: which paired test applies, and its result.

A quality metric of a model scored on both sides is tested row by row when both result sets carry that
model's predictions on the same evaluation rows (holdout: ``mlgate.stats.test_paired``), fold by fold when
both carry per-fold scores of the same folds (cross-validation: the corrected resampled t-test), and on the
rows the two sides share when their evaluation data differ but the rows carry a primary key. Otherwise
there is no test and the row says why. The gate rules that use the result live in ``mlgate.gates``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.errors import InputError
from mlgate.gates import Gate
from mlgate.results import ResultSet

if TYPE_CHECKING:
    from mlgate.stats import PairedTest, Predictions


@dataclass(frozen=True)
class Evidence:
    """A test of ``new − base`` (or None) and, without one, the reason; ``shared`` notes matched rows."""

    test: PairedTest | None = None
    why_not: str | None = None
    shared: str | None = None  # "on 180 of 200 rows matched by key" when the two sides' rows differ


@dataclass(frozen=True)
class Settings:
    """What every test of one report shares."""

    alpha: float
    samples: int
    seed: int = 0
    seed_fits: int = 3  # reseeded fits behind a model's seed_sd (train.seed_fits)


def find_evidence(
    model: str, metric: str, base: ResultSet, new: ResultSet, gate: Gate, margin: float, settings: Settings
) -> Evidence:
    """The paired test of ``metric`` for ``model`` between ``base`` and ``new`` (see the module docstring)."""
    if gate.direction == "none":
        return Evidence(why_not="no direction is known for this metric")
    base_model, new_model = base.models[model], new.models[model]
    base_folds, new_folds = base_model.folds.get(metric), new_model.folds.get(metric)
    if base_folds and new_folds:
        return _fold_evidence(base, new, base_folds, new_folds, gate, margin, settings)
    pair = _paired_rows(model, base.predictions, new.predictions)
    if isinstance(pair, str):
        return Evidence(why_not=pair)
    y, base_rows, new_rows, shared = pair
    from mlgate.stats import test_paired, widen_by_seeds

    try:  # the stored name (``log_loss``) names its scorer (``neg_log_loss``) too
        test = test_paired(
            metric,
            y,
            base_rows,
            new_rows,
            direction=gate.direction,
            margin=margin,
            alpha=settings.alpha,
            samples=settings.samples,
            seed=settings.seed,
        )
    except InputError as exc:
        return Evidence(why_not=exc.message)
    test = widen_by_seeds(
        test,
        base_sd=base_model.seed_sd.get(metric),
        new_sd=new_model.seed_sd.get(metric),
        fits=settings.seed_fits + 1,
        direction=gate.direction,
        margin=margin,
        alpha=settings.alpha,
    )
    return Evidence(test=test, shared=shared)


def _fold_evidence(
    base: ResultSet,
    new: ResultSet,
    base_folds: tuple[float, ...],
    new_folds: tuple[float, ...],
    gate: Gate,
    margin: float,
    settings: Settings,
) -> Evidence:
    old, now = base.evaluation, new.evaluation
    if len(base_folds) != len(new_folds) or len(new_folds) < 2:
        return Evidence(why_not=f"fold counts differ ({len(base_folds)} vs {len(new_folds)})")
    if old is None or now is None or not old.data_sha256 or old.data_sha256 != now.data_sha256:
        return Evidence(why_not="the two sides' folds are not the same rows")
    from mlgate.stats import test_folds

    test_rows = max(1, now.train_rows // len(new_folds))
    test = test_folds(
        base_folds,
        new_folds,
        train_rows=max(1, now.train_rows - test_rows),
        test_rows=test_rows,
        direction=gate.direction,
        margin=margin,
        alpha=settings.alpha,
    )
    return Evidence(test=test)


Pair = tuple[Any, "Predictions", "Predictions", str | None]


def _paired_rows(model: str, base: Any, new: Any) -> Pair | str:
    """(y, base predictions, new predictions, shared-rows note) on common rows, or why there are none."""
    if base is None or new is None or model not in base.models or model not in new.models:
        return "no per-row predictions on both sides"
    if base.rows == new.rows and _same_values(base.y, new.y) and _same_keys(base.keys, new.keys):
        return new.y, base.models[model], new.models[model], None
    if base.keys is None or new.keys is None:
        return "the evaluation rows differ and have no primary key to match them"
    return _match_by_key(model, base, new)


def _match_by_key(model: str, base: Any, new: Any) -> Pair | str:
    import numpy as np

    base_index = {str(k): i for i, k in enumerate(base.keys)}
    pairs = [(base_index[str(k)], j) for j, k in enumerate(new.keys) if str(k) in base_index]
    if not pairs:
        return "no evaluation row of the baseline matches one of the PR by key"
    left = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
    right = np.fromiter((j for _, j in pairs), dtype=np.int64, count=len(pairs))
    same_label = np.asarray(_equal(np.asarray(base.y)[left], np.asarray(new.y)[right]))
    left, right = left[same_label], right[same_label]
    if len(right) < 2:
        return "fewer than two rows match by key with the same target value"
    shared = f"on the {len(right):,} of {new.rows:,} rows matched by key"
    return np.asarray(new.y)[right], _take(base.models[model], left), _take(new.models[model], right), shared


def _take(predictions: Predictions, index: Any) -> Predictions:
    from mlgate.stats import Predictions

    def pick(values: Any) -> Any:
        return None if values is None else values[index]

    return Predictions(
        pred=predictions.pred[index],
        proba=pick(predictions.proba),
        decision=pick(predictions.decision),
        classes=predictions.classes,
    )


def _same_values(a: Any, b: Any) -> bool:
    import numpy as np

    return len(a) == len(b) and bool(np.all(_equal(np.asarray(a), np.asarray(b))))


def _same_keys(a: Any, b: Any) -> bool:
    return a is None or b is None or _same_values(a, b)


def _equal(a: Any, b: Any) -> Any:
    import numpy as np

    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return (a == b) | (np.isnan(a) & np.isnan(b))
    return np.asarray(a == b, dtype=bool)


def describe_tests(tests: Mapping[str, int]) -> str:
    """``McNemar (exact) ×3, DeLong ×2``: the methods used in a report, for its footer."""
    return ", ".join(f"{name} ×{count}" if count > 1 else name for name, count in tests.items())
