"""The live version's scores on the fresh evaluation data: the numbers retraining must beat.

Which version is live is ``mlgate.deploy.live``'s rule (``--version V``, the local deploy state, the registry
history). The live version's registered artifact is loaded with its SHA-256 verified and re-scored on the
SAME evaluation rows the candidates were scored on (holdout: its predictions on the test rows, kept for the
paired tests of ``mlgate.retrain.decide``; cross-validation: a clone fitted and scored per fold, as the
candidates, and the per-fold scores kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlgate.config import Config
from mlgate.errors import InputError

if TYPE_CHECKING:
    from mlgate.registry.model import ModelVersion, Registry
    from mlgate.stats import Predictions
    from mlgate.training.dataset import TrainingData


@dataclass(frozen=True)
class LiveScores:
    """The live version's metrics on the fresh evaluation data."""

    version: str
    model: str
    metrics: dict[str, float]
    registered: dict[str, float]  # the metrics recorded when it was registered (on the data of then)
    notes: tuple[str, ...] = ()
    predictions: Predictions | None = None  # holdout: its outputs on the test rows
    folds: dict[str, tuple[float, ...]] = field(default_factory=dict)  # cross-validation: per-fold scores


def rescore_live(live: ModelVersion, registry: Registry, config: Config, data: TrainingData) -> LiveScores:
    """Load the live version's artifact (digest verified) and score it on ``data``'s evaluation plan."""
    from mlgate.artifacts import load_model
    from mlgate.training.evaluate import Notes, class_count, cross_validate, predict_scored
    from mlgate.training.metrics import configured_metrics, metrics_for
    from mlgate.training.spec import project_paths
    from mlgate.training.split import plan_evaluation

    what = f"live version {live.version} ({live.model})"
    trusted = (*config.artifacts.trusted_types, *live.trusted_types)
    with project_paths(config.root):
        model = load_model(registry.artifact_path(live), sha256=live.sha256, trusted=trusted)
        plan = plan_evaluation(data, config.data.split)
        proba = hasattr(model, "predict_proba")
        metrics = metrics_for(configured_metrics(config.metrics), data.task, classes=class_count(plan), proba=proba)
        notes = Notes()
        predictions: Predictions | None = None
        folds: dict[str, tuple[float, ...]] = {}
        try:
            if plan.kind == "cv":
                scores = cross_validate(what, model, plan, metrics, notes=notes)
                values, folds = scores.metrics, scores.folds
            else:
                _X, _y, X_test, y_test = plan.holdout()
                values, predictions = predict_scored(what, model, metrics, X_test, y_test, notes=notes)
        except InputError as exc:  # "model '<what>': predict failed: …"
            raise InputError(
                f"{what} cannot be scored on the fresh data: {exc.message.split(': ', 1)[-1]}",
                hint="its features may be gone from the data; compare by hand, or pass --version V",
            ) from exc
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            raise InputError(
                f"{what} cannot be scored on the fresh data: {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}",
                hint="its features may be gone from the data; compare by hand, or pass --version V",
            ) from exc
    return LiveScores(
        version=live.version,
        model=live.model,
        metrics=dict(values),
        registered=dict(live.metrics),
        notes=tuple(notes.items),
        predictions=predictions,
        folds=dict(folds),
    )
