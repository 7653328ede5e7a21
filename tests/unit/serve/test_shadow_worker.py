"""The shadow engine in its child process: a real skops model loaded there, a batch answered, failures reported."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier

from mlgate.artifacts import save_model
from mlgate.errors import MlgateError
from mlgate.serve.shadow_engine import ShadowRequest
from mlgate.serve.shadow_state import ShadowPointer
from mlgate.serve.shadow_worker import ProcessWorker
from mlgate.serve.state import LivePointer

FIXED = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
TRUSTED = ("sklearn.tree._tree.Tree",)


def saved_tree(folder: Path) -> tuple[Path, str]:
    frame = pd.DataFrame({"a": np.linspace(-1, 1, 50), "b": np.zeros(50)})
    model = DecisionTreeClassifier(max_depth=1).fit(frame, frame["a"] > 0)
    saved = save_model(model, folder / "tree.skops", trusted=TRUSTED)
    return saved.path, saved.sha256


def shadow(path: Path, sha256: str) -> ShadowPointer:
    pointer = LivePointer("2", "tree", str(path), sha256, TRUSTED, ("a", "b"), "2026-12-07T09:00:00")
    return ShadowPointer(pointer, 1.0, "2026-12-07T09:00:00Z")


def request(request_id: str, body: dict[str, object]) -> ShadowRequest:
    return ShadowRequest(
        request_id, FIXED, "1", ("a", "b"), json.dumps(body).encode(), "application/json", [True] * 2, 0.003
    )


def test_the_child_loads_the_model_and_answers_a_batch(tmp_path: Path) -> None:
    path, sha256 = saved_tree(tmp_path)
    worker = ProcessWorker(tmp_path / "shadow", "shadow-test.jsonl", None)
    try:
        worker.load(shadow(path, sha256))
        good = request("r1", {"instances": [{"a": 0.5, "b": 0.0}, {"a": -0.5, "b": 0.0}]})
        bad = request("r2", {"instances": [{"a": "text", "b": 0.0}, {"a": 1.0, "b": 0.0}]})
        counts = worker.answer([good, bad])
        assert (counts.rows, counts.failed_rows, counts.write_errors) == (2, 2, 0)
    finally:
        worker.close()
    lines = (tmp_path / "shadow" / "2026-12-07" / "shadow-test.jsonl").read_text().splitlines()
    found = [json.loads(line) for line in lines]
    assert [(r["request_id"], r["shadow"]) for r in found] == [("r1", True), ("r1", False), ("r2", None), ("r2", None)]
    assert found[2]["error"] is not None


def test_a_tampered_model_is_refused_in_the_child_and_said(tmp_path: Path) -> None:
    path, _ = saved_tree(tmp_path)
    worker = ProcessWorker(tmp_path / "shadow", "shadow-test.jsonl", None)
    try:
        with pytest.raises(MlgateError, match=r"cannot load version 2: tampered artifact"):
            worker.load(shadow(path, "0" * 64))
    finally:
        worker.close()


def test_a_child_that_died_is_reported_not_waited_for(tmp_path: Path) -> None:
    path, sha256 = saved_tree(tmp_path)
    worker = ProcessWorker(tmp_path / "shadow", "shadow-test.jsonl", None)
    worker.load(shadow(path, sha256))
    worker._process.kill()
    worker._process.join(10)
    with pytest.raises(MlgateError, match="the shadow process is gone"):
        worker.answer([request("r1", {"instances": [{"a": 0.5, "b": 0.0}, {"a": 0.1, "b": 0.0}]})])
    worker.close()
