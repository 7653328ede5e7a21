"""The MLflow calls of the registry backend: not-found as None where allowed, failures named, clean-ups quiet."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INTERNAL_ERROR, RESOURCE_ALREADY_EXISTS

from mlgate.errors import InputError, ServiceError
from mlgate.registry.mlflow_store import MlflowStore

URI = "http://127.0.0.1:5000"


class Client:
    """Just the calls under test: an existing model, an experiment to create, artifacts that are missing."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.created: list[str] = []

    def create_registered_model(self, name: str, description: str) -> None:
        raise MlflowException("exists", error_code=RESOURCE_ALREADY_EXISTS)

    def get_experiment_by_name(self, name: str) -> None:
        return None

    def create_experiment(self, name: str) -> str:
        self.created.append(name)
        return "7"

    def create_run(self, experiment_id: str, run_name: str, tags: dict[str, str]) -> Any:
        return SimpleNamespace(info=SimpleNamespace(run_id="run1", artifact_uri="s3://b/7/run1/artifacts/"))

    def download_artifacts(self, run_id: str, path: str, folder: str) -> str:
        return str(self.root / "nothing-here")

    def set_terminated(self, run_id: str, status: str) -> None:
        raise MlflowException("server error", error_code=INTERNAL_ERROR)


def store(tmp_path: Path) -> tuple[MlflowStore, Client]:
    client = Client(tmp_path)
    return MlflowStore(client, uri=URI, name="churn", experiment="mlgate-registry"), client  # type: ignore[arg-type]


def test_an_existing_model_is_fine_and_the_experiment_is_created_once_needed(tmp_path: Path) -> None:
    found, client = store(tmp_path)
    found.ensure_model()
    run_id, folder = found.start_run(_version())
    assert (run_id, folder, client.created) == ("run1", "s3://b/7/run1/artifacts/mlgate", ["mlgate-registry"])


def test_a_missing_artifact_and_a_failed_call_are_named(tmp_path: Path) -> None:
    found, _ = store(tmp_path)
    with pytest.raises(InputError, match="the record of version 3 is missing from run run1"):
        found.download("run1", "record.json", what="the record of version 3")
    with pytest.raises(ServiceError, match=rf"MLflow at {URI}: cannot end the run \(server error\)"):
        found.call("end the run", lambda: found.client.set_terminated("run1", "FAILED"))
    found.call_quietly(lambda: found.client.set_terminated("run1", "FAILED"))  # a clean-up never hides the first error


def _version() -> Any:
    from unit.registry.helpers import version

    return version("ab" * 32)
