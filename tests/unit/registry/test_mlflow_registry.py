"""The mlflow backend's failure paths on an in-memory client: nothing half-registered, digests verified.

The whole backend runs against the real ``mlflow server`` in tests/integration/test_registry_mlflow.py; here the
client is a small in-memory stand-in so a failure can be put at an exact call.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INTERNAL_ERROR, RESOURCE_DOES_NOT_EXIST

from mlgate.config import MlflowRegistryConfig
from mlgate.errors import InputError, ServiceError
from mlgate.registry.mlflow_registry import MlflowRegistry
from unit.registry.helpers import version

SETTINGS = MlflowRegistryConfig(tracking_uri="http://127.0.0.1:5000", model_name="churn")


@dataclass
class MemoryMlflow:
    """The MlflowClient calls the backend makes, on dicts; ``fail`` names a method that raises once called."""

    root: Path
    fail: str = ""
    models: dict[str, SimpleNamespace] = field(default_factory=dict)
    versions: dict[str, SimpleNamespace] = field(default_factory=dict)
    runs: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def _check(self, method: str) -> None:
        if method == self.fail:
            raise MlflowException(f"{method} failed: internal error", error_code=INTERNAL_ERROR)

    def create_registered_model(self, name: str, description: str = "") -> None:
        self._check("create_registered_model")
        self.models.setdefault(name, SimpleNamespace(tags={}, aliases={}))

    def get_registered_model(self, name: str) -> SimpleNamespace:
        if name not in self.models:
            raise MlflowException("no such model", error_code=RESOURCE_DOES_NOT_EXIST)
        return self.models[name]

    def get_experiment_by_name(self, name: str) -> SimpleNamespace:
        return SimpleNamespace(experiment_id="1")

    def create_run(self, experiment_id: str, run_name: str, tags: dict[str, str]) -> SimpleNamespace:
        run_id = f"run{len(self.runs) + 1}"
        self.runs[run_id] = "RUNNING"
        return SimpleNamespace(info=SimpleNamespace(run_id=run_id, artifact_uri=str(self.root / run_id)))

    def log_artifacts(self, run_id: str, folder: str, path: str) -> None:
        self._check("log_artifacts")
        target = self.root / run_id / path
        target.mkdir(parents=True, exist_ok=True)
        for item in Path(folder).iterdir():
            (target / item.name).write_bytes(item.read_bytes())

    def download_artifacts(self, run_id: str, path: str, folder: str) -> str:
        return str(self.root / run_id / path)

    def create_model_version(self, name: str, source: str, run_id: str, tags: dict[str, str], description: str) -> Any:
        self._check("create_model_version")
        number = str(len(self.versions) + 1)
        self.versions[number] = SimpleNamespace(
            version=number,
            tags=dict(tags),
            run_id=run_id,
            source=source,
            last_updated_timestamp=0,
            creation_timestamp=0,
        )
        return self.versions[number]

    def delete_model_version(self, name: str, number: str) -> None:
        self.deleted.append(number)
        del self.versions[number]

    def get_model_version(self, name: str, number: str) -> SimpleNamespace:
        if number not in self.versions:
            raise MlflowException("no such version", error_code=RESOURCE_DOES_NOT_EXIST)
        return self.versions[number]

    def search_model_versions(self, query: str, max_results: int, page_token: str | None) -> _Page:
        return _Page(self.versions.values())

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        self._check("set_registered_model_tag")
        self.models[name].tags[key] = value

    def set_terminated(self, run_id: str, status: str) -> None:
        self.runs[run_id] = status


class _Page(list[Any]):
    """One page of a listing, the last (MLflow's PagedList with no next token)."""

    token = None


@pytest.fixture
def client(tmp_path: Path) -> MemoryMlflow:
    return MemoryMlflow(root=tmp_path / "server")


def registry(client: MemoryMlflow, tmp_path: Path) -> MlflowRegistry:
    return MlflowRegistry(SETTINGS, client=client, uri=SETTINGS.tracking_uri or "", cache=tmp_path / "cache")  # type: ignore[arg-type]


def model_file(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "model.skops"
    path.write_bytes(b"a fitted model")
    return path, hashlib.sha256(b"a fitted model").hexdigest()


def test_a_registration_whose_history_cannot_be_written_is_undone(client: MemoryMlflow, tmp_path: Path) -> None:
    path, sha = model_file(tmp_path)
    client.fail = "set_registered_model_tag"
    with pytest.raises(ServiceError, match=r"MLflow at http://127\.0\.0\.1:5000: cannot append to the history"):
        registry(client, tmp_path).register(version(sha), path)
    assert (client.versions, client.deleted, client.runs) == ({}, ["1"], {"run1": "FAILED"})


def test_a_failed_upload_leaves_no_model_version(client: MemoryMlflow, tmp_path: Path) -> None:
    path, sha = model_file(tmp_path)
    client.fail = "log_artifacts"
    with pytest.raises(ServiceError, match="cannot upload the model and its record"):
        registry(client, tmp_path).register(version(sha), path)
    assert (client.versions, client.runs) == ({}, {"run1": "FAILED"})


def test_a_file_that_is_not_the_one_recorded_is_never_uploaded(client: MemoryMlflow, tmp_path: Path) -> None:
    path, _ = model_file(tmp_path)
    with pytest.raises(InputError, match="tampered artifact"):
        registry(client, tmp_path).register(version("0" * 64), path)
    assert (client.models, client.runs) == ({}, {})


def test_a_record_changed_on_the_server_is_refused(client: MemoryMlflow, tmp_path: Path) -> None:
    path, sha = model_file(tmp_path)
    store = registry(client, tmp_path)
    stored = store.register(version(sha), path)
    assert (stored.version, stored.status, client.runs) == ("1", "pending", {"run1": "FINISHED"})
    record = client.root / "run1" / "mlgate" / "record.json"
    record.write_text(record.read_text(encoding="utf-8").replace('"forest"', '"other"'), encoding="utf-8")
    for cached in (tmp_path / "cache" / "records").iterdir():
        cached.unlink()
    with pytest.raises(InputError, match=r"tampered record: version 1's record\.json has SHA-256"):
        store.get("1")


def test_an_unknown_version_names_the_known_ones(client: MemoryMlflow, tmp_path: Path) -> None:
    path, sha = model_file(tmp_path)
    store = registry(client, tmp_path)
    assert store.list() == []
    store.register(version(sha), path)
    with pytest.raises(
        InputError, match=r"MLflow registered model 'churn' at http://127\.0\.0\.1:5000 has no version 4"
    ) as caught:
        store.get("4")
    assert caught.value.hint == "known versions: 1"
