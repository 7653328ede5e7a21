"""The shadow engine in-process: one predict per batch, a bad request answered alone, write failures counted."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlgate.errors import MlgateError
from mlgate.serve.shadow_engine import ShadowEngine, ShadowRequest
from mlgate.serve.shadow_state import ShadowPointer
from mlgate.serve.state import LivePointer

FIXED = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
SHADOW = ShadowPointer(LivePointer("2", "m", "/m.skops", "0" * 64, (), ("a",), "t"), 1.0, "t")


class Counting:
    """Answers a > 0; counts predict calls; refuses a frame holding ``poison``."""

    def __init__(self, poison: float | None = None) -> None:
        self.calls, self.poison = 0, poison

    def predict(self, frame: pd.DataFrame) -> Any:
        self.calls += 1
        if self.poison is not None and (frame["a"] == self.poison).any():
            raise ValueError("cannot score the poison row")
        return np.asarray(frame["a"] > 0)


def request(request_id: str, *values: float) -> ShadowRequest:
    body = json.dumps({"instances": [{"a": v} for v in values]}).encode()
    return ShadowRequest(request_id, FIXED, "1", ("a",), body, "application/json", [True] * len(values), 0.001)


def engine(folder: Path, model: Counting) -> ShadowEngine:
    built = ShadowEngine(folder, "s.jsonl", loader=lambda _pointer: model)
    built.load(SHADOW)
    return built


def written(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "2026-12-07" / "s.jsonl").read_text().splitlines()]


def test_a_batch_is_one_predict_call(tmp_path: Path) -> None:
    model = Counting()
    counts = engine(tmp_path, model).answer([request("r1", 1.0, -1.0), request("r2", 2.0)])
    assert (counts.rows, counts.failed_rows, model.calls) == (3, 0, 1)
    assert [(r["request_id"], r["shadow"]) for r in written(tmp_path)] == [("r1", True), ("r1", False), ("r2", True)]


def test_a_request_that_breaks_the_batch_is_answered_alone(tmp_path: Path) -> None:
    model = Counting(poison=13.0)
    counts = engine(tmp_path, model).answer([request("ok", 1.0), request("bad", 13.0), request("ok2", -2.0)])
    assert (counts.rows, counts.failed_rows) == (2, 1)
    found = {r["request_id"]: r for r in written(tmp_path)}
    assert (found["ok"]["shadow"], found["ok2"]["shadow"], found["bad"]["shadow"]) == (True, False, None)
    assert found["bad"]["error"] == "ValueError: cannot score the poison row"
    assert counts.errors == ["shadow version 2: ValueError: cannot score the poison row"]


def test_records_that_cannot_be_written_are_counted(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    counts = engine(blocked, Counting()).answer([request("r1", 1.0)])
    assert (counts.rows, counts.write_errors) == (1, 1)
    assert counts.errors[0].startswith(f"cannot write shadow records to {blocked}")


def test_a_model_that_cannot_load_is_an_error_naming_the_version(tmp_path: Path) -> None:
    def broken(_pointer: LivePointer) -> Any:
        raise OSError("disk gone")

    with pytest.raises(MlgateError, match="cannot load version 2: OSError: disk gone"):
        ShadowEngine(tmp_path, "s.jsonl", loader=broken).load(SHADOW)
