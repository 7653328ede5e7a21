"""Logging ``mlgate train``'s and ``mlgate check``'s candidates to the configured tracker (``tracking.mlflow``).

The commands (``cli/train.py``, ``cli/check.py``) call these after their work; a tracker failure is a warning
(``mlgate.notices``), never a different exit code. Without ``tracking.mlflow`` nothing is imported and nothing is
logged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.config import Config
from mlgate.errors import InputError
from mlgate.progress import Say

if TYPE_CHECKING:
    from mlgate.check import CheckResult
    from mlgate.tracking import TrackedRun, TrackingClient
    from mlgate.training.run import TrainRun

RUNS_KEY = "mlflow_runs"  # the runs in manifest.json, report.json and train's JSON


def track_training(
    config: Config, run: TrainRun, *, say: Say | None = None, environ: Mapping[str, str] = os.environ
) -> dict[str, TrackedRun]:
    """Log a run per model ``mlgate train`` fitted; model name -> its run.

    The runs go into the results folder's manifest.json (and ``run.manifest``) as ``mlflow_runs``, so that the
    check merging a matrix's legs updates them instead of logging each candidate twice.
    """
    if config.tracking.mlflow is None:
        return {}
    from mlgate.files import write_atomic
    from mlgate.results import MANIFEST_FILE
    from mlgate.tracking import Context, runs_data, track_candidates

    context = Context(
        command="train", commit=run.results.commit, pr_number=find_pr_number(environ), data=_data(run.manifest)
    )
    tracked = track_candidates(
        config.tracking, run.results, context, environ=environ, open_client=open_tracker, say=say
    )
    if tracked:
        run.manifest[RUNS_KEY] = runs_data(tracked)
        write_atomic(run.folder / MANIFEST_FILE, json.dumps(run.manifest, indent=2, allow_nan=False) + "\n")
    return tracked


def track_check(
    config: Config,
    result: CheckResult,
    *,
    candidate: Path,
    legs: Sequence[Path] = (),
    say: Say | None = None,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, TrackedRun]:
    """Log a run per candidate of a check, with its comparison with the baseline; model name -> its run.

    ``candidate`` is the folder the check trained into: its manifest names the data files and their digests.
    ``legs`` are the results folders of ``--candidate``: a run their ``mlgate train`` logged (``mlflow_runs`` of
    their manifests) is updated with the comparison, so a matrix check logs each candidate once.
    """
    if config.tracking.mlflow is None or result.candidate is None:
        return {}
    from mlgate.results import MANIFEST_FILE
    from mlgate.tracking import Context, read_runs, track_candidates

    revisions = result.revisions
    comparison = result.comparison
    context = Context(
        command="check",
        commit=revisions.head if revisions is not None else None,
        pr_number=revisions.pr_number if revisions is not None else find_pr_number(environ),
        data=_data(_read_manifest(candidate / MANIFEST_FILE)),
        rows=comparison.rows if comparison is not None else (),
        verdict=result.verdict,
    )
    logged: dict[str, TrackedRun] = {}
    for leg in legs:
        logged |= read_runs(_read_manifest(leg / MANIFEST_FILE).get(RUNS_KEY))
    return track_candidates(
        config.tracking, result.candidate, context, environ=environ, open_client=open_tracker, say=say, logged=logged
    )


def open_tracker(uri: str) -> TrackingClient:
    """The MLflow server at ``uri``; a missing MLflow client is a tracking failure (a warning), not exit 2:
    tracking never fails ``mlgate train`` or ``mlgate check``."""
    from mlgate.errors import ConfigError
    from mlgate.mlflow_api import INSTALL_HINT
    from mlgate.tracking import TrackingFailed, open_mlflow

    try:
        return open_mlflow(uri)
    except ConfigError as exc:
        raise TrackingFailed(exc.message, exc.hint or INSTALL_HINT) from exc


def find_pr_number(environ: Mapping[str, str]) -> int | None:
    """The pull request this run is for, from GitHub's event file; None outside a PR (or when it is unreadable)."""
    from mlgate.baseline.event import PULL_REQUEST_EVENTS, read_pull_request

    path = environ.get("GITHUB_EVENT_PATH")
    if environ.get("GITHUB_EVENT_NAME") not in PULL_REQUEST_EVENTS or not path:
        return None
    try:
        return read_pull_request(Path(path)).number
    except InputError:
        return None


def _read_manifest(path: Path) -> Mapping[str, Any]:
    """The manifest at ``path``, or nothing when the check did not train (``--candidate`` folders)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _data(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    files = manifest.get("data", [])
    return [(str(f["uri"]), str(f["sha256"])) for f in files if isinstance(f, dict) and f.get("sha256")]
