"""Where the shadow engine runs: ``ProcessWorker`` in a child process of its own (the server), ``InlineWorker`` in
the calling thread (unit tests: the same engine, no process).

The child is spawned (it shares nothing with the server but a pipe), ignores Ctrl+C (the server handles it and
stops the child), runs at nice 10 (the live requests' process comes first for the cores), and answers three
messages: ``load`` (a ``shadow.json`` text), ``answer`` (a batch of ShadowRequest), ``stop``. A child that dies or
does not answer within ``START_TIMEOUT_S`` is an MlgateError: the runner stops shadowing and says why in
``/status``; the live requests never notice.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any, Protocol

from mlgate.errors import MlgateError
from mlgate.serve.capture.records import FieldPolicy
from mlgate.serve.shadow_engine import BatchCounts, ShadowEngine, ShadowRequest
from mlgate.serve.shadow_state import ShadowPointer

START_TIMEOUT_S = 120.0  # a child imports scikit-learn and loads the model


class Worker(Protocol):
    """Where the engine runs: ``load`` a shadow (an MlgateError when it cannot), ``answer`` batches, ``close``."""

    def load(self, shadow: ShadowPointer) -> None: ...

    def answer(self, batch: list[ShadowRequest]) -> BatchCounts: ...

    def close(self) -> None: ...


class InlineWorker:
    """The engine in the calling thread (unit tests: no process, the same code)."""

    def __init__(self, engine: ShadowEngine) -> None:
        self.engine = engine

    def load(self, shadow: ShadowPointer) -> None:
        self.engine.load(shadow)

    def answer(self, batch: list[ShadowRequest]) -> BatchCounts:
        return self.engine.answer(batch)

    def close(self) -> None:
        return None


class ProcessWorker:
    """The engine in a child process (spawned, so it shares nothing with the server but the pipe)."""

    def __init__(self, folder: Path, name: str, policy: FieldPolicy | None) -> None:
        self.folder, self.name, self.policy = folder, name, policy
        self._process: Any = None
        self._conn: Any = None

    def load(self, shadow: ShadowPointer) -> None:
        if self._process is None or not self._process.is_alive():
            context = multiprocessing.get_context("spawn")
            parent, child = context.Pipe()
            self._process = context.Process(
                target=run_child,
                args=(child, str(self.folder), self.name, self.policy),
                name="mlgate-shadow",
                daemon=True,
            )
            self._process.start()
            child.close()
            self._conn = parent
        self._ask(("load", shadow.to_json()), timeout=START_TIMEOUT_S)

    def answer(self, batch: list[ShadowRequest]) -> BatchCounts:
        reply = self._ask(("answer", batch), timeout=START_TIMEOUT_S)
        assert isinstance(reply, BatchCounts)
        return reply

    def close(self) -> None:
        if self._process is not None:
            with contextlib.suppress(OSError, EOFError, BrokenPipeError):
                self._conn.send(("stop", None))
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(10)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def _ask(self, message: tuple[str, Any], *, timeout: float) -> Any:
        try:
            self._conn.send(message)
            if not self._conn.poll(timeout):
                raise MlgateError(f"the shadow process gave no answer within {timeout:g} s")
            kind, value = self._conn.recv()
        except (OSError, EOFError, BrokenPipeError) as exc:
            self.close()
            raise MlgateError(f"the shadow process is gone ({type(exc).__name__}); shadowing stops") from exc
        if kind == "error":
            raise MlgateError(str(value))
        return value


def run_child(conn: Any, folder: str, name: str, policy: FieldPolicy | None) -> None:
    """The child's loop: load, answer, stop (Ctrl+C is the server's to handle; the child only sees its pipe)."""
    from mlgate.serve.shadow_state import parse_shadow

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)  # the live requests' process comes first for the cores
    engine = ShadowEngine(Path(folder), name, policy=policy)
    while True:
        try:
            kind, value = conn.recv()
        except (EOFError, OSError):
            return
        if kind == "stop":
            return
        try:
            if kind == "load":
                engine.load(parse_shadow(value, where="shadow.json"))
                conn.send(("ok", None))
            else:
                conn.send(("ok", engine.answer(value)))
        except MlgateError as exc:
            conn.send(("error", exc.message))
        except Exception as exc:  # noqa: BLE001 - the child reports; the server decides
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
