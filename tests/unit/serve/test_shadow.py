"""mlgate.serve.shadow: the request path only queues; the worker answers, times and records; nothing reaches the client.

The engine runs inline here (``InlineWorker``); tests/unit/serve/test_shadow_engine.py runs it in its child process.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlgate.serve.capture.records import FieldPolicy
from mlgate.serve.shadow import ShadowRunner, ShadowWatcher
from mlgate.serve.shadow_engine import ShadowEngine
from mlgate.serve.shadow_state import ShadowPointer, write_shadow
from mlgate.serve.shadow_worker import InlineWorker
from mlgate.serve.state import LivePointer

FIXED = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
BODY = json.dumps({"instances": [{"a": 1.0, "b": 2.0}, {"a": 3.0, "b": -1.0}]}).encode()


class Model:
    """Answers a > ``cut`` per row; ``fail`` makes predict raise."""

    def __init__(self, cut: float, *, fail: bool = False) -> None:
        self.cut, self.fail = cut, fail

    def predict(self, frame: pd.DataFrame) -> Any:
        if self.fail:
            raise ValueError("the model broke\nsecond line")
        return np.asarray(frame["a"] > self.cut)


def pointer(version: str) -> LivePointer:
    return LivePointer(version, "m", f"/models/{version}.skops", "0" * 64, (), ("a", "b"), "2026-12-07T09:00:00")


def inline(loader: Any, timer: Any = None) -> Any:
    """A worker factory running the engine in the calling thread with ``loader`` (and ``timer``)."""

    def make(folder: Path, name: str, policy: FieldPolicy | None) -> InlineWorker:
        options = {"timer": timer} if timer is not None else {}
        return InlineWorker(ShadowEngine(folder, name, policy=policy, loader=loader, **options))

    return make


def runner(tmp_path: Path, model: Model, *, draws: list[float] | None = None, queue_rows: int = 100) -> ShadowRunner:
    values = iter(draws or [0.0] * 100)
    ticks = iter(float(i) for i in range(1000))
    shadow = ShadowRunner(
        tmp_path / "shadow",
        clock=lambda: FIXED,
        draw=lambda: next(values),
        queue_rows=queue_rows,
        policy=FieldPolicy(hash=frozenset({"b"})),
        worker=inline(lambda _pointer: model, lambda: next(ticks) * 0.002),
    )
    shadow.apply(ShadowPointer(pointer("2"), 0.5, "2026-12-07T08:00:00Z"))
    return shadow


def records(tmp_path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted((tmp_path / "shadow").rglob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def offer(shadow: ShadowRunner, request_id: str = "r1", **changes: Any) -> None:
    arguments: dict[str, Any] = {
        "request_id": request_id,
        "live_version": "1",
        "live_features": ("a", "b"),
        "body": BODY,
        "content_type": "application/json",
        "live": [True, True],
        "live_seconds": 0.004,
    }
    arguments.update(changes)
    smoke = arguments.pop("smoke", False)
    shadow.offer(*arguments.values(), smoke=smoke)


def test_sampled_requests_are_answered_off_the_request_path_and_recorded_per_row(tmp_path: Path) -> None:
    shadow = runner(tmp_path, Model(2.0), draws=[0.1, 0.9])  # the first is sampled (0.1 < 0.5), the second not
    offer(shadow, "r1")
    offer(shadow, "r2")
    assert records(tmp_path) == []  # nothing is written on the request path
    shadow.process()
    found = records(tmp_path)
    assert [(r["request_id"], r["row"], r["live"], r["shadow"], r["error"]) for r in found] == [
        ("r1", 0, True, False, None),
        ("r1", 1, True, True, None),
    ]
    # 2 ms to read the body + the whole batch's 2 ms predict (this request is all of it)
    assert (found[0]["live_ms"], found[0]["shadow_ms"], found[0]["shadow_version"]) == (4.0, 4.0, "2")
    assert found[0]["inputs"]["a"] == 1.0
    assert found[0]["inputs"]["b"].startswith("sha256:")  # capture's policy applies to the shadow's records too
    assert (shadow.stats().sampled, shadow.stats().rows) == (1, 2)


def test_a_full_queue_drops_and_counts_and_smoke_or_own_requests_are_skipped(tmp_path: Path) -> None:
    shadow = runner(tmp_path, Model(0.0), queue_rows=3)
    offer(shadow, "r1")
    offer(shadow, "r2")  # 2 + 2 rows > 3: dropped
    offer(shadow, "smoke", smoke=True)
    offer(shadow, "own", live_version="2")  # the shadow version answered it live
    shadow.process()
    assert {r["request_id"] for r in records(tmp_path)} == {"r1"}
    assert (shadow.stats().sampled, shadow.stats().dropped_rows) == (1, 2)


def test_a_failing_shadow_is_recorded_never_raised(tmp_path: Path) -> None:
    shadow = runner(tmp_path, Model(0.0, fail=True))
    offer(shadow, "r1")
    shadow.process()
    found = records(tmp_path)
    assert [r["shadow"] for r in found] == [None, None]
    assert found[0]["error"] == "ValueError: the model broke"
    assert shadow.stats().failed_rows == 2


def test_a_version_that_cannot_load_shadows_nothing_and_says_why(tmp_path: Path) -> None:
    def broken(_pointer: LivePointer) -> Any:
        raise RuntimeError("skops refused it")

    shadow = ShadowRunner(tmp_path / "shadow", clock=lambda: FIXED, draw=lambda: 0.0, worker=inline(broken))
    shadow.apply(ShadowPointer(pointer("2"), 1.0, "t"))
    offer(shadow)
    shadow.process()
    assert records(tmp_path) == []
    assert shadow.stats().error == "cannot load version 2: RuntimeError: skops refused it"


def test_the_watcher_starts_and_stops_shadowing_with_the_file(tmp_path: Path) -> None:
    shadow = ShadowRunner(
        tmp_path / "shadow", clock=lambda: FIXED, draw=lambda: 0.0, worker=inline(lambda _p: Model(0.0))
    )
    watcher = ShadowWatcher(tmp_path, shadow)
    assert watcher.poll() is False
    write_shadow(tmp_path, ShadowPointer(pointer("2"), 1.0, "2026-12-07T08:00:00Z"))
    assert watcher.poll() is True
    assert (shadow.stats().version, shadow.stats().fraction) == ("2", 1.0)
    (tmp_path / "shadow.json").unlink()
    assert watcher.poll() is True
    assert shadow.stats().version is None
    (tmp_path / "shadow.json").write_text("{broken", encoding="utf-8")
    watcher.poll()
    assert "shadow.json:1:2: not valid JSON" in (shadow.stats().error or "")
