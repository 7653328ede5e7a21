"""The real MLflow adapter of ``TrackingClient``: ``mlflow-skinny``'s ``MlflowClient``, imported only when opened.

Credentials come from MLflow's own environment (``MLFLOW_TRACKING_USERNAME``/``PASSWORD``, ``MLFLOW_TRACKING_TOKEN``,
...). While it talks to the server, MLflow's HTTP retries are kept short (a check must not wait minutes for a
tracker that is down) and its "View run" lines stay off stdout; a value the user set for any of these wins.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from mlgate.errors import ConfigError
from mlgate.mlflow_api import INSTALL_HINT, quick_calls, shown_uri
from mlgate.tracking.client import RunRecord, TrackingFailed

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

BATCH = 100  # MLflow takes at most 100 params or tags per log_batch call
_T = TypeVar("_T")


def open_mlflow(uri: str) -> MlflowTracking:
    """The MLflow server at ``uri``; no ``mlflow`` package is a ConfigError (exit 2) saying what to install."""
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as exc:
        raise ConfigError("tracking.mlflow is set but the MLflow client is not installed", hint=INSTALL_HINT) from exc
    return MlflowTracking(MlflowClient(tracking_uri=uri), uri)


class MlflowTracking:
    """``TrackingClient`` over an ``MlflowClient``."""

    def __init__(self, client: MlflowClient, uri: str) -> None:
        self._client = client
        self._uri = uri

    @property
    def uri(self) -> str:
        return self._uri

    def find_experiment(self, name: str) -> str:
        def find() -> str:
            found = self._client.get_experiment_by_name(name)
            return str(found.experiment_id) if found is not None else str(self._client.create_experiment(name))

        return self._call(find)

    def log_run(self, experiment_id: str, record: RunRecord) -> str:
        from mlflow.entities import Metric, Param, RunTag

        def log() -> str:
            run = self._client.create_run(experiment_id, run_name=record.name)
            run_id = str(run.info.run_id)
            stamp = int(time.time() * 1000)
            params = [Param(k, v) for k, v in record.params.items()]
            tags = [RunTag(k, v) for k, v in record.tags.items()]
            metrics = [Metric(k, v, stamp, 0) for k, v in record.metrics.items()]
            for start in range(0, max(len(params), len(tags), len(metrics), 1), BATCH):
                self._client.log_batch(
                    run_id,
                    metrics=_slice(metrics, start),
                    params=_slice(params, start),
                    tags=_slice(tags, start),
                )
            self._store_files(run_id, record.artifacts)
            self._client.set_terminated(run_id)
            return run_id

        return self._call(log)

    def update_run(self, run_id: str, record: RunRecord) -> None:
        from mlflow.entities import Metric, RunTag

        def update() -> str:
            stamp = int(time.time() * 1000)
            tags = [RunTag(k, v) for k, v in record.tags.items()]
            metrics = [Metric(k, v, stamp, 0) for k, v in record.metrics.items()]
            for start in range(0, max(len(tags), len(metrics), 1), BATCH):
                self._client.log_batch(run_id, metrics=_slice(metrics, start), tags=_slice(tags, start))
            self._store_files(run_id, record.artifacts)
            return run_id

        self._call(update)

    def _store_files(self, run_id: str, files: Mapping[str, str]) -> None:
        """Upload ``files`` to the run's artifact store: the client writes there itself (S3, GCS, a folder...).

        Whatever the store's own library raises becomes ``TrackingFailed`` (the run is then marked failed), so
        that an artifact store that refuses is a warning like a tracking server that refuses.
        """
        try:
            for path, text in files.items():
                self._client.log_text(run_id, text, path)
        except Exception as exc:  # each store raises its own errors (boto3, google-cloud, azure...)
            self._client.set_terminated(run_id, status="FAILED")
            message = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            raise TrackingFailed(
                f"run {run_id} was logged but its files could not be stored in its artifact store ({message})",
                "give the job write access to the experiment's artifact location (for S3: AWS credentials, and "
                "MLFLOW_S3_ENDPOINT_URL for an S3-compatible store)",
            ) from exc

    def _call(self, action: Callable[[], str]) -> str:
        import requests
        from mlflow.exceptions import MlflowException

        try:
            with quick_calls():
                return action()
        except MlflowException as exc:
            raise _translate(self._uri, str(exc.message), _status(exc)) from exc
        except (requests.RequestException, OSError) as exc:
            raise _translate(self._uri, str(exc), None) from exc


def _status(exc: Any) -> int | None:
    """The HTTP status of an MlflowException (MLflow's method is untyped)."""
    status = exc.get_http_status_code()
    return status if isinstance(status, int) else None


def _slice(items: Sequence[_T], start: int) -> list[_T]:
    return list(items[start : start + BATCH])


def _translate(uri: str, message: str, status: int | None) -> TrackingFailed:
    """One line saying what went wrong (credentials in the URI removed) and what to do."""
    shown = shown_uri(uri)
    first = " ".join(message.replace(uri, shown).split())[:200]
    if status in (401, 403) or "error code 401" in first or "error code 403" in first:
        return TrackingFailed(
            f"the MLflow server refused the credentials ({first})",
            "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) to an account "
            "that may write runs",
        )
    return TrackingFailed(
        f"the MLflow server could not be used ({first})",
        "check that the server is up and that tracking.mlflow.tracking_uri (or MLFLOW_TRACKING_URI) names it",
    )
