"""The MLflow calls of the ``mlflow`` registry backend: one registered model, its runs and artifacts.

Every call goes through ``call`` (``mlgate.mlflow_api.call_mlflow``: short retries, MLflow quiet, failures as
mlgate's errors naming the server); ``allow=True`` turns "not found" and "already exists" into None.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from mlgate.errors import InputError, MlgateError
from mlgate.mlflow_api import EXISTS, NOT_FOUND, call_mlflow
from mlgate.registry.model import ModelVersion

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion as MlflowVersion
    from mlflow.tracking import MlflowClient

_T = TypeVar("_T")
FOLDER = "mlgate"


class MlflowStore:
    """The registered model ``name`` on the server at ``uri``, and the runs of ``experiment`` its files live in."""

    def __init__(self, client: MlflowClient, *, uri: str, name: str, experiment: str) -> None:
        self.client, self.uri, self.name, self.experiment = client, uri, name, experiment

    def versions(self) -> builtins.list[MlflowVersion]:
        found: builtins.list[MlflowVersion] = []
        token: str | None = None
        while True:
            page = self.call(
                "list the model versions",
                functools.partial(
                    self.client.search_model_versions, f"name='{self.name}'", max_results=1000, page_token=token
                ),
            )
            found.extend(page)
            token = page.token
            if not token:
                return found

    def ensure_model(self) -> None:
        self.call(
            "create the registered model",
            lambda: self.client.create_registered_model(self.name, description="Model versions gated by mlgate"),
            allow=True,
        )

    def start_run(self, version: ModelVersion) -> tuple[str, str]:
        """A run for the version's artifacts; returns its id and the URI of its ``mlgate`` artifact folder."""
        name = self.experiment

        def find() -> str:
            found = self.client.get_experiment_by_name(name)
            return str(found.experiment_id) if found is not None else str(self.client.create_experiment(name))

        experiment = self.call(f"find or create the experiment {name!r}", find)
        tags = {"mlgate.kind": "registration", "mlgate.model": version.model, "mlgate.sha256": version.sha256}
        run = self.call(
            "start a run", lambda: self.client.create_run(experiment, run_name=f"register {version.model}", tags=tags)
        )
        return str(run.info.run_id), f"{str(run.info.artifact_uri).rstrip('/')}/{FOLDER}"

    def upload(self, run_id: str, files: Mapping[str, bytes]) -> None:
        with tempfile.TemporaryDirectory(prefix="mlgate-mlflow-") as folder:
            for name, data in files.items():
                (Path(folder) / name).write_bytes(data)
            self.call("upload the model and its record", lambda: self.client.log_artifacts(run_id, folder, FOLDER))

    def download(self, run_id: str, name: str, *, what: str) -> bytes:
        with tempfile.TemporaryDirectory(prefix="mlgate-mlflow-") as folder:
            path = self.call(
                f"download {what}", lambda: self.client.download_artifacts(run_id, f"{FOLDER}/{name}", folder)
            )
            try:
                return Path(path).read_bytes()
            except OSError as exc:
                raise InputError(f"{what} is missing from run {run_id}", hint="register the model again") from exc

    def end_run(self, run_id: str, status: str) -> None:
        self.call_quietly(lambda: self.client.set_terminated(run_id, status))

    def call(self, what: str, action: Callable[[], _T], *, allow: bool = False) -> _T:
        """Call the server; with ``allow``, "not found" / "already exists" give None (typed as the answer)."""
        answer = call_mlflow(self.uri, what, action, allow=(NOT_FOUND, EXISTS) if allow else ())
        return answer  # type: ignore[return-value]  # None only where ``allow`` said so; callers check

    def call_quietly(self, action: Callable[[], object]) -> None:
        """A clean-up after a failure: its own failure must not hide the first one."""
        with contextlib.suppress(MlgateError):
            call_mlflow(self.uri, "clean up", action)
