"""``shadow.json``: the version a server also runs, off the request path, on a share of the live traffic.

Written atomically by ``mlgate deploy VERSION --shadow`` and removed by ``mlgate shadow stop``; a watching server
starts or stops shadowing within a poll. The shadow's answers are written to ``<state>/shadow/`` (``SHADOW_DIR``),
one JSONL record per row with the live answer beside it (``mlgate.serve.shadow``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from mlgate.errors import InputError
from mlgate.files import write_atomic
from mlgate.serve.state import LivePointer, parse_pointer, read_state_file, remove_state_file

SHADOW_FILE = "shadow.json"
SHADOW_DIR = "shadow"


@dataclass(frozen=True)
class ShadowPointer:
    """Which version shadows the live one, on which share of the requests, since when."""

    pointer: LivePointer
    fraction: float
    started_at: str  # ISO 8601

    def to_json(self) -> str:
        document = {
            "pointer": json.loads(self.pointer.to_json()),
            "fraction": self.fraction,
            "started_at": self.started_at,
        }
        return json.dumps(document, indent=2) + "\n"


@dataclass(frozen=True)
class ShadowChange:
    """What a shadow command did (``mlgate deploy --shadow``, ``mlgate shadow stop``)."""

    action: str  # "started" | "stopped" | "not-running"
    version: str | None
    fraction: float | None
    live: str | None
    state: str
    message: str


def check_fraction(fraction: float) -> float:
    """A share of requests in (0, 1]; anything else is an InputError."""
    if not (math.isfinite(fraction) and 0 < fraction <= 1):
        raise InputError(f"--fraction {fraction:g} must be in (0, 1]", hint="0.1 shadows one request in ten")
    return float(fraction)


def parse_shadow(text: str, *, where: str) -> ShadowPointer:
    """Parse ``shadow.json``; anything malformed is an InputError naming ``where``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("pointer"), dict):
        raise InputError(f"{where}: expected an object with pointer, fraction and started_at")
    fraction, started = document.get("fraction"), document.get("started_at")
    if not isinstance(fraction, int | float) or isinstance(fraction, bool) or not isinstance(started, str):
        raise InputError(f"{where}: fraction must be a number and started_at a string")
    pointer = parse_pointer(json.dumps(document["pointer"]), where=f"{where}: pointer")
    return ShadowPointer(pointer=pointer, fraction=check_fraction(float(fraction)), started_at=started)


def read_shadow(state: Path) -> ShadowPointer | None:
    """The shadow in ``state``; None when nothing shadows."""
    return read_state_file(state / SHADOW_FILE, parse_shadow)


def write_shadow(state: Path, shadow: ShadowPointer) -> None:
    """Start (or change) shadowing atomically."""
    write_atomic(state / SHADOW_FILE, shadow.to_json())


def clear_shadow(state: Path) -> bool:
    """Stop shadowing; False when nothing was shadowing."""
    return remove_state_file(state / SHADOW_FILE)
