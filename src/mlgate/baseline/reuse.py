"""What a cached baseline spares ``mlgate check``: fit times and scores it would only recompute.

The baseline's saved models are re-scored on the PR's data (``mlgate.training.rescore``). Two kinds of
that work would repeat what is already known, on the same evaluation data:

- timing a fit: a baseline model identical to a candidate (estimator, parameters) takes the candidate's
  fit time; the others keep their stored fit time when the cached run was timed on this same kind of
  machine (``mlgate.training.machine``), else they are refitted here;
- scoring: a baseline model proven to be the very same fitted model as a candidate (equal skops content
  digests) takes the candidate's scores and timings instead of being loaded and scored again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.artifacts import content_digest
from mlgate.baseline.resolve import Baseline
from mlgate.errors import InputError
from mlgate.results import ModelResult, ResultSet, read_manifest, read_results
from mlgate.training.machine import same_machine


@dataclass(frozen=True)
class Reuse:
    """What the re-scoring of a baseline can take as known: fit times, and whole results of identical models."""

    fit_times: dict[str, float] = field(default_factory=dict)
    same: dict[str, ModelResult] = field(default_factory=dict)


def find_reuse(
    baseline: Baseline, candidates: list[ResultSet], machine: Mapping[str, Any], folder: Path | None
) -> Reuse:
    """Fit times and identical models of the cached baseline, for the candidates trained into ``folder``.

    Both need the baseline evaluated on the very rows the candidates were (data, target, split and sizes):
    from other rows, neither a fit time nor a score says anything here. Merged matrix legs (several
    candidate result sets, trained on other runners) take nothing.
    """
    if baseline.folder is None or len(candidates) != 1:
        return Reuse()
    stored, candidate = read_results(baseline.folder), candidates[0]
    if stored.evaluation is None or stored.evaluation != candidate.evaluation:
        return Reuse()
    same = {}
    if folder is not None and stored.evaluation.kind == "holdout":  # under CV the folds are refitted anyway
        same = _identical_models(stored, baseline.folder, candidate, folder)
    return Reuse(_known_fit_times(stored, baseline.folder, candidate, machine), same)


def _known_fit_times(
    stored: ResultSet, root: Path, candidate: ResultSet, machine: Mapping[str, Any]
) -> dict[str, float]:
    """A baseline model identical to a candidate trained here (estimator and parameters) takes the candidate's
    fit time: refitting it would repeat that work exactly. The others keep the fit time stored with them when
    the cached run was timed on this same kind of machine (``machine`` is this run's manifest entry; see
    ``mlgate.training.machine``); otherwise they are refitted here."""
    known = {
        name: mine.timings["fit_s"]
        for name, mine in candidate.models.items()
        if name in stored.models
        and "fit_s" in mine.timings
        and (stored.models[name].estimator, stored.models[name].params) == (mine.estimator, mine.params)
    }
    try:
        manifest = read_manifest(root)
    except InputError:
        return known  # an unreadable manifest: no stored time is re-used
    if same_machine(manifest, machine):
        for name, theirs in stored.models.items():
            if name not in known and "fit_s" in theirs.timings:
                known[name] = theirs.timings["fit_s"]
    return known


def _identical_models(stored: ResultSet, root: Path, candidate: ResultSet, folder: Path) -> dict[str, ModelResult]:
    """Candidate models that are the very same fitted model as the baseline's: their scores and timings are the
    candidate's, as scoring the baseline copy again would repeat the work exactly. "The same" is proven, not
    assumed: equal content digests of the two skops files (see ``mlgate.artifacts.content_digest``)."""
    same: dict[str, ModelResult] = {}
    for name, mine in candidate.models.items():
        theirs = stored.models.get(name)
        if theirs is None or theirs.artifact is None or mine.artifact is None:
            continue
        old = content_digest(root / theirs.artifact.path, sha256=theirs.artifact.sha256)
        new = content_digest(folder / mine.artifact.path, sha256=mine.artifact.sha256)
        if old is not None and old == new:
            same[name] = mine
    return same
