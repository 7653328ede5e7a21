"""``ab.json``: the A/B split a local server runs, and the sticky routing rule it follows.

Written atomically by ``mlgate deploy VERSION --ab PERCENT`` and removed when ``mlgate ab decide`` (or ``ab stop``)
ends the test; a watching server starts or stops routing within a poll. While it exists, ``percent`` of the clients
are answered by the challenger (``challenger``: a pointer loaded like ``live.json``), the rest by the live version.

A client is the value of ``key`` in its request: ``header:<Name>`` (a request header) or ``feature:<name>`` (that
input of the request's first row); a request without it is its own client (its request id). ``is_challenger``
hashes the client with the split's start time (so each test draws a new, independent split): the same client lands
on the same variant for the whole test, and the share is ``percent`` over many clients.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

from mlgate.errors import ConfigError, InputError
from mlgate.files import write_atomic
from mlgate.serve.state import LivePointer, parse_pointer, read_state_file, remove_state_file

AB_FILE = "ab.json"
AB_DIR = "ab"  # the per-request log of the split (mlgate.serve.ab_log)
VARIANT_HEADER = "X-Mlgate-Variant"  # "champion" or "challenger" on every answer while a split runs
KEY_KINDS = ("header", "feature")
_SCALE = 2**64


@dataclass(frozen=True)
class AbPointer:
    """The running split: who answers which share of the clients, since when."""

    champion: str
    challenger: LivePointer
    percent: float
    key: str
    started_at: str  # ISO 8601; also the routing salt

    def to_json(self) -> str:
        document = {
            "champion": self.champion,
            "challenger": json.loads(self.challenger.to_json()),
            "percent": self.percent,
            "key": self.key,
            "started_at": self.started_at,
        }
        return json.dumps(document, indent=2) + "\n"


def check_percent(percent: float) -> float:
    """A challenger share in (0, 100) percent; anything else is an InputError."""
    if not (math.isfinite(percent) and 0 < percent < 100):
        raise InputError(
            f"--ab {percent:g} must be a percentage between 0 and 100 (exclusive)",
            hint="--ab 10 sends one client in ten to the challenger",
        )
    return float(percent)


def split_key(key: str, *, where: str = "ab.key") -> tuple[str, str]:
    """``(kind, name)`` of a routing key ``header:<Name>`` or ``feature:<name>``; a ConfigError otherwise."""
    kind, _, name = key.partition(":")
    if kind not in KEY_KINDS or not name.strip():
        raise ConfigError(
            f"{where} is {key!r}: expected header:<Name> or feature:<name>",
            hint="e.g. header:X-Mlgate-Client (a header your clients send) or feature:customer_id",
        )
    return kind, name.strip()


def is_challenger(client: str, *, salt: str, percent: float) -> bool:
    """Whether ``client`` is in the challenger's ``percent`` share of this split (``salt``: its start)."""
    digest = hashlib.sha256(f"{salt}\x00{client}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < percent / 100 * _SCALE


def parse_ab(text: str, *, where: str) -> AbPointer:
    """Parse ``ab.json``; anything malformed is an InputError naming ``where``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("challenger"), dict):
        raise InputError(f"{where}: expected an object with champion, challenger, percent, key and started_at")
    champion, percent = document.get("champion"), document.get("percent")
    key, started = document.get("key"), document.get("started_at")
    if not all(isinstance(v, str) for v in (champion, key, started)):
        raise InputError(f"{where}: champion, key and started_at must be strings")
    if not isinstance(percent, int | float) or isinstance(percent, bool):
        raise InputError(f"{where}: percent must be a number")
    try:
        split_key(str(key), where=f"{where}: key")
    except ConfigError as exc:
        raise InputError(exc.message) from exc
    challenger = parse_pointer(json.dumps(document["challenger"]), where=f"{where}: challenger")
    return AbPointer(str(champion), challenger, check_percent(float(percent)), str(key), str(started))


def read_ab(state: Path) -> AbPointer | None:
    """The split in ``state``; None when no A/B test runs."""
    return read_state_file(state / AB_FILE, parse_ab)


def write_ab(state: Path, split: AbPointer) -> None:
    """Start the split atomically."""
    write_atomic(state / AB_FILE, split.to_json())


def clear_ab(state: Path) -> bool:
    """End the split; False when none was running."""
    return remove_state_file(state / AB_FILE)
