"""The model being served, and the hot swap: load the new version fully, then replace it under a lock.

A request takes ``holder.current`` once and uses that snapshot to the end, so a swap never changes the
model under a request in flight: it finishes on the old model, the next one gets the new model. The model
swapped out stays loaded until the next swap (``previous``): a deploy times it in the same window as the new
one, and a switch back to it takes effect at once, without reading the artifact again. A version
that fails to load (tampered digest, untrusted type, features that do not match) leaves the old model
serving; the failure is logged and shown by ``status()`` until a pointer loads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.artifacts import load_model
from mlgate.clock import utc_now
from mlgate.errors import InputError, MlgateError
from mlgate.serve.convert import read_feature_schema
from mlgate.serve.state import LivePointer

if TYPE_CHECKING:
    from mlgate.data.schema import Schema

logger = logging.getLogger("mlgate.serve")

Loader = Callable[[LivePointer], Any]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ServedModel:
    """A loaded model ready to predict, with the pointer it came from and its input columns, in order.

    ``schema`` reads request values as training read the data (the version's feature schema); None for a
    pointer without one.
    """

    pointer: LivePointer
    estimator: Any
    features: tuple[str, ...]
    loaded_at: str
    schema: Schema | None = None

    @property
    def version(self) -> str:
        return self.pointer.version


@dataclass(frozen=True)
class HolderStatus:
    """What ``GET /status`` reports: the served version, the pointer's version and the last load failure."""

    version: str | None
    pointer_version: str | None
    loading: bool
    loading_error: str | None
    model: str | None
    sha256: str | None
    loaded_at: str | None

    def to_document(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "loading_error": self.loading_error,
            "pointer_version": self.pointer_version,
            "loading": self.loading,
            "model": self.model,
            "sha256": self.sha256,
            "loaded_at": self.loaded_at,
        }


def load_estimator(pointer: LivePointer) -> Any:
    """Load the pointer's artifact: digest first, then only the trusted types (mlgate.artifacts)."""
    return load_model(Path(pointer.artifact), sha256=pointer.sha256, trusted=pointer.trusted_types)


def check_features(pointer: LivePointer, estimator: Any) -> tuple[str, ...]:
    """The columns requests must provide: the pointer's features, which must match what the model was fit on."""
    if not callable(getattr(estimator, "predict", None)):
        raise InputError(f"{pointer.artifact} holds a {type(estimator).__name__}, which has no predict()")
    fitted = tuple(str(name) for name in getattr(estimator, "feature_names_in_", ()))
    if pointer.features and fitted and pointer.features != fitted:
        raise InputError(
            f"live.json lists features {', '.join(pointer.features)}, but the model was fit on {', '.join(fitted)}",
            hint="re-register the version so its features match the model",
        )
    features = pointer.features or fitted
    if not features:
        raise InputError("live.json lists no features and the model does not record them (feature_names_in_)")
    return features


class ModelHolder:
    """Holds the served model; ``apply`` loads a pointer's model and swaps it in (one loader thread)."""

    def __init__(self, *, loader: Loader = load_estimator, clock: Clock = utc_now) -> None:
        self._loader = loader
        self._clock = clock
        self._lock = threading.Lock()
        self._current: ServedModel | None = None
        self._previous: ServedModel | None = None  # the model swapped out last: a deploy's latency reference
        self._pointer_version: str | None = None
        self._loading = False
        self._error: str | None = None

    @property
    def current(self) -> ServedModel | None:
        """The model to use for one request (a reference read: never half-swapped)."""
        return self._current

    @property
    def previous(self) -> ServedModel | None:
        """The model served before the last swap (kept in memory until the next one), or None."""
        return self._previous

    def status(self) -> HolderStatus:
        with self._lock:
            served = self._current
            return HolderStatus(
                version=served.version if served else None,
                pointer_version=self._pointer_version,
                loading=self._loading,
                loading_error=self._error,
                model=served.pointer.model if served else None,
                sha256=served.pointer.sha256 if served else None,
                loaded_at=served.loaded_at if served else None,
            )

    def apply(self, pointer: LivePointer) -> bool:
        """Serve ``pointer``'s model; True when a new model was swapped in, False when kept or refused."""
        with self._lock:
            self._pointer_version = pointer.version
            served = self._current
            if served is not None and served.pointer.same_model(pointer):
                self._current = replace(served, pointer=pointer)
                self._error = None
                return False
            kept = self._previous
            if kept is not None and kept.pointer.same_model(pointer):  # a switch back: already loaded
                self._previous, self._current = served, replace(kept, pointer=pointer)
                self._error = None
                back = True
            else:  # an error shown now would be an earlier pointer's: the new load decides
                self._loading, self._error, back = True, None, False
        if back:
            logger.info(
                "now serving version %s again (was %s)", pointer.version, served.version if served else "nothing"
            )
            return True
        logger.info("loading version %s from %s", pointer.version, pointer.artifact)
        try:
            estimator = self._loader(pointer)
            features = check_features(pointer, estimator)
            schema = read_feature_schema(pointer.feature_schema, features)
        except MlgateError as exc:
            self._fail(pointer, str(exc).replace("\n  hint: ", "; "))
            return False
        except Exception as exc:  # a model that cannot load must never stop the server (logged)
            logger.exception("unexpected error loading version %s", pointer.version)
            self._fail(pointer, f"unexpected error loading the model: {type(exc).__name__}: {exc}")
            return False
        loaded = ServedModel(
            pointer=pointer, estimator=estimator, features=features, loaded_at=self._stamp(), schema=schema
        )
        with self._lock:
            previous, self._current = self._current, loaded
            self._previous = previous
            self._loading = False
            self._error = None
        logger.info("now serving version %s (was %s)", pointer.version, previous.version if previous else "nothing")
        return True

    def report_pointer_error(self, message: str) -> None:
        """A pointer that cannot be read: keep serving what is loaded and show why."""
        with self._lock:
            self._pointer_version = None
            self._error = message
        logger.error("%s; still serving version %s", message, self._current.version if self._current else "none")

    def _fail(self, pointer: LivePointer, message: str) -> None:
        with self._lock:
            self._loading = False
            self._error = f"version {pointer.version}: {message}"
            kept = self._current.version if self._current else "none"
        logger.error("version %s not loaded, still serving version %s: %s", pointer.version, kept, message)

    def _stamp(self) -> str:
        return self._clock().isoformat(timespec="seconds")
