"""A/B routing on the local server: a sticky share of the clients answered by a challenger version.

``AbWatcher`` follows ``ab.json`` (``mlgate.serve.ab_state``): a new split loads the challenger in the watcher
thread, as ``live.json`` loads (digest, trusted types, feature schema), and only then does routing start; a removed
file stops it within a poll. On the request path, ``AbRouter.choose`` finds the client's key (a header, or a feature
of the first row), hashes it with the split's start and answers with the challenger's model when the client falls in
its share. Smoke tests and a deploy's reference requests are never routed (they test the live version). The app
answers with the champion when the challenger fails on a request (``fallback``): the client never sees the
experiment fail, and the failure is logged for the guardrails. Every routed invocation goes to the A/B log
(``mlgate.serve.ab_log``).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.serve.ab_log import AbEntry, AbLog
from mlgate.serve.ab_state import AB_FILE, AbPointer, is_challenger, parse_ab, split_key
from mlgate.serve.holder import Loader, ModelHolder, ServedModel, load_estimator
from mlgate.serve.parse import CSV, media_type
from mlgate.serve.watcher import PointerWatcher

logger = logging.getLogger("mlgate.serve.ab")

CHAMPION, CHALLENGER = "champion", "challenger"


@dataclass
class AbStats:
    """What ``/status`` says about the split."""

    champion: str | None = None
    challenger: str | None = None
    percent: float | None = None
    key: str | None = None
    started_at: str | None = None
    ready: bool = False  # the challenger is loaded and routing runs
    error: str | None = None  # why the challenger is not answering
    routed: int = 0  # requests routed to the challenger
    answered: int = 0  # requests answered in the split, both variants
    fallbacks: int = 0  # challenger failures answered by the champion
    logged: int = 0  # records written to the A/B log (by this server, every split)
    log_errors: int = 0  # records the A/B log could not write

    def to_document(self) -> dict[str, Any]:
        return dict(self.__dict__)


class AbRouter:
    """The running split, its loaded challenger, the routing rule and the log (see the module docstring)."""

    def __init__(self, log: AbLog, *, loader: Loader = load_estimator) -> None:
        self.log = log
        self._holder = ModelHolder(loader=loader)
        self._split: AbPointer | None = None
        self._key: tuple[str, str] = ("header", "")
        self._stats = AbStats()
        self._logged: set[str] = set()

    # -- the request path ------------------------------------------------------------------------------------

    def choose(
        self, headers: Mapping[str, str], body: bytes, content_type: str | None, champion: ServedModel, request_id: str
    ) -> ServedModel | None:
        """The challenger's model when this request's client is in its share, else None (the champion answers)."""
        split = self._split
        if split is None or champion.version != split.champion:
            return None
        challenger = self._holder.current
        if challenger is None or challenger.version != split.challenger.version:
            return None
        client = find_client(self._key, headers, body, content_type, champion.features) or request_id
        if not is_challenger(client, salt=split.started_at, percent=split.percent):
            return None
        self._stats.routed += 1
        return challenger

    def record(self, entry: AbEntry) -> None:
        """Log one answered invocation of the split (never raises)."""
        if self._split is None:
            return
        self._stats.answered += 1
        self._stats.fallbacks += entry.fallback
        self.log.add(entry)

    def note_failure(self, version: str, exc: Exception) -> None:
        """The challenger failed on a request (the champion answered): logged once per kind of failure."""
        kind = type(exc).__name__
        if kind not in self._logged:
            self._logged.add(kind)
            logger.warning("version %s failed on a request (%s: %s); the champion answered it", version, kind, exc)

    @property
    def running(self) -> bool:
        return self._split is not None

    # -- the watcher thread ----------------------------------------------------------------------------------

    def apply(self, split: AbPointer | None) -> None:
        """Run ``split`` from now on (None: stop); the challenger loads first, routing starts once it has."""
        if split is None:
            if self._split is not None:
                logger.info("A/B test of version %s stopped", self._split.challenger.version)
            self._split, self._stats = None, AbStats()
            return
        self._key = split_key(split.key)
        self._stats = AbStats(
            champion=split.champion,
            challenger=split.challenger.version,
            percent=split.percent,
            key=split.key,
            started_at=split.started_at,
        )
        self._split = split
        self._holder.apply(split.challenger)
        status = self._holder.status()
        self._stats.ready = status.version == split.challenger.version
        self._stats.error = status.loading_error
        if self._stats.ready:
            logger.info(
                "A/B test: version %s answers %.4g%% of the clients (by %s)",
                split.challenger.version,
                split.percent,
                split.key,
            )

    def report(self, message: str) -> None:
        self._stats.error = message
        logger.error("%s; no A/B routing", message)

    def stats(self) -> AbStats:
        document = self._stats.to_document() | {"logged": self.log.written, "log_errors": self.log.write_errors}
        return AbStats(**document)


class AbWatcher(PointerWatcher):
    """Polls ``<state>/ab.json`` and applies it to an AbRouter (removed: the split stops)."""

    file_name = AB_FILE

    def __init__(self, state: Path, router: AbRouter, *, interval: float = 0.2) -> None:
        self.router = router
        super().__init__(state, holder=None, interval=interval)  # type: ignore[arg-type]  # no holder: the router

    def handle(self, text: str) -> None:
        self.router.apply(parse_ab(text, where=str(self.path)))

    def report(self, message: str) -> None:
        self.router.apply(None)
        self.router.report(message)

    def removed(self) -> bool:
        self.router.apply(None)
        return True


def find_client(
    key: tuple[str, str], headers: Mapping[str, str], body: bytes, content_type: str | None, features: tuple[str, ...]
) -> str | None:
    """The request's client under ``key`` (``(kind, name)``), or None when the request does not carry it."""
    kind, name = key
    if kind == "header":
        value = headers.get(name)
        return value if value else None
    try:
        if media_type(content_type) == CSV:
            return _csv_client(body, name, features)
        document = json.loads(body)
        row = document["instances"][0] if isinstance(document, dict) else None
    except (ValueError, KeyError, IndexError, TypeError, csv.Error):
        return None
    if isinstance(row, dict):
        return _cell(row.get(name))
    if isinstance(row, list) and name in features and len(row) == len(features):
        return _cell(row[features.index(name)])
    return None


def _csv_client(body: bytes, name: str, features: tuple[str, ...]) -> str | None:
    """The ``name`` column of a CSV body's first row: by its header when the first line names it, else by the
    feature order (as the server reads CSV)."""
    rows = csv.reader(io.StringIO(body.decode("utf-8", errors="replace")))
    first = next(rows, None)
    if not first:
        return None
    if name in first:
        second = next(rows, None)
        at = first.index(name)
        return _cell(second[at]) if second and at < len(second) else None
    if name in features and len(first) == len(features):
        return _cell(first[features.index(name)])
    return None


def _cell(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return json.dumps(value) if not isinstance(value, str) else value
