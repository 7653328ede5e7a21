"""The local server's state folder: the live pointer (``live.json``), the ``port`` file and ``server.json``.

``live.json`` names the version to serve; deploy and rollback write it (atomically) and nothing else
does. The server writes ``port`` and ``server.json`` once it listens, removes them when it stops, and holds a
lock on ``server.lock`` meanwhile so that a second server on the same folder is refused. A killed server
leaves ``port`` and ``server.json`` behind: ``is_server_running`` (the lock) tells whether they are current.
The HTTP headers the server answers with and the deploy target reads (``VERSION_HEADER``, ``REQUEST_ID_HEADER``,
``TIMING_HEADER`` with ``format_timing``/``read_timing``)
are here too. Everything here is plain JSON and text, so the deploy target can use it without the server's
libraries.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from mlgate.errors import InputError
from mlgate.files import write_atomic

LIVE_FILE = "live.json"
PORT_FILE = "port"
SERVER_FILE = "server.json"
LOCK_FILE = "server.lock"  # held (flock) by the running server: one server per state folder
VERSION_HEADER = "X-Mlgate-Version"  # the version that answered, on every reply of a loaded server
REQUEST_ID_HEADER = "X-Request-Id"  # the client's request id, echoed back and kept with captured rows
TIMING_HEADER = "Server-Timing"  # on predictions: ``predict;dur=MS``, the server's own time (parse, predict, render)
_Parsed = TypeVar("_Parsed")
_POINTER_KEYS = ("version", "model", "artifact", "sha256", "trusted_types", "features", "switched_at")


@dataclass(frozen=True)
class LivePointer:
    """What ``live.json`` says: the version to serve and how to load it safely."""

    version: str
    model: str
    artifact: str  # absolute path of the registry's copy of the skops file
    sha256: str
    trusted_types: tuple[str, ...]
    features: tuple[str, ...]
    switched_at: str  # ISO 8601
    # The registered version's feature_schema (mlgate.data.schema.reading_schema): requests are read with it.
    # Optional: a pointer without it (written before it was recorded) serves with the untyped reading.
    feature_schema: Mapping[str, Any] | None = None

    def same_model(self, other: LivePointer) -> bool:
        """Whether ``other`` would load exactly the same model (only ``switched_at`` may differ)."""
        return self._loading_key() == other._loading_key()

    def _loading_key(self) -> tuple[Any, ...]:
        return (self.version, self.artifact, self.sha256, self.trusted_types, self.features, self.feature_schema)

    def to_json(self) -> str:
        """The document as deploy writes it (lists for the tuples; no ``feature_schema`` key without one)."""
        document = asdict(self)
        if document["feature_schema"] is None:
            del document["feature_schema"]
        return json.dumps(document, indent=2) + "\n"


@dataclass(frozen=True)
class ServerInfo:
    """``server.json``: which process serves the state folder, where, and since when."""

    pid: int
    port: int
    host: str
    started_at: str

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def parse_pointer(text: str, *, where: str) -> LivePointer:
    """Parse the text of ``live.json``; anything malformed is an InputError naming ``where``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(document, dict):
        raise InputError(f"{where}: expected a JSON object with keys {', '.join(_POINTER_KEYS)}")
    missing = [key for key in _POINTER_KEYS if key not in document]
    if missing:
        raise InputError(f"{where}: missing {', '.join(missing)}", hint="live.json is written by `mlgate deploy`")
    return LivePointer(
        version=_text(document, "version", where),
        model=_text(document, "model", where),
        artifact=_text(document, "artifact", where),
        sha256=_text(document, "sha256", where),
        trusted_types=_texts(document, "trusted_types", where),
        features=_texts(document, "features", where),
        switched_at=_text(document, "switched_at", where),
        feature_schema=_optional_mapping(document, "feature_schema", where),
    )


def read_pointer(state: Path) -> LivePointer | None:
    """The pointer in ``state``; None when there is no ``live.json`` yet."""
    return read_state_file(state / LIVE_FILE, parse_pointer)


def read_state_file(path: Path, parse: Callable[..., _Parsed]) -> _Parsed | None:
    """``parse(text, where=path)`` of a state-folder file; None when it is absent, an InputError when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    return parse(text, where=str(path))


def remove_state_file(path: Path) -> bool:
    """Remove a state-folder file a server follows (``shadow.json``, ``ab.json``); False when it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def write_pointer(state: Path, pointer: LivePointer) -> None:
    """Switch the pointer atomically (a watching server picks it up within a poll)."""
    write_atomic(state / LIVE_FILE, pointer.to_json())


def read_port(state: Path) -> int | None:
    """The port the server wrote, or None when there is no (valid) port file."""
    try:
        text = (state / PORT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def read_server_info(state: Path) -> ServerInfo | None:
    """``server.json``, or None when it is missing or unreadable."""
    try:
        document = json.loads((state / SERVER_FILE).read_text(encoding="utf-8"))
        return ServerInfo(
            pid=int(document["pid"]),
            port=int(document["port"]),
            host=str(document.get("host", "127.0.0.1")),
            started_at=str(document["started_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_server_running(state: Path) -> bool:
    """Whether a server holds ``state``'s lock, so that ``port`` and ``server.json`` are its own.

    A server that was killed (SIGKILL, a crash, a power cut) leaves both files behind, and its port may since
    belong to another process: only a held lock says the files are current. The probe takes a shared lock
    for an instant (a starting server retries its own for a second, so the two never collide).
    """
    try:
        handle = os.open(state / LOCK_FILE, os.O_RDONLY)
    except FileNotFoundError:
        return False  # no server ever ran here
    except OSError:
        return True  # cannot tell: trust the files, as before the lock existed
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return True
    else:
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
    finally:
        os.close(handle)


def write_server_files(state: Path, info: ServerInfo) -> None:
    """Write ``server.json`` then ``port`` (readers wait for ``port``), each atomically."""
    document = {**asdict(info), "url": info.url}
    write_atomic(state / SERVER_FILE, json.dumps(document, indent=2) + "\n")
    write_atomic(state / PORT_FILE, f"{info.port}\n")


def remove_server_files(state: Path, pid: int | None = None) -> None:
    """Remove ``port`` and ``server.json`` (only if they belong to process ``pid``, when given)."""
    info = read_server_info(state)
    if pid is not None and info is not None and info.pid != pid:
        return
    for name in (PORT_FILE, SERVER_FILE):
        (state / name).unlink(missing_ok=True)


def _text(document: Mapping[str, Any], key: str, where: str) -> str:
    value = document[key]
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: '{key}' must be a non-empty string, not {value!r}")
    return value


def _optional_mapping(document: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = document.get(key)
    if value is not None and not isinstance(value, dict):
        raise InputError(f"{where}: '{key}' must be an object or null, not {value!r}")
    return value


def _texts(document: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = document[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(f"{where}: '{key}' must be a list of strings, not {value!r}")
    return tuple(value)


def format_timing(seconds: float) -> str:
    """The ``Server-Timing`` value for a prediction that took ``seconds`` inside the server."""
    return f"predict;dur={seconds * 1000.0:.3f}"


def read_timing(value: str | None) -> float | None:
    """The ``predict`` duration in ms of a ``Server-Timing`` value; None when absent or not a finite number."""
    for metric in (value or "").split(","):
        name, _, params = metric.strip().partition(";")
        if name.strip() != "predict":
            continue
        for param in params.split(";"):
            key, _, number = param.strip().partition("=")
            if key.strip() == "dur":
                try:
                    duration = float(number)
                except ValueError:
                    return None
                return duration if math.isfinite(duration) and duration >= 0 else None
    return None
