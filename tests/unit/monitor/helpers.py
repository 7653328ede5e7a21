"""A monitored project without training: a schema, reference statistics of generated data, a registered version
(its artifact is never loaded by the monitor) and capture files written per the capture contract.

Shared by the monitor unit and integration tests (imported as ``unit.monitor.helpers``; tests/ is on sys.path).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mlgate.config import CsvConfig
from mlgate.data.schema import load_schema
from mlgate.data.stats import compute_stats, to_data
from mlgate.registry import LocalRegistry, ModelVersion
from mlgate.registry.samples import prediction_stats

SCHEMA = """\
fields:
  - {name: x1, type: number}
  - {name: x2, type: integer, constraints: {minimum: 0, maximum: 9}}
  - {name: color, type: string, constraints: {enum: [red, green, blue]}}
  - {name: label, type: boolean}
"""
FEATURES = ("x1", "x2", "color")
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.timezone.utc)
COLORS = ("red", "green", "blue")


def sample_inputs(count: int, *, seed: int, drift: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Input rows like the training data; fields in ``drift`` come from a clearly shifted distribution."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        x1 = rng.gauss(3.0, 1.0) if "x1" in drift else rng.gauss(0.0, 1.0)
        x2 = rng.randint(7, 9) if "x2" in drift else rng.randint(0, 9)
        color = "blue" if "color" in drift and rng.random() < 0.9 else rng.choice(COLORS)
        rows.append({"x1": round(x1, 4), "x2": x2, "color": color})
    return rows


def predict(row: dict[str, Any]) -> bool:
    """The 'model': a fixed rule, so predictions drift when x1 does."""
    return float(row["x1"]) > 0.0


def make_project(folder: Path, *, extra: str = "") -> Path:
    """mlgate.yaml, the schema, training data and a registered version 1; returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    train = sample_inputs(600, seed=1)
    lines = ["x1,x2,color,label"] + [f"{r['x1']},{r['x2']},{r['color']},{str(predict(r)).lower()}" for r in train]
    (folder / "train.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = folder / "mlgate.yaml"
    config.write_text(
        textwrap.dedent("""\
        version: 1
        task: classification
        target: label
        features: [x1, x2, color]
        data: {schema: schema.yaml, train: train.csv}
        registry: {path: registry}
        monitor: {min_rows: 50}
        """)
        + extra,
        encoding="utf-8",
    )
    register_version(folder, train)
    return config


def register_version(folder: Path, train: list[dict[str, Any]], *, accuracy: float = 0.95) -> ModelVersion:
    schema = load_schema(folder / "schema.yaml")
    stats = compute_stats(str(folder / "train.csv"), schema, csv=CsvConfig())
    artifact = folder / "model.skops"
    artifact.write_bytes(b"not loaded by the monitor")
    version = ModelVersion(
        version="",
        model="rule",
        estimator="tests.rule",
        artifact=str(artifact),
        sha256=hashlib.sha256(artifact.read_bytes()).hexdigest(),
        metrics={"accuracy": accuracy, "f1_macro": 0.9},
        params={},
        data_sha256=None,
        schema_sha256=None,
        commit=None,
        registered_by="test",
        registered_at="2026-11-01T00:00:00+00:00",
        features=FEATURES,
        reference_stats=to_data(stats),
        prediction_stats=prediction_stats(
            [predict(r) for r in train], regression=False, source="train.csv", created="2026-11-01T00:00:00+00:00"
        ),
    )
    return LocalRegistry(folder / "registry").register(version, artifact)


def records(
    inputs: Iterable[dict[str, Any]],
    *,
    start: dt.datetime,
    step: dt.timedelta = dt.timedelta(seconds=1),
    version: str = "1",
    prefix: str = "req",
) -> list[dict[str, Any]]:
    """Capture records, one request per row, ``step`` apart from ``start``; predictions by the rule."""
    out = []
    for i, row in enumerate(inputs):
        ts = (start + i * step).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        out.append(
            {
                "schema_version": 1,
                "request_id": f"{prefix}-{i}",
                "row": 0,
                "ts": ts,
                "version": version,
                "inputs": row,
                "prediction": predict(row),
            }
        )
    return out


def write_jsonl(
    folder: Path, rows: list[dict[str, Any]], *, seq: int = 1, partial: bool = False, tail: str = ""
) -> Path:
    """A capture file in its day folder; ``tail`` is appended raw (a truncated or malformed line)."""
    first = dt.datetime.fromisoformat(rows[0]["ts"])
    day = folder / first.strftime("%Y-%m-%d")
    day.mkdir(parents=True, exist_ok=True)
    name = f"capture-{first.strftime('%Y%m%dT%H%M%S%f')}Z-4242-{seq:04d}.jsonl" + (".partial" if partial else "")
    path = day / name
    path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows) + tail, encoding="utf-8")
    return path


def write_parquet(folder: Path, rows: list[dict[str, Any]], *, seq: int = 1) -> Path:
    """The Parquet form of a capture file (columns per the contract)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = dt.datetime.fromisoformat(rows[0]["ts"])
    day = folder / first.strftime("%Y-%m-%d")
    day.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {
            "request_id": pa.array([r["request_id"] for r in rows], pa.string()),
            "row": pa.array([r["row"] for r in rows], pa.int32()),
            "ts": pa.array([dt.datetime.fromisoformat(r["ts"]) for r in rows], pa.timestamp("us", tz="UTC")),
            "version": pa.array([r["version"] for r in rows], pa.string()),
            "inputs": pa.array([r["inputs"] for r in rows]),
            "prediction": pa.array([r["prediction"] for r in rows]),
        }
    )
    path = day / f"capture-{first.strftime('%Y%m%dT%H%M%S%f')}Z-4242-{seq:04d}.parquet"
    pq.write_table(table, path)
    return path
