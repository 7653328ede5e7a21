"""The tracker seam: what mlgate logs (``RunRecord``), what it gets back (``TrackedRun``), the Protocol an adapter
implements (``TrackingClient``), the one failure it raises (``TrackingFailed``), the addresses shown to people,
and the runs as JSON documents hold them (``mlflow_runs`` of manifest.json, report.json and train's JSON).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from mlgate.mlflow_api import shown_uri


@dataclass(frozen=True)
class RunRecord:
    """One candidate's run: its name, parameters, metrics, tags and text files (artifact path -> content)."""

    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    artifacts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TrackedRun:
    """A logged run: where it lives, the page that shows it (None when the tracker has no web page) and the
    tracking server it is on (as ``shown_uri`` gives it)."""

    model: str
    experiment_id: str
    run_id: str
    url: str | None
    tracking_uri: str = ""


class TrackingFailed(Exception):
    """The tracker refused or could not be reached: ``problem`` says what happened, ``fix`` what to do."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


class TrackingClient(Protocol):
    """A tracking server, opened on one URI. Every method raises ``TrackingFailed`` and nothing else."""

    @property
    def uri(self) -> str: ...

    def find_experiment(self, name: str) -> str:
        """The id of the experiment ``name``, created when it does not exist."""
        ...

    def log_run(self, experiment_id: str, record: RunRecord) -> str:
        """Create a finished run holding ``record`` (its artifacts too) in ``experiment_id``; return its id."""
        ...

    def update_run(self, run_id: str, record: RunRecord) -> None:
        """Add ``record``'s metrics, tags and artifacts to the existing run ``run_id`` (its parameters are set)."""
        ...


_SAFE_URL = re.compile(r"https?://[^\s()<>\[\]\"'`\\]+")


def run_url(uri: str, experiment_id: str, run_id: str) -> str | None:
    """The web page of a run on an MLflow server at ``uri`` (http/https only; credentials never included)."""
    base = shown_uri(uri).rstrip("/")
    if not base.lower().startswith(("http://", "https://")):
        return None
    ids = (urllib.parse.quote(experiment_id, safe=""), urllib.parse.quote(run_id, safe=""))
    url = f"{base}/#/experiments/{ids[0]}/runs/{ids[1]}"
    return url if _SAFE_URL.fullmatch(url) else None


def runs_data(runs: Mapping[str, TrackedRun]) -> dict[str, dict[str, str | None]] | None:
    """``mlflow_runs``: model -> its run's id, experiment, page and server; None when no run was logged."""
    if not runs:
        return None
    return {
        name: {"run_id": r.run_id, "experiment_id": r.experiment_id, "url": r.url, "tracking_uri": r.tracking_uri}
        for name, r in runs.items()
    }


def read_runs(document: Any) -> dict[str, TrackedRun]:
    """The runs of an ``mlflow_runs`` value; an entry that is not one (a hand-edited file) is left out."""
    if not isinstance(document, dict):
        return {}
    runs: dict[str, TrackedRun] = {}
    for name, entry in document.items():
        if not isinstance(entry, dict):
            continue
        ids = [entry.get("run_id"), entry.get("experiment_id"), entry.get("tracking_uri")]
        url = entry.get("url")
        if all(isinstance(x, str) and x for x in ids) and (url is None or isinstance(url, str)):
            run_id, experiment_id, uri = (str(x) for x in ids)
            runs[str(name)] = TrackedRun(str(name), experiment_id, run_id, url, uri)
    return runs
