"""The registry's data model and the Protocol every backend implements (``local`` and ``sagemaker``).

A version is immutable once registered except for its status, whose every change is recorded with who,
why and when. Backends are looked up in an explicit dict (``mlgate.registry.BACKENDS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from mlgate.errors import InputError

Status = Literal["pending", "approved", "rejected"]
STATUSES: tuple[Status, ...] = ("pending", "approved", "rejected")


def normalize_version(text: str) -> str:
    """``"3"``, ``"v3"`` or ``" 3 "`` -> ``"3"``; anything else is an InputError."""
    value = text.strip()
    value = value[1:] if value[:1] in ("v", "V") else value
    if not is_version_number(value) or int(value) < 1:
        shown = text if len(text) <= 40 else f"{text[:20]}…({len(text):,} characters)"
        raise InputError(
            f"{shown!r} is not a version number", hint="versions are numbered 1, 2, 3, ...; see `mlgate registry list`"
        )
    return str(int(value))


def is_version_number(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also takes "²" and other scripts' digits), at most 18 of them."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def check_status_change(version: str, status: str, *, by: str, reason: str) -> None:
    """What every backend requires of a status change: a known status, a reason and who made it."""
    if status not in STATUSES:
        raise InputError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if not reason.strip():
        raise InputError(f"a reason is required to mark version {version} {status}", hint="pass --reason TEXT")
    if not by.strip():
        raise InputError(f"who marks version {version} {status} is unknown", hint="pass --by NAME")


@dataclass(frozen=True)
class StatusChange:
    """One change of a version's status (registration is the first: ``pending``)."""

    status: Status
    by: str
    reason: str
    at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class GoldenRow:
    """A sample input row (JSON-safe values by feature name) and the prediction the model gave for it."""

    features: dict[str, Any]
    prediction: Any


@dataclass(frozen=True)
class ModelVersion:
    """A registered model version.

    ``artifact`` is the path of the version's own copy of the skops file inside the registry (backend
    specific: a local path or an ``s3://`` URI); ``sha256`` its digest, verified before every load.
    ``reference_stats`` / ``prediction_stats`` are the documents of ``mlgate schema stats`` for the training
    data and for the model's predictions on it (drift and monitoring compare against them).
    ``feature_schema`` is the Table Schema of the features as training read them (``reading_schema``), so an
    endpoint converts request values the same way; None for versions registered before it was recorded.
    ``uncertainty`` is, per registered metric, the evaluation rows and the metric's standard error on them
    (``{"accuracy": {"n": 2000, "se": 0.009}}``, ``mlgate.stats.uncertainty``), so the monitor can tell a live
    value from the registered one; None for versions registered before it was recorded or without predictions.
    ``decision`` is how ``mlgate retrain`` judged the version against the live one on the same fresh rows
    (``mlgate.retrain.decide.Decision.record``: metric, both values, the interval, the test); None otherwise.
    """

    version: str
    model: str  # the candidate's name in mlgate.yaml
    estimator: str
    artifact: str
    sha256: str
    metrics: dict[str, float]
    params: dict[str, Any]
    data_sha256: str | None
    schema_sha256: str | None
    commit: str | None
    registered_by: str
    registered_at: str
    trusted_types: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    feature_schema: dict[str, Any] | None = None  # how to read each feature's values: see reading_schema
    golden: tuple[GoldenRow, ...] = ()
    reference_stats: dict[str, Any] | None = None
    prediction_stats: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None
    history: tuple[StatusChange, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    uncertainty: dict[str, dict[str, float]] | None = None

    @property
    def status(self) -> Status:
        return self.history[-1].status if self.history else "pending"


@dataclass(frozen=True)
class HistoryEvent:
    """One line of the registry's append-only history (registrations, status changes, deploys, rollbacks)."""

    at: str
    event: str  # "registered" | "approved" | "rejected" | "deployed" | "rolled-back" | "deploy-failed" ...
    version: str | None
    by: str
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


class Registry(Protocol):
    """What every registry backend does. Writes are atomic and serialised; history is append-only."""

    def register(self, version: ModelVersion, artifact_file: Path) -> ModelVersion:
        """Store a new version (its ``version`` field is assigned here: "1", "2", …) with a copy of the file."""
        ...

    def get(self, version: str) -> ModelVersion:
        """One version; an unknown version is an InputError naming the known ones."""
        ...

    def list(self) -> Sequence[ModelVersion]:
        """Every version, oldest first."""
        ...

    def set_status(self, version: str, status: Status, *, by: str, reason: str) -> ModelVersion:
        """Change a version's status, recording who, why and when (a reason is required)."""
        ...

    def record(self, event: HistoryEvent) -> None:
        """Append an event (deploys, rollbacks) to the history."""
        ...

    def history(self, version: str | None = None) -> Sequence[HistoryEvent]:
        """The history, oldest first (of one version when given)."""
        ...

    def artifact_path(self, version: ModelVersion) -> Path:
        """A local path of the version's artifact (downloaded first for remote backends)."""
        ...
