"""Experiment tracking: one run per candidate model in the team's tracker (MLflow), linked from the PR report.

The face: ``track_candidates`` (logs, turns every tracker failure into one warning, returns the runs it logged),
``TrackingClient`` (the Protocol a tracker adapter implements; tests pass a fake) and ``open_mlflow`` (the real
adapter, importing ``mlflow`` only when called).
"""

from __future__ import annotations

from mlgate.tracking.client import (
    RunRecord,
    TrackedRun,
    TrackingClient,
    TrackingFailed,
    read_runs,
    run_url,
    runs_data,
)
from mlgate.tracking.log import Context, track_candidates
from mlgate.tracking.mlflow_client import open_mlflow

__all__ = [
    "Context",
    "RunRecord",
    "TrackedRun",
    "TrackingClient",
    "TrackingFailed",
    "open_mlflow",
    "read_runs",
    "run_url",
    "runs_data",
    "track_candidates",
]
