from __future__ import annotations

import sys
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from mlgate.errors import ConfigError
from mlgate.mlflow_api import QUICK
from mlgate.mlflow_api import quick_calls as _quick_settings
from mlgate.tracking.client import RunRecord, TrackingFailed
from mlgate.tracking.mlflow_client import MlflowTracking, _translate, open_mlflow


def test_quick_settings_apply_only_where_the_user_set_none() -> None:
    environ = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "9"}
    with _quick_settings(environ):
        assert environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "9"
        assert environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == QUICK["MLFLOW_HTTP_REQUEST_TIMEOUT"]
        assert environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] == "true"
    assert environ == {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "9"}


def test_refused_credentials_name_mlflows_variables() -> None:
    failed = _translate("https://u:pw@h.example", "API request to https://u:pw@h.example/api failed", 401)
    assert "pw" not in failed.problem
    assert failed.problem.startswith("the MLflow server refused the credentials (API request to https://h.example/api")
    assert "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)" in failed.fix


def test_other_failures_say_to_check_the_server_and_its_uri() -> None:
    failed = _translate("http://127.0.0.1:9", "Max retries exceeded\n with url: /api (Connection refused)", None)
    assert (
        failed.problem
        == "the MLflow server could not be used (Max retries exceeded with url: /api (Connection refused))"
    )
    assert "tracking.mlflow.tracking_uri (or MLFLOW_TRACKING_URI)" in failed.fix


def test_a_missing_client_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "mlflow" or m.startswith("mlflow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with pytest.raises(ConfigError, match="the MLflow client is not installed") as caught:
        open_mlflow("http://127.0.0.1:9")
    assert caught.value.hint == "pip install 'mlgate[mlflow]'"


@dataclass
class _Store:
    """MlflowClient's calls ``log_run`` makes, recorded; ``refuse`` makes the artifact upload fail as boto3 does."""

    refuse: Exception | None = None
    files: dict[str, str] = field(default_factory=dict)
    ended: list[tuple[str, str]] = field(default_factory=list)

    def create_run(self, experiment_id: str, run_name: str) -> Any:
        return SimpleNamespace(info=SimpleNamespace(run_id="r1"))

    def log_batch(self, run_id: str, **batch: Any) -> None:
        return None

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.files[artifact_file] = text

    def set_terminated(self, run_id: str, status: str = "FINISHED") -> None:
        self.ended.append((run_id, status))


RECORD = RunRecord(name="tree", artifacts={"mlgate/metrics.json": "{}\n"})


def test_a_runs_files_are_uploaded_before_it_ends() -> None:
    store = _Store()
    assert MlflowTracking(store, "http://127.0.0.1:9").log_run("1", RECORD) == "r1"  # type: ignore[arg-type]
    assert store.files == {"mlgate/metrics.json": "{}\n"}
    assert store.ended == [("r1", "FINISHED")]


def test_an_artifact_store_that_refuses_is_a_tracking_failure_and_a_failed_run() -> None:
    store = _Store(refuse=RuntimeError("Failed to upload /tmp/x to bucket/key: An error occurred (403) Forbidden"))
    with pytest.raises(TrackingFailed, match="run r1 was logged but its files could not be stored") as caught:
        MlflowTracking(store, "http://127.0.0.1:9").log_run("1", RECORD)  # type: ignore[arg-type]
    assert "RuntimeError: Failed to upload /tmp/x to bucket/key" in caught.value.problem
    assert "MLFLOW_S3_ENDPOINT_URL" in caught.value.fix
    assert store.ended == [("r1", "FAILED")]
