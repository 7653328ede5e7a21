"""A replayable project: the monitor's helper project (version 1, a rule, live) with captured traffic it answered,
and real decision trees registered beside it. Shared by the replay unit and integration tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from mlgate.registry import HistoryEvent, LocalRegistry
from unit.monitor.helpers import make_project, records, sample_inputs, write_jsonl

STARTED = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
SEED = 9


def make_replay_project(folder: Path, *, extra: str = "", rows: int = 600) -> Path:
    """Version 1 (the rule x1 > 0) live since ``STARTED``, ``rows`` captured requests it answered; the config path."""
    config = make_project(folder, extra=extra)
    registry = LocalRegistry(folder / "registry")
    at = STARTED.isoformat(timespec="seconds")
    registry.record(HistoryEvent(at=at, event="deployed", version="1", by="ci", detail={"live": "1", "previous": None}))
    write_jsonl(folder / ".mlgate" / "capture", capture_rows(sample_inputs(rows, seed=SEED)))
    return config


def capture_rows(inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return records(inputs, start=STARTED, step=dt.timedelta(seconds=5))


def register_tree(folder: Path, threshold: float, *, feature_schema: dict[str, Any] | None = None) -> str:
    """A real decision tree answering x1 > ``threshold`` (from x1 and x2), registered; its version number."""
    import pandas as pd
    from sklearn.tree import DecisionTreeClassifier

    from mlgate.artifacts import save_model

    train = pd.DataFrame(sample_inputs(2000, seed=5))
    model = DecisionTreeClassifier(max_depth=1).fit(train[["x1", "x2"]], train["x1"] > threshold)
    saved = save_model(model, folder / f"tree-{threshold}.skops")
    registry = LocalRegistry(folder / "registry")
    like = dataclasses.replace(
        registry.get("1"),
        version="",
        model="tree",
        artifact=str(saved.path),
        sha256=saved.sha256,
        features=("x1", "x2"),
        feature_schema=feature_schema,
        trusted_types=("sklearn.tree._tree.Tree",),
    )
    return registry.register(like, saved.path).version
