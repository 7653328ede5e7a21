"""The registry's records as JSON: ``version.json`` documents and ``history.jsonl`` lines.

A version document carries ``schema_version`` and ``kind`` (``mlgate-model-version``); its JSON Schema is
in docs/schemas/registry.schema.json. The local backend stores ``artifact`` relative to the registry folder
and hands out absolute paths; ``status`` is written for people reading the file and recomputed from
``history`` when read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mlgate.errors import InputError
from mlgate.registry.model import STATUSES, GoldenRow, HistoryEvent, ModelVersion, Status, StatusChange

SCHEMA_VERSION = 1
VERSION_KIND = "mlgate-model-version"
HEAVY_KEYS = ("golden", "reference_stats", "prediction_stats")


def version_to_data(version: ModelVersion, *, artifact: str | None = None) -> dict[str, Any]:
    """The JSON document of ``version`` (``artifact`` overrides the stored path when given)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": VERSION_KIND,
        "version": version.version,
        "model": version.model,
        "estimator": version.estimator,
        "status": version.status,
        "artifact": version.artifact if artifact is None else artifact,
        "sha256": version.sha256,
        "metrics": dict(version.metrics),
        "params": dict(version.params),
        "data_sha256": version.data_sha256,
        "schema_sha256": version.schema_sha256,
        "commit": version.commit,
        "registered_by": version.registered_by,
        "registered_at": version.registered_at,
        "trusted_types": list(version.trusted_types),
        "features": list(version.features),
        "feature_schema": version.feature_schema,
        "golden": [{"features": dict(row.features), "prediction": row.prediction} for row in version.golden],
        "reference_stats": version.reference_stats,
        "prediction_stats": version.prediction_stats,
        "decision": version.decision,
        "history": [change_to_data(change) for change in version.history],
        "extra": dict(version.extra),
        **({} if version.uncertainty is None else {"uncertainty": uncertainty_to_data(version.uncertainty)}),
    }


def summary_data(version: ModelVersion) -> dict[str, Any]:
    """The version document without its bulky parts (golden rows, statistics): for listings."""
    data = version_to_data(version)
    for key in HEAVY_KEYS:
        data.pop(key)
    return data


def render_version(version: ModelVersion, *, artifact: str | None = None) -> str:
    """The text of a ``version.json`` file."""
    return json.dumps(version_to_data(version, artifact=artifact), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def version_from_data(data: Any, *, where: str, artifact: str | None = None) -> ModelVersion:
    """Rebuild a ModelVersion from its document; a wrong shape is an InputError naming the file and key."""
    if not isinstance(data, Mapping) or data.get("kind") != VERSION_KIND:
        raise InputError(f"{where}: not an mlgate model-version record (kind is not {VERSION_KIND!r})")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise InputError(
            f"{where}: record schema_version {data.get('schema_version')!r} is not supported "
            f"(this mlgate reads {SCHEMA_VERSION})",
            hint="use the mlgate version that wrote the registry",
        )
    try:
        return ModelVersion(
            version=str(data["version"]),
            model=str(data["model"]),
            estimator=str(data["estimator"]),
            artifact=str(data["artifact"]) if artifact is None else artifact,
            sha256=str(data["sha256"]),
            metrics={str(k): float(v) for k, v in _mapping(data["metrics"], "metrics").items()},
            params=dict(_mapping(data["params"], "params")),
            data_sha256=_optional(data.get("data_sha256")),
            schema_sha256=_optional(data.get("schema_sha256")),
            commit=_optional(data.get("commit")),
            registered_by=str(data["registered_by"]),
            registered_at=str(data["registered_at"]),
            trusted_types=tuple(str(t) for t in data.get("trusted_types") or ()),
            features=tuple(str(f) for f in data.get("features") or ()),
            feature_schema=_optional_mapping(data.get("feature_schema"), "feature_schema"),
            golden=tuple(_golden_from(row) for row in data.get("golden") or ()),
            reference_stats=_optional_mapping(data.get("reference_stats"), "reference_stats"),
            prediction_stats=_optional_mapping(data.get("prediction_stats"), "prediction_stats"),
            decision=_optional_mapping(data.get("decision"), "decision"),
            history=tuple(change_from_data(change) for change in data.get("history") or ()),
            extra=dict(_mapping(data.get("extra") or {}, "extra")),
            uncertainty=uncertainty_from_data(data.get("uncertainty")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(f"{where}: malformed model-version record: {detail}") from exc


def uncertainty_to_data(uncertainty: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Per metric ``{"n": rows, "se": standard error}``."""
    return {name: {"n": int(item["n"]), "se": float(item["se"])} for name, item in uncertainty.items()}


def uncertainty_from_data(value: Any) -> dict[str, dict[str, float]] | None:
    """The recorded uncertainty; absent (older records) is None, a wrong shape a ValueError."""
    if value is None:
        return None
    found: dict[str, dict[str, float]] = {}
    for name, item in _mapping(value, "uncertainty").items():
        raw = _mapping(item, f"uncertainty.{name}")
        n, se = int(raw["n"]), float(raw["se"])
        if n < 1 or not se >= 0:
            raise ValueError(f"uncertainty.{name}: n must be ≥ 1 and se a number ≥ 0")
        found[str(name)] = {"n": n, "se": se}
    return found


def change_to_data(change: StatusChange) -> dict[str, Any]:
    return {"status": change.status, "by": change.by, "reason": change.reason, "at": change.at}


def change_from_data(data: Any) -> StatusChange:
    raw = _mapping(data, "history")
    return StatusChange(
        status=check_status(raw["status"]), by=str(raw["by"]), reason=str(raw["reason"]), at=str(raw["at"])
    )


def check_status(value: Any) -> Status:
    """``value`` as a Status; anything else is a ValueError."""
    for status in STATUSES:
        if value == status:
            return status
    raise ValueError(f"status {value!r} is not one of {', '.join(STATUSES)}")


def event_to_data(event: HistoryEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "event": event.event,
        "version": event.version,
        "by": event.by,
        "reason": event.reason,
        "detail": dict(event.detail),
    }


def event_line(event: HistoryEvent) -> str:
    """One ``history.jsonl`` line (with its newline)."""
    return json.dumps(event_to_data(event), ensure_ascii=False, allow_nan=False, sort_keys=False) + "\n"


def event_from_data(data: Any, *, where: str) -> HistoryEvent:
    """Rebuild a HistoryEvent; a wrong shape is an InputError naming ``where`` (file:line)."""
    try:
        raw = _mapping(data, "event")
        version = raw.get("version")
        return HistoryEvent(
            at=str(raw["at"]),
            event=str(raw["event"]),
            version=None if version is None else str(version),
            by=str(raw["by"]),
            reason=str(raw.get("reason") or ""),
            detail=dict(_mapping(raw.get("detail") or {}, "detail")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(f"{where}: malformed history event: {detail}") from exc


def _golden_from(data: Any) -> GoldenRow:
    raw = _mapping(data, "golden")
    return GoldenRow(features=dict(_mapping(raw["features"], "golden.features")), prediction=raw["prediction"])


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'{key}' must be an object")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def _optional_mapping(value: Any, key: str) -> dict[str, Any] | None:
    return None if value is None else dict(_mapping(value, key))
