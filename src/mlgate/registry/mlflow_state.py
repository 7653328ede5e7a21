"""What the ``mlflow`` registry backend keeps in MLflow's tags and aliases, and what it reads back from them.

- **History**: one registered-model tag per event, ``mlgate.history.<20-digit ns>-<12 hex>`` = the event's JSON
  (keys sort by time; a tag is never rewritten). MLflow returns every tag of a registered model in one request.
- **A version's facts**: model-version tags ``mlgate.sha256``, ``mlgate.record_sha256`` (of the ``record.json``
  artifact that holds the whole version document), ``mlgate.model``, ``mlgate.estimator``, the data digests...
- **Status** is what mlgate's history says (registered → pending, then every approval and rejection). The tag
  ``mlgate.status`` and the aliases are its visible mirror: ``champion`` on the version the history last put
  live, ``challenger`` on the newest approved version. A mirror that disagrees with the history was set outside
  mlgate; ``find_outside_changes`` names it, and the deploy gate refuses such a version unless mlgate approved it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from mlgate.errors import InputError
from mlgate.registry.model import STATUSES, HistoryEvent, ModelVersion, Status, StatusChange
from mlgate.registry.records import check_status, event_from_data, event_to_data

HISTORY_PREFIX = "mlgate.history."


class ModelState(NamedTuple):
    """A registered model as one read gives it: the history, the aliases, and where the history puts them."""

    events: tuple[HistoryEvent, ...]
    aliases: dict[str, str]
    expected: dict[str, str | None]


RECORD_TAG = "mlgate.record_sha256"
SHA_TAG = "mlgate.sha256"
STATUS_TAG = "mlgate.status"
MAX_TAG = 5000  # far below MLflow's 100,000 for registry tags: a tag is for reading in the UI


def history_key(ticks: int, token: str) -> str:
    """The tag key of an event written at ``ticks`` (ns since the epoch): sorts by time, unique by ``token``."""
    return f"{HISTORY_PREFIX}{ticks:020d}-{token}"


def event_value(event: HistoryEvent) -> str:
    """The tag value of ``event``: its JSON (the reason shortened when it would not fit in ``MAX_TAG``)."""
    data = event_to_data(event)
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if len(text) > MAX_TAG:
        data["reason"] = str(data["reason"])[: max(0, MAX_TAG - (len(text) - len(str(data["reason"]))) - 20)] + "…"
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text


def read_events(tags: Mapping[str, str], *, where: str) -> tuple[HistoryEvent, ...]:
    """The history events among a registered model's tags, oldest first; a malformed one is an InputError."""
    events = []
    for key in sorted(k for k in tags if k.startswith(HISTORY_PREFIX)):
        try:
            data = json.loads(tags[key])
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}, tag {key}: history event is not valid JSON: {exc.msg}") from exc
        events.append(event_from_data(data, where=f"{where}, tag {key}"))
    return tuple(events)


def version_tags(version: ModelVersion, record_sha256: str) -> dict[str, str]:
    """The short facts of a new version, as model-version tags people can read and search in MLflow."""
    facts: dict[str, str | None] = {
        SHA_TAG: version.sha256,
        RECORD_TAG: record_sha256,
        "mlgate.model": version.model,
        "mlgate.estimator": version.estimator,
        "mlgate.data_sha256": version.data_sha256,
        "mlgate.schema_sha256": version.schema_sha256,
        "mlgate.commit": version.commit,
        "mlgate.registered_by": version.registered_by,
        STATUS_TAG: "pending",
    }
    return {key: value[:MAX_TAG] for key, value in facts.items() if value}


def status_tags(change: StatusChange) -> dict[str, str]:
    """The mirror of a version's latest status change."""
    return {
        STATUS_TAG: change.status,
        "mlgate.status_by": change.by[:MAX_TAG],
        "mlgate.status_reason": change.reason[:MAX_TAG],
        "mlgate.status_at": change.at,
    }


def status_changes(events: Iterable[HistoryEvent], number: str, registered: StatusChange) -> tuple[StatusChange, ...]:
    """A version's status changes from the history: ``registered`` (pending), then each approval and rejection."""
    changes = [
        StatusChange(status=check_status(e.event), by=e.by, reason=e.reason, at=e.at)
        for e in events
        if e.version == number and e.event in STATUSES
    ]
    return (registered, *changes)


def live_version(events: Iterable[HistoryEvent]) -> str | None:
    """The version the history last put live (``detail["live"]`` of the latest deploy or rollback), or None."""
    live = None
    for event in events:
        value = event.detail.get("live")
        if isinstance(value, str):
            live = value
    return live


def latest_statuses(events: Iterable[HistoryEvent]) -> dict[str, Status]:
    """Every version's status after the history: registered → pending, then each approval and rejection."""
    statuses: dict[str, Status] = {}
    for event in events:
        if event.version is not None and event.event == "registered":
            statuses[event.version] = "pending"
        elif event.version is not None and event.event in STATUSES:
            statuses[event.version] = check_status(event.event)
    return statuses


def newest_approved(statuses: Mapping[str, Status]) -> str | None:
    """The approved version with the highest number, or None."""
    approved = [number for number, status in statuses.items() if status == "approved"]
    return max(approved, key=int) if approved else None


def expected_aliases(
    events: Sequence[HistoryEvent], statuses: Mapping[str, Status], *, champion: str, challenger: str
) -> dict[str, str | None]:
    """Where mlgate's history says each alias belongs (None: on no version)."""
    return {champion: live_version(events), challenger: newest_approved(statuses)}


def find_outside_changes(
    number: str,
    status: Status,
    tags: Mapping[str, str],
    aliases: Mapping[str, str],
    expected: Mapping[str, str | None],
) -> tuple[str, ...]:
    """What was set on version ``number`` outside mlgate: a status tag that is not its status in mlgate's
    history, or one of mlgate's aliases that the history does not put on it."""
    found = []
    tagged = tags.get(STATUS_TAG)
    if tagged is not None and tagged != status:
        found.append(f"tag {STATUS_TAG}={tagged[:40]!r}")
    for alias, target in aliases.items():
        if alias in expected and target == number and expected[alias] != number:
            found.append(f"alias {alias!r}")
    return tuple(found)
