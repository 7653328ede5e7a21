"""``mlgate retrain``: the continuous-training decision as one call.

1. find the live version (``mlgate.deploy.live``): nothing deployed stops here, before any work;
2. fetch fresh data (``mlgate.retrain.fetch``);
3. the data gate on it (``mlgate.data.validate_datasets``): violations stop the run, nothing is registered;
4. train the candidates (``mlgate.training.run.train_models``) into ``out/candidates``;
5. re-score the live version's registered model on the same evaluation data;
6. decide on the primary metric by paired tests of every candidate against it (``mlgate.retrain.decide``);
7. a winner is registered as a PENDING version, as ``mlgate registry register`` does, with a reason that
   names the live version and the gain, and the decision (its interval) in the version's ``decision``
   field. Nothing is ever approved here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mlgate.clock import utc_now
from mlgate.config import Config
from mlgate.deploy.live import LiveVersion, find_live_version
from mlgate.errors import ConfigError, ExitCode, InputError
from mlgate.progress import Say
from mlgate.registry.actor import format_time
from mlgate.registry.model import ModelVersion, Registry, StatusChange
from mlgate.retrain.command import Runner, run_command
from mlgate.retrain.decide import Decision, decide
from mlgate.retrain.fetch import FetchResult, S3Factory, fetch_data
from mlgate.retrain.live import LiveScores, rescore_live
from mlgate.retrain.paired import FreshRows

if TYPE_CHECKING:
    from mlgate.data.results import ValidationResult
    from mlgate.results import ResultSet

Outcome = Literal["registered", "already-registered", "not-better", "data-invalid"]


@dataclass(frozen=True)
class RetrainOptions:
    """What the command line adds to the config."""

    out: Path
    by: str
    fetch: bool = True
    version: str | None = None  # compare with this version instead of the live one


@dataclass(frozen=True)
class RetrainResult:
    """Everything the report needs; later fields are None when the run stopped earlier."""

    outcome: Outcome
    live: LiveVersion
    fetch: FetchResult
    validation: ValidationResult | None = None
    candidates: ResultSet | None = None
    results_folder: Path | None = None
    live_scores: LiveScores | None = None
    decision: Decision | None = None
    version: ModelVersion | None = None  # the version registered (or the existing one with the same artifact)
    reason: str | None = None  # the reason recorded with the registration

    @property
    def exit_code(self) -> ExitCode:
        """1 when the fresh data failed the data gate, else 0: a decision was made."""
        return ExitCode.CHECKS_FAILED if self.outcome == "data-invalid" else ExitCode.OK


def run_retrain(
    config: Config,
    registry: Registry,
    options: RetrainOptions,
    *,
    runner: Runner = run_command,
    s3: S3Factory | None = None,
    say: Say | None = None,
    now: Callable[[], dt.datetime] = utc_now,
) -> RetrainResult:
    """Fetch, validate, train, compare with the live version, register a winner as pending (module docstring)."""
    from mlgate.data import has_data_gate, validate_datasets

    say = say or (lambda _message: None)
    live = find_live_version(config.deploy, registry, given=options.version, given_as="option")
    if live is None:
        raise InputError(
            "no live version: nothing was deployed (no deploy state, no deploy in the registry history)",
            hint="deploy a version first, or pass --version V to compare with a registered version",
        )
    say(f"live version: {live.version.version} ({live.version.model}, from the {live.source})")
    fetched = fetch_data(config, enabled=options.fetch, runner=runner, s3=s3, say=say)
    validation = validate_datasets(config, say=say) if has_data_gate(config.data) else None
    if validation is not None and not validation.valid:
        say("the fresh data failed the data gate: nothing is trained or registered")
        return RetrainResult("data-invalid", live, fetched, validation)
    from mlgate.training.run import train_models

    say("training the candidate models on the fresh data")
    refits, limit = config.retrain.resample_fits, config.retrain.resample_max_s
    if not math.isfinite(limit) or limit < 0:
        raise ConfigError(
            f"retrain.resample_max_s is {limit:g}; it must be a finite number of seconds ≥ 0",
            hint="30 refits candidates that fit in under 30 s; 0 never refits",
        )
    if refits < 2:
        raise ConfigError(
            f"retrain.resample_fits is {refits}; it must be at least 2",
            hint="9 refits give the spread 9 degrees of freedom",
        )
    trained = train_models(
        config, out=options.out / "candidates", progress=say, resample_max_s=limit or None, resample_fits=refits
    )
    results = trained.results
    if results.primary is None:
        raise ConfigError(
            "cannot compare with the live version: no primary metric", hint="set metrics.primary in mlgate.yaml"
        )
    assert trained.data is not None
    say(f"re-scoring live version {live.version.version} on the fresh evaluation data")
    scores = rescore_live(live.version, registry, config, trained.data)
    decision = decide(
        metric=results.primary,
        candidates={n: dict(m.metrics) for n, m in results.models.items()},
        live_version=live.version.version,
        live_metrics=scores.metrics,
        rows=fresh_rows(results, scores, config),
        metrics=config.metrics,
        retrain=config.retrain,
        evaluation=results.evaluation.data_sha256 if results.evaluation else None,
    )
    say(decision.describe())
    done = RetrainResult("not-better", live, fetched, validation, results, trained.folder, scores, decision)
    if not decision.wins:
        return done
    return register_winner(done, config, registry, by=options.by, now=now(), say=say)


def fresh_rows(results: ResultSet, scores: LiveScores, config: Config) -> FreshRows:
    """The candidates' and the live version's outputs on the fresh evaluation, for the paired tests."""
    predictions = results.predictions
    return FreshRows(
        y=None if predictions is None else predictions.y,
        live=scores.predictions,
        candidates={} if predictions is None else dict(predictions.models),
        live_folds=scores.folds,
        candidate_folds={n: m.folds for n, m in results.models.items() if m.folds},
        train_rows=results.evaluation.train_rows if results.evaluation else 0,
        samples=config.metrics.bootstrap_samples,
        seed=config.train.seed,
        spread={n: dict(m.resample_sd) for n, m in results.models.items() if m.resample_sd},
        fits=config.retrain.resample_fits + 1,
    )


def is_same_training(known: ModelVersion, new: ModelVersion) -> bool:
    """The same artifact, or the same model trained the same way on the same data and schema.

    skops files of identical models may differ byte for byte, so a scheduled retrain on unchanged data
    would otherwise register the same model again every run.
    """
    if known.sha256 == new.sha256:
        return True
    same_inputs = (known.model, known.estimator, known.params, known.schema_sha256) == (
        new.model,
        new.estimator,
        new.params,
        new.schema_sha256,
    )
    return same_inputs and known.data_sha256 is not None and known.data_sha256 == new.data_sha256


def register_winner(
    result: RetrainResult, config: Config, registry: Registry, *, by: str, now: dt.datetime, say: Say
) -> RetrainResult:
    """Register the decision's candidate as a pending version whose reason names the live version and the gain."""
    from mlgate.registry.build import build_candidate

    decision, folder = result.decision, result.results_folder
    assert decision is not None
    assert folder is not None
    source = f" from {result.fetch.source}" if result.fetch.source else ""
    reason = f"retrained on fresh data{source}: {decision.describe()}"
    candidate = build_candidate(folder, config, model=decision.candidate, best=False, by=by, now=now, progress=say)
    same = next((v for v in registry.list() if is_same_training(v, candidate.version)), None)
    if same is not None:
        say(f"this model (same artifact, or same estimator, params and data) is already version {same.version}")
        return dataclasses.replace(result, outcome="already-registered", version=same)
    extra = {
        **candidate.version.extra,
        "retrain": {
            "live_version": decision.live_version,
            "metric": decision.metric,
            "gain": decision.gain,
            "live_value": decision.live_value,
            "candidate_value": decision.candidate_value,
            "margin": decision.margin,
        },
    }
    first = StatusChange(status="pending", by=by, reason=reason, at=format_time(now))
    version = dataclasses.replace(candidate.version, history=(first,), extra=extra, decision=decision.record())
    stored = registry.register(version, candidate.artifact_file)
    say(f"registered version {stored.version} as pending (approve it with `mlgate registry approve`)")
    return dataclasses.replace(result, outcome="registered", version=stored, reason=reason)
