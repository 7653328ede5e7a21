"""Benchmark ``mlgate monitor`` on N captured rows: wall clock and peak RSS of the whole process; or, with
``--calibrate``, how often it breaches on healthy windows and catches shifts of known size
(``monitor_calibration``: real datasets, in memory, no server).

Usage::

    python scripts/bench_monitor.py --rows 1000000
    python scripts/bench_monitor.py --rows 20000 --format parquet --repeat 1
    python scripts/bench_monitor.py --calibrate                       # 4 datasets × 100/400/2,000 rows × 500 windows
    python scripts/bench_monitor.py --calibrate --datasets wine --sizes 100 --versions 5 --windows 4

For each size and format a seeded project is generated once and cached under ``.bench/monitor/<format>_N/``:
a schema, 5,000 training rows, a registry with version 1 (reference and prediction statistics; the
artifact is never loaded), and capture files of 100,000 rows each per the capture contract (10 % of the
rows drift in ``x1``, 0.5 % break the schema). The timestamps are those of generation, so every run passes a
``--since`` that reaches back to them. Each run is a fresh process (``benchkit.run_measured``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from benchkit import describe_machine, log, run_measured

REPO = Path(__file__).resolve().parent.parent
FILE_ROWS = 100_000
COLORS = ("red", "green", "blue", "black")
SCHEMA = """\
fields:
  - {name: x1, type: number}
  - {name: x2, type: integer, constraints: {minimum: 0, maximum: 99}}
  - {name: color, type: string, constraints: {enum: [red, green, blue, black]}}
  - {name: amount, type: number, constraints: {minimum: 0}}
  - {name: label, type: boolean}
"""


def sample(rng: random.Random, *, drift: bool) -> dict[str, Any]:
    x1 = rng.gauss(2.0 if drift else 0.0, 1.0)
    return {
        "x1": round(x1, 4),
        "x2": rng.randint(0, 99),
        "color": rng.choice(COLORS),
        "amount": round(abs(rng.gauss(50, 20)), 2),
    }


def generate(folder: Path, rows: int, file_format: str) -> dict[str, Any]:
    """Write the project and its capture files; return the manifest."""
    from mlgate.config import CsvConfig
    from mlgate.data.schema import load_schema
    from mlgate.data.stats import compute_stats, to_data
    from mlgate.registry import LocalRegistry, ModelVersion
    from mlgate.registry.samples import prediction_stats

    rng = random.Random(42)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    train = [sample(rng, drift=False) for _ in range(5000)]
    lines = ["x1,x2,color,amount,label"] + [
        f"{r['x1']},{r['x2']},{r['color']},{r['amount']},{str(r['x1'] > 0).lower()}" for r in train
    ]
    (folder / "train.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "mlgate.yaml").write_text(
        "version: 1\ntask: classification\ntarget: label\n"
        "data: {schema: schema.yaml, train: train.csv}\nregistry: {path: registry}\n",
        encoding="utf-8",
    )
    stats = compute_stats(str(folder / "train.csv"), load_schema(folder / "schema.yaml"), csv=CsvConfig())
    artifact = folder / "model.skops"
    artifact.write_bytes(b"never loaded by the monitor")
    created = dt.datetime.now(dt.timezone.utc).isoformat()
    version = ModelVersion(
        version="",
        model="rule",
        estimator="bench.rule",
        artifact=str(artifact),
        sha256=hashlib.sha256(artifact.read_bytes()).hexdigest(),
        metrics={"accuracy": 0.9},
        params={},
        data_sha256=None,
        schema_sha256=None,
        commit=None,
        registered_by="bench",
        registered_at=created,
        features=("x1", "x2", "color", "amount"),
        reference_stats=to_data(stats),
        prediction_stats=prediction_stats(
            [r["x1"] > 0 for r in train], regression=False, source="train.csv", created=created
        ),
    )
    LocalRegistry(folder / "registry").register(version, artifact)
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    step = dt.timedelta(hours=1) / max(rows, 1)
    capture = folder / "capture" / start.strftime("%Y-%m-%d")
    capture.mkdir(parents=True, exist_ok=True)
    for seq, first in enumerate(range(0, rows, FILE_ROWS), start=1):
        batch = []
        for i in range(first, min(rows, first + FILE_ROWS)):
            inputs = sample(rng, drift=i % 10 == 0)
            if i % 200 == 0:
                inputs["color"] = "purple"
            ts = (start + i * step).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            batch.append(
                {
                    "schema_version": 1,
                    "request_id": f"r{i}",
                    "row": 0,
                    "ts": ts,
                    "version": "1",
                    "inputs": inputs,
                    "prediction": inputs["x1"] > 0,
                }
            )
        name = f"capture-{start.strftime('%Y%m%dT%H%M%S%f')}Z-1-{seq:04d}"
        write_file(capture / name, batch, file_format)
    manifest = {"rows": rows, "format": file_format, "generated": start.isoformat()}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def write_file(stem: Path, batch: list[dict[str, Any]], file_format: str) -> None:
    if file_format == "jsonl":
        with stem.with_suffix(".jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, separators=(",", ":")) + "\n" for r in batch)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "request_id": pa.array([r["request_id"] for r in batch], pa.string()),
            "row": pa.array([r["row"] for r in batch], pa.int32()),
            "ts": pa.array([dt.datetime.fromisoformat(r["ts"]) for r in batch], pa.timestamp("us", tz="UTC")),
            "version": pa.array([r["version"] for r in batch], pa.string()),
            "inputs": pa.array([r["inputs"] for r in batch]),
            "prediction": pa.array([r["prediction"] for r in batch]),
        }
    )
    pq.write_table(table, stem.with_suffix(".parquet"))


def calibrate(args: argparse.Namespace) -> int:
    """The calibration table: false breaches and detection per dataset and window size."""
    import time

    import monitor_calibration as mc

    print(json.dumps(describe_machine(["numpy", "scipy", "scikit-learn", "pyarrow"]), indent=2))
    print(f"alpha {args.alpha:g}; {args.versions} versions × {args.windows} windows per cell; seed {args.seed}\n")
    print(mc.HEADER)
    for data in mc.load_datasets(args.datasets):
        for size in args.sizes:
            start = time.perf_counter()
            cell = mc.calibrate(
                data, size, versions=args.versions, windows=args.windows, alpha=args.alpha, seed=args.seed
            )
            print(mc.table_row(data, size, cell, args.alpha), flush=True)
            log(f"{data.name} × {size}: {time.perf_counter() - start:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    from mlgate.config import MonitorConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--format", dest="file_format", choices=("jsonl", "parquet"), default="jsonl")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--work", type=Path, default=REPO / ".bench" / "monitor")
    parser.add_argument("--calibrate", action="store_true", help="false breaches and detection on real datasets")
    parser.add_argument("--datasets", nargs="+", default=["breast_cancer", "wine", "digits", "diabetes"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 400, 2000])
    parser.add_argument("--versions", type=int, default=50, help="versions per cell (each trained anew)")
    parser.add_argument("--windows", type=int, default=10, help="windows judged per version")
    parser.add_argument("--alpha", type=float, default=MonitorConfig().alpha)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.calibrate:
        return calibrate(args)
    print(json.dumps(describe_machine(["pyarrow", "scikit-learn"]), indent=2))
    print("| rows | format | run | wall s | peak RSS MiB | exit | verdict |\n|---:|---|---:|---:|---:|---:|---|")
    for rows in args.rows:
        folder = args.work / f"{args.file_format}_{rows}"
        manifest_path = folder / "manifest.json"
        if manifest_path.is_file():
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        else:
            log(f"generating {rows:,} captured rows ({args.file_format}) under {folder}")
            manifest = generate(folder, rows, args.file_format)
        age = dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(manifest["generated"])
        since = f"{int(age.total_seconds() // 3600) + 2}h"
        command = [
            sys.executable,
            "-m",
            "mlgate",
            "monitor",
            "--config",
            str(folder / "mlgate.yaml"),
            "--capture",
            str(folder / "capture"),
            "--version",
            "1",
            "--since",
            since,
            "--format",
            "json",
        ]
        for run in range(1, args.repeat + 1):
            wall, rss, code, out, err = run_measured(command, folder / "run", cwd=folder)
            if code not in (0, 1):
                log(f"mlgate monitor failed (exit {code}): {err.strip()}")
                return 1
            document = json.loads(out)
            if document["capture"]["rows"] != rows:
                log(f"expected {rows} rows in the window, the monitor judged {document['capture']['rows']}")
                return 1
            print(
                f"| {rows:,} | {args.file_format} | {run} | {wall:.2f} | {rss:.0f} | {code} | {document['verdict']} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
