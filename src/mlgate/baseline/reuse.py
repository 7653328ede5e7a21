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

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlgate.artifacts import content_digest
from mlgate.baseline.resolve import Baseline
from mlgate.results import MANIFEST_FILE, ModelResult, ResultSet, read_results
from mlgate.training.machine import same_machine


def known_fit_times(baseline: Baseline, candidates: list[ResultSet], machine: Mapping[str, Any]) -> dict[str, float]:
    """Fit times of baseline models that need not be refitted just to be timed, on the same evaluation data.

    A baseline model identical to a candidate trained here (estimator and parameters) takes the candidate's
    fit time: refitting it would repeat that work exactly. The other baseline models keep the fit time
    stored with them when the cached run was timed on this same kind of machine (``machine`` is this run's
    manifest entry; see ``mlgate.training.machine``); otherwise they are refitted here.
    """
    if baseline.folder is None or len(candidates) != 1:
        return {}  # merged legs were timed on other runners
    stored, candidate = read_results(baseline.folder), candidates[0]
    if stored.evaluation is None or stored.evaluation != candidate.evaluation:
        return {}  # other rows (data, target, split or sizes): a fit time from there says nothing here
    known = {
        name: mine.timings["fit_s"]
        for name, mine in candidate.models.items()
        if name in stored.models
        and "fit_s" in mine.timings
        and (stored.models[name].estimator, stored.models[name].params) == (mine.estimator, mine.params)
    }
    if same_machine(_read_manifest(baseline.folder), machine):
        for name, theirs in stored.models.items():
            if name not in known and "fit_s" in theirs.timings:
                known[name] = theirs.timings["fit_s"]
    return known


def identical_models(baseline: Baseline, candidate: ResultSet, folder: Path) -> dict[str, ModelResult]:
    """Candidate models that are the very same fitted model as the baseline's, scored on the same rows.

    Their scores and timings are the candidate's: scoring the baseline copy again would repeat the work
    exactly. "The same" is proven, not assumed: equal content digests of the two skops files (see
    ``mlgate.artifacts.content_digest``), the same holdout evaluation data.
    """
    if baseline.folder is None:
        return {}
    stored = read_results(baseline.folder)
    if (
        stored.evaluation is None
        or candidate.evaluation is None
        or stored.evaluation.kind != "holdout"
        or stored.evaluation != candidate.evaluation
    ):
        return {}
    same: dict[str, ModelResult] = {}
    for name, mine in candidate.models.items():
        theirs = stored.models.get(name)
        if theirs is None or theirs.artifact is None or mine.artifact is None:
            continue
        old = content_digest(baseline.folder / theirs.artifact.path, sha256=theirs.artifact.sha256)
        new = content_digest(folder / mine.artifact.path, sha256=mine.artifact.sha256)
        if old is not None and old == new:
            same[name] = mine
    return same


def _read_manifest(folder: Path) -> dict[str, Any]:
    """The results folder's manifest.json, or {} when it is missing or unreadable (then nothing is re-used)."""
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
