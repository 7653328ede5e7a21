"""The ``mlflow`` registry backend: a registered model on an MLflow server, with mlgate as the gate in front of it.

A version is an MLflow model version of ``registry.mlflow.model_name``. Registering one creates a run in
``registry.mlflow.experiment`` whose artifacts are mlgate's skops file and the whole version document
(``mlgate/model.skops``, ``mlgate/record.json``), then the model version (source: that folder; tags: the short
facts and both files' SHA-256, ``mlflow_state.version_tags``), then the ``registered`` event. Status, history,
aliases and outside changes are described in ``mlflow_state``. Every read asks the server again (one request for
the registered model's tags and aliases, one for the version or the listing); records are cached by digest
under ``registry.path``, and every file downloaded is verified against its digest before it is used: the model
is loaded by skops with the trusted-type list, never unpickled from the server.

MLflow has no transactions: a registration that fails after its model version was created deletes that version
again, so nothing half-registered is listed; the run it leaves is marked FAILED.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from mlgate.artifacts import read_verified
from mlgate.clock import utc_now
from mlgate.config import Config, MlflowRegistryConfig
from mlgate.errors import InputError, MlgateError
from mlgate.files import display_path, write_atomic
from mlgate.mlflow_api import open_client, resolve_uri, shown_uri
from mlgate.registry.actor import format_time
from mlgate.registry.mlflow_state import (
    RECORD_TAG,
    ModelState,
    event_value,
    expected_aliases,
    find_outside_changes,
    history_key,
    latest_statuses,
    read_events,
    status_changes,
    status_tags,
    version_tags,
)
from mlgate.registry.mlflow_store import MlflowStore
from mlgate.registry.model import HistoryEvent, ModelVersion, Status, StatusChange, check_status_change
from mlgate.registry.model import normalize_version as normalize
from mlgate.registry.records import render_version, version_from_data

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion as MlflowVersion
    from mlflow.entities.model_registry import RegisteredModel
    from mlflow.tracking import MlflowClient

_T = TypeVar("_T")
MODEL_FILE = "model.skops"
RECORD_FILE = "record.json"


class MlflowRegistry:
    """A registry on an MLflow server (see the module docstring)."""

    def __init__(
        self,
        settings: MlflowRegistryConfig,
        *,
        client: MlflowClient,
        uri: str,
        cache: Path,
        clock: Callable[[], dt.datetime] = utc_now,
        ticks: Callable[[], int] = time.time_ns,
    ) -> None:
        self.settings = settings
        self.name = str(settings.model_name)
        self.store = MlflowStore(client, uri=uri, name=self.name, experiment=settings.experiment)
        self.cache = cache
        self.clock = clock
        self.ticks = ticks
        self.where = f"MLflow registered model {self.name!r} at {shown_uri(uri)}"

    # -- the Registry protocol ---------------------------------------------------------------------------------

    def register(self, version: ModelVersion, artifact_file: Path) -> ModelVersion:
        """Log the model and its record as a run's artifacts, create the model version, record ``registered``."""
        data = read_verified(artifact_file, version.sha256)
        self.store.ensure_model()
        run_id, folder_uri = self.store.start_run(version)
        first = StatusChange(status="pending", by=version.registered_by, reason="registered", at=version.registered_at)
        staged = dataclasses.replace(
            version, version="", artifact=f"{folder_uri}/{MODEL_FILE}", history=version.history or (first,)
        )
        record = render_version(staged).encode("utf-8")
        try:
            self.store.upload(run_id, {MODEL_FILE: data, RECORD_FILE: record})
            tags = version_tags(staged, hashlib.sha256(record).hexdigest())
            created = self.store.call(
                "create a model version",
                lambda: self.store.client.create_model_version(
                    self.name,
                    folder_uri,
                    run_id=run_id,
                    tags=tags,
                    description=f"{version.model} ({version.estimator})",
                ),
            )
        except MlgateError:
            self.store.end_run(run_id, "FAILED")
            raise
        number = str(created.version)
        detail = {"model": staged.model, "sha256": staged.sha256, "commit": staged.commit, "run_id": run_id}
        event = HistoryEvent(
            at=staged.registered_at, event="registered", version=number, by=staged.registered_by, detail=detail
        )
        try:
            self._append(event)
        except MlgateError:
            self.store.call_quietly(lambda: self.store.client.delete_model_version(self.name, number))
            self.store.end_run(run_id, "FAILED")
            raise
        self.store.end_run(run_id, "FINISHED")
        self._write_record_cache(record)
        return self.get(number)

    def get(self, version: str) -> ModelVersion:
        """One version; an unknown one, or one not registered by mlgate, is an InputError."""
        number = normalize(version)
        state = self._read_model()
        found = self.store.call(
            "read a model version", lambda: self.store.client.get_model_version(self.name, number), allow=True
        )
        if found is None:
            raise InputError(f"{self.where} has no version {number}", hint=self._known_hint())
        return self._read(found, state)

    def list(self) -> Sequence[ModelVersion]:
        """Every version mlgate registered, oldest first (versions made outside mlgate are left out)."""
        state = self._read_model()
        found = self.store.versions()
        return [self._read(v, state) for v in sorted(found, key=lambda v: int(v.version)) if RECORD_TAG in v.tags]

    def set_status(self, version: str, status: Status, *, by: str, reason: str) -> ModelVersion:
        """Record the change in the history, then mirror it on the version's tags and the challenger alias."""
        check_status_change(version, status, by=by, reason=reason)
        current = self.get(version)
        if current.status == status:
            return current
        at = format_time(self.clock())
        self._append(HistoryEvent(at=at, event=status, version=current.version, by=by.strip(), reason=reason.strip()))
        change = StatusChange(status=status, by=by.strip(), reason=reason.strip(), at=at)
        for key, value in status_tags(change).items():
            self.store.call(
                f"tag version {current.version}",
                functools.partial(self.store.client.set_model_version_tag, self.name, current.version, key, value),
            )
        self._sync_aliases()
        return self.get(current.version)

    def record(self, event: HistoryEvent) -> None:
        """Append ``event``; a deploy or rollback that changed what is live moves the champion alias."""
        self._append(event)
        if isinstance(event.detail.get("live"), str):
            self._sync_aliases()

    def history(self, version: str | None = None) -> Sequence[HistoryEvent]:
        """The history, oldest first; of one version when given (an unknown one is an InputError)."""
        number = None if version is None else self.get(version).version
        events = self._read_model().events
        return [e for e in events if number is None or e.version == number]

    def artifact_path(self, version: ModelVersion) -> Path:
        """Download ``mlgate/model.skops`` of the version's run and verify its SHA-256 (tampered: InputError)."""
        run_id = str(version.extra.get("mlflow", {}).get("run_id") or "")
        if not run_id:
            raise InputError(f"version {version.version} names no MLflow run", hint="register the model again")
        data = self.store.download(run_id, MODEL_FILE, what=f"the model of version {version.version}")
        actual = hashlib.sha256(data).hexdigest()
        if actual != version.sha256.lower():
            raise InputError(
                f"tampered artifact: {version.artifact} holds a model with SHA-256 {actual[:16]}…, "
                f"version {version.version} records {version.sha256[:16]}…",
                hint="do not deploy this version; reject it and register the model again",
            )
        path = self.cache / "models" / self.name.replace("/", "_") / version.version / MODEL_FILE
        write_atomic(path, data)
        return path

    # -- reading -------------------------------------------------------------------------------------------------

    def _read_model(self) -> ModelState:
        """The history (from the registered model's tags), its aliases, and where the history puts each alias;
        read once per command step, so a listing derives them once, not once per version."""
        found: RegisteredModel | None = self.store.call(
            "read the registered model", lambda: self.store.client.get_registered_model(self.name), allow=True
        )
        events = read_events(dict(found.tags or {}), where=self.where) if found is not None else ()
        aliases = {str(alias): str(number) for alias, number in dict(found.aliases or {}).items()} if found else {}
        expected = expected_aliases(
            events,
            latest_statuses(events),
            champion=self.settings.champion_alias,
            challenger=self.settings.challenger_alias,
        )
        return ModelState(events, aliases, expected)

    def _read(self, found: MlflowVersion, state: ModelState) -> ModelVersion:
        events, aliases, expected = state
        number, tags = str(found.version), dict(found.tags or {})
        if RECORD_TAG not in tags or not found.run_id:
            raise InputError(
                f"version {number} of {self.where} was not registered by mlgate (it has no {RECORD_TAG} tag)",
                hint="register versions with `mlgate registry register`; mlgate does not deploy what it did not check",
            )
        record = self._read_record(str(found.run_id), tags[RECORD_TAG], number)
        registered = record.history[0] if record.history else StatusChange("pending", "", "registered", "")
        history = status_changes(events, number, registered)
        status = history[-1].status
        outside = find_outside_changes(number, status, tags, aliases, expected)
        facts = {
            "name": self.name,
            "run_id": str(found.run_id),
            "source": str(found.source),
            "aliases": sorted(alias for alias, target in aliases.items() if target == number),
        }
        extra = {**record.extra, "mlflow": facts}
        if outside:
            changed = found.last_updated_timestamp or found.creation_timestamp or 0
            extra["outside_mlgate"] = list(outside)
            extra["outside_changed_at"] = format_time(dt.datetime.fromtimestamp(changed / 1000, dt.timezone.utc))
        return dataclasses.replace(record, version=number, history=history, extra=extra)

    def _read_record(self, run_id: str, sha256: str, number: str) -> ModelVersion:
        cached = self.cache / "records" / f"{sha256}.json"
        data = cached.read_bytes() if cached.is_file() else b""
        if hashlib.sha256(data).hexdigest() != sha256:
            data = self.store.download(run_id, RECORD_FILE, what=f"the record of version {number}")
            actual = hashlib.sha256(data).hexdigest()
            if actual != sha256:
                raise InputError(
                    f"tampered record: version {number}'s {RECORD_FILE} has SHA-256 {actual[:16]}…, "
                    f"its tag {RECORD_TAG} says {sha256[:16]}…",
                    hint="do not deploy this version; reject it and register the model again",
                )
            self._write_record_cache(data)
        where = f"{self.where}, version {number}, {RECORD_FILE}"
        try:
            return version_from_data(json.loads(data), where=where)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{where}: not valid JSON: {exc}") from exc

    def _write_record_cache(self, record: bytes) -> None:
        with contextlib.suppress(OSError):  # a cache that cannot be written costs a download next time
            write_atomic(self.cache / "records" / f"{hashlib.sha256(record).hexdigest()}.json", record)

    def _known_hint(self) -> str:
        known = [v.version for v in sorted(self.store.versions(), key=lambda v: int(v.version)) if RECORD_TAG in v.tags]
        return f"known versions: {', '.join(map(str, known))}" if known else "the registry is empty: register one first"

    # -- writing -------------------------------------------------------------------------------------------------

    def _append(self, event: HistoryEvent) -> None:
        key = history_key(self.ticks(), uuid.uuid4().hex[:12])
        value = event_value(event)
        self.store.call(
            "append to the history", lambda: self.store.client.set_registered_model_tag(self.name, key, value)
        )

    def _sync_aliases(self) -> None:
        """Point the champion and challenger aliases where mlgate's history says they belong."""
        _, aliases, expected = self._read_model()
        for alias, target in expected.items():
            if aliases.get(alias) == target:
                continue
            if target is None:
                self.store.call(
                    f"remove alias {alias!r}",
                    functools.partial(self.store.client.delete_registered_model_alias, self.name, alias),
                )
            else:
                self.store.call(
                    f"move alias {alias!r} to version {target}",
                    functools.partial(self.store.client.set_registered_model_alias, self.name, alias, target),
                )


def open_mlflow_registry(config: Config, environ: Mapping[str, str] | None = None) -> MlflowRegistry:
    """The ``mlflow`` backend: ``MLFLOW_TRACKING_URI`` or ``registry.mlflow.tracking_uri``; a cache under
    ``registry.path``."""
    settings = config.registry.mlflow
    uri = resolve_uri(
        settings.tracking_uri, os.environ if environ is None else environ, key="registry.mlflow.tracking_uri"
    )
    client = open_client(uri, needed_by="registry.backend mlflow")
    cache = Path(display_path(config.registry.path)) / "mlflow-cache"
    return MlflowRegistry(settings, client=client, uri=uri, cache=cache)
