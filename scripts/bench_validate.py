"""Benchmark ``mlgate validate`` against a pyarrow read floor, pandera and frictionless.

Usage::

    python scripts/bench_validate.py --rows 1000000
    python scripts/bench_validate.py --rows 1000000 5000000 --repeat 3
    python scripts/bench_validate.py --rows 20000 --repeat 1 --skip-peers

For each size a seeded 12-column dataset is generated once and cached under
``.bench/validate/rows_N/``: clean/invalid CSV and Parquet, 100k-row subsets, a
Frictionless ``schema.yaml`` and ``manifest.json`` with the exact injected violations
(Frictionless row numbers: header = row 1).  Every measured task runs in a fresh Python
process; wall clock and peak RSS cover that whole process.  The markdown report is
printed and written to ``results.md`` (raw data: ``results.json``) in the work dir.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from benchkit import describe_machine, log, run_measured

SELF = str(Path(__file__).resolve())
REPO = Path(SELF).parent.parent
CATEGORIES = ["books", "electronics", "garden", "grocery", "toys"]
SUBSET_ROWS = 100_000
NULL_RATES = {"quantity": 0.01, "score": 0.02, "rating": 0.005, "temperature": 0.01}
# kind -> (field, mlgate check, count per 1M rows, formats it is injected into)
KINDS: dict[str, tuple[str, str, int, tuple[str, ...]]] = {
    "duplicate_id": ("id", "unique", 100, ("csv", "parquet")),
    "bad_id_pattern": ("id", "pattern", 100, ("csv", "parquet")),
    "null_user_id": ("user_id", "required", 100, ("csv", "parquet")),
    "age_out_of_range": ("age", "maximum", 150, ("csv", "parquet")),
    "negative_price": ("price", "minimum", 100, ("csv", "parquet")),
    "score_above_one": ("score", "maximum", 100, ("csv", "parquet")),
    "unknown_category": ("category", "enum", 150, ("csv", "parquet")),
    "date_out_of_range": ("event_date", "maximum", 100, ("csv", "parquet")),
    "non_integer_quantity": ("quantity", "type", 100, ("csv",)),
}
SCHEMA_YAML = f"""\
fields:
  - {{name: id, type: string, constraints: {{required: true, unique: true, pattern: "ID-[0-9]{{8}}"}}}}
  - {{name: user_id, type: integer, constraints: {{required: true}}}}
  - {{name: age, type: integer, constraints: {{minimum: 0, maximum: 120}}}}
  - {{name: quantity, type: integer, constraints: {{minimum: 0}}}}
  - {{name: price, type: number, constraints: {{minimum: 0}}}}
  - {{name: score, type: number, constraints: {{minimum: 0, maximum: 1}}}}
  - {{name: discount, type: number, constraints: {{minimum: 0, maximum: 0.5}}}}
  - {{name: category, type: string, constraints: {{enum: [{", ".join(CATEGORIES)}]}}}}
  - {{name: event_date, type: date, constraints: {{minimum: "2020-01-01", maximum: "2025-12-31"}}}}
  - {{name: is_active, type: boolean}}
  - {{name: rating, type: integer, constraints: {{minimum: 1, maximum: 5}}}}
  - {{name: temperature, type: number}}
"""
FLOOR_CODE = {
    "csv": "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])",
    "parquet": "import sys, pyarrow.parquet as pq; pq.ParquetFile(sys.argv[1]).read()",
}
# A child forked from this (large) process inherits our RSS high-water mark in ru_maxrss,
# so a minimal `python -S` launcher spawns each task and reports os.wait4 rusage for it.
Truth = dict[tuple[str, str], set[int]]


@dataclass
class Result:
    tool: str
    file: str
    rows: int  # rows in the measured file
    size: int  # dataset size (--rows) this result belongs to
    walls: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    failed: bool = False
    exact: bool | None = None
    match: str = "—"

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")

    def fail(self, reason: str) -> None:
        self.failed, self.exact, self.match = True, False, f"FAIL: {reason}"


def epoch_day(year: int, month: int, day: int) -> int:
    return (date(year, month, day) - date(1970, 1, 1)).days


def rss_budget_mib(rows: int) -> float:
    return 300 + 16 * rows / 2**20


# ---------------------------------------------------------------- data generation
def generate_dataset(out: Path, n: int, seed: int) -> None:
    """Write clean/invalid CSV + Parquet (+100k subsets), schema.yaml and manifest.json."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    counts = {kind: max(1, round(spec[2] * n / 1_000_000)) for kind, spec in KINDS.items()}
    n_dup = counts["duplicate_id"]
    # Disjoint rows: dup (source, target) pairs first, then one block per other kind.
    picks = rng.choice(n, sum(counts.values()) + n_dup, replace=False)
    pairs = np.sort(picks[: 2 * n_dup].reshape(n_dup, 2), axis=1)  # target is the later row
    inj: dict[str, Any] = {"duplicate_id": pairs[:, 1]}
    offset = 2 * n_dup
    for kind, k in counts.items():
        if kind != "duplicate_id":
            inj[kind], offset = picks[offset : offset + k], offset + k

    values: dict[str, Any] = {
        "id": rng.permutation(n) + 1,
        "user_id": rng.integers(1, 500_000, n),
        "age": rng.integers(0, 121, n),
        "quantity": rng.integers(1, 100, n),
        "price": np.round(rng.lognormal(3, 1, n), 2),
        "score": np.round(rng.random(n), 4),
        "discount": np.round(rng.uniform(0, 0.5, n), 3),
        "category": rng.integers(0, len(CATEGORIES), n),
        "event_date": rng.integers(epoch_day(2020, 1, 1), epoch_day(2025, 12, 31) + 1, n),
        "is_active": rng.random(n) < 0.7,
        "rating": rng.integers(1, 6, n),
        "temperature": np.round(rng.normal(15, 10, n), 1),
    }
    masks = {name: rng.random(n) < rate for name, rate in NULL_RATES.items()}

    bad = {name: array.copy() for name, array in values.items()}
    bad_masks = {name: array.copy() for name, array in masks.items()} | {"user_id": np.zeros(n, bool)}
    bad["id"][inj["duplicate_id"]] = values["id"][pairs[:, 0]]
    bad_prefix = np.isin(np.arange(n), inj["bad_id_pattern"])
    bad_masks["user_id"][inj["null_user_id"]] = True
    bad["age"][inj["age_out_of_range"]] = rng.integers(150, 201, counts["age_out_of_range"])
    bad["price"][inj["negative_price"]] = -np.round(rng.uniform(0.01, 100, counts["negative_price"]), 2)
    bad["score"][inj["score_above_one"]] = np.round(rng.uniform(1.01, 2, counts["score_above_one"]), 4)
    bad_masks["score"][inj["score_above_one"]] = False
    bad["category"][inj["unknown_category"]] = len(CATEGORIES)  # -> "zzz"
    year_2031 = rng.integers(epoch_day(2031, 1, 1), epoch_day(2031, 12, 31) + 1, counts["date_out_of_range"])
    bad["event_date"][inj["date_out_of_range"]] = year_2031
    bad_quantity = np.isin(np.arange(n), inj["non_integer_quantity"])

    def build_table(vals: dict[str, Any], nulls: dict[str, Any], xx_prefix: Any, text_q: Any = None) -> Any:
        arrays: dict[str, Any] = {}
        for name, array in vals.items():
            if name == "id":
                digits = pc.utf8_lpad(pa.array(array).cast(pa.string()), 8, "0")
                prefix = pc.if_else(pa.array(xx_prefix), "XX-", "ID-")
                arrays[name] = pc.binary_join_element_wise(prefix, digits, "")
            elif name == "category":
                arrays[name] = pc.take(pa.array([*CATEGORIES, "zzz"]), pa.array(array))
            elif name == "event_date":
                arrays[name] = pa.array(array.astype(np.int32), type=pa.date32())
            else:
                arrays[name] = pa.array(array, mask=nulls.get(name))
        if text_q is not None:
            arrays["quantity"] = pc.if_else(pa.array(text_q), "12x", arrays["quantity"].cast(pa.string()))
        return pa.table(arrays)

    clean = build_table(values, masks, np.zeros(n, bool))
    tables = {
        "clean.csv": clean,
        "clean.parquet": clean,
        "invalid.csv": build_table(bad, bad_masks, bad_prefix, bad_quantity),
        "invalid.parquet": build_table(bad, bad_masks, bad_prefix),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        stem, fmt = name.split(".")
        parts = [(name, table)]
        if n > SUBSET_ROWS:
            parts.append((f"{stem}_100k.{fmt}", table.slice(0, SUBSET_ROWS)))
        for file_name, part in parts:
            if fmt == "csv":
                pacsv.write_csv(part, out / file_name, pacsv.WriteOptions(quoting_style="none"))
            else:
                pq.write_table(part, out / file_name, compression="snappy")
    (out / "schema.yaml").write_text(SCHEMA_YAML)
    kinds = {
        kind: {"field": fld, "check": check, "formats": list(fmts), "rows": sorted(int(i) + 2 for i in inj[kind])}
        for kind, (fld, check, _, fmts) in KINDS.items()
    }
    manifest = {"rows": n, "seed": seed, "subset_rows": SUBSET_ROWS, "kinds": kinds}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))  # last: completeness marker


def ensure_dataset(out: Path, n: int, seed: int, regen: bool) -> dict[str, Any]:
    """Return the manifest, generating the data first if missing, stale or ``regen``."""
    manifest_path = out / "manifest.json"
    if not regen and manifest_path.exists():
        manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        if manifest.get("seed") == seed and manifest.get("subset_rows") == SUBSET_ROWS:
            return manifest
    manifest_path.unlink(missing_ok=True)
    start = time.perf_counter()
    log(f"generating {n:,} rows in {out} ...")
    generate_dataset(out, n, seed)
    log(f"generated in {time.perf_counter() - start:.1f} s")
    return dict(json.loads(manifest_path.read_text()))


def select_truth(manifest: dict[str, Any], variant: str, fmt: str, rows: int) -> Truth:
    """Expected {(field, check): row numbers} for a file's first ``rows`` records."""
    if variant == "clean":
        return {}
    kinds = [k for k in manifest["kinds"].values() if fmt in k["formats"]]
    truth = {(k["field"], k["check"]): {r for r in k["rows"] if r <= rows + 1} for k in kinds}
    return {key: found for key, found in truth.items() if found}


# ---------------------------------------------------------------- measurement
def measure(
    res: Result, cmd: list[str], repeat: int, scratch: Path, ok: tuple[int, ...] = (0,), first: int = 0, of: int = 0
) -> tuple[str, int]:
    """Run ``cmd`` ``repeat`` times, recording into ``res``; return the last (stdout, exit code).

    ``first``/``of``: the runs' numbers in the log when the caller interleaves single runs.
    """
    stdout, code = "", -1
    for i in range(first, first + repeat):
        try:
            wall, rss, code, stdout, stderr = run_measured(cmd, scratch)
        except OSError as exc:
            res.fail(str(exc))
            return "", -1
        log(f"{res.tool:<12} {res.file:<20} run {i + 1}/{of or repeat}: {wall:.2f} s, {rss:.0f} MiB, exit {code}")
        if code not in ok:
            tail = stderr.strip().splitlines()[-20:]
            print("\n".join(f"    {line}" for line in tail), file=sys.stderr)
            reason = next((line for line in reversed(tail) if "error" in line.lower()), tail[-1] if tail else "")
            res.fail(f"exit {code}: {reason.strip()[:100] or 'no stderr'}")
            return "", code
        res.walls.append(wall)
        res.peak_rss_mb = max(res.peak_rss_mb, rss)
    return stdout, code


def compare_mlgate(report: dict[str, Any], truth: Truth, rows: int, code: int) -> tuple[bool, str]:
    """Compare mlgate's JSON report with the ground truth; return (exact, detail)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    problems: list[str] = []
    for entry in report["files"]:
        if entry.get("rows") != rows:
            problems.append(f"rows={entry.get('rows')}")
        found.update({(v.get("field"), v.get("check")): v for v in entry.get("violations", [])})
    for (fld, check), expected in truth.items():
        got = found.get((fld, check))
        if got is None:
            problems.append(f"missing {fld}.{check}")
        elif got.get("count") != len(expected) or set(got.get("rows", [])) != expected:
            same = len(set(got.get("rows", [])) & expected)
            problems.append(f"{fld}.{check} count {got.get('count')}/{len(expected)}, rows {same} ok")
    extras = [f"{fld}.{check}({v.get('count')})" for (fld, check), v in found.items() if (fld, check) not in truth]
    if extras:
        problems.append("extra " + ", ".join(extras))
    if code != (1 if truth else 0) or report.get("valid") is not (not truth):
        problems.append(f"exit {code}, valid={report.get('valid')}")
    total = sum(len(r) for r in truth.values())
    return not problems, f"yes ({total})" if not problems else "no: " + "; ".join(problems)


def run_with_floor(exe: Path, path: Path, floor: Result, res: Result, truth: Truth, repeat: int, scratch: Path) -> None:
    """Alternate floor and mlgate runs, so a machine that speeds up or slows down affects both alike."""
    if not exe.exists():
        res.fail(f"{exe} not found")
        return
    floor_cmd = [sys.executable, "-c", FLOOR_CODE[path.suffix.lstrip(".")], str(path)]
    cmd = [str(exe), "validate", str(path), "--schema", str(path.parent / "schema.yaml"), "--format", "json"]
    stdout, code = "", -1
    for i in range(repeat):
        if not floor.failed:
            measure(floor, floor_cmd, 1, scratch, first=i, of=repeat)
        stdout, code = measure(res, cmd, 1, scratch, ok=(0, 1), first=i, of=repeat)
        if res.failed:
            return
    try:
        res.exact, res.match = compare_mlgate(json.loads(stdout), truth, res.rows, code)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        res.fail(f"unexpected JSON output ({exc.__class__.__name__}: {str(exc)[:60]})")


def run_peer(tool: str, path: Path, res: Result, truth: Truth, scratch: Path) -> None:
    schema = path.parent / "schema.yaml"
    stdout, _ = measure(res, [sys.executable, SELF, "--child", tool, str(path), str(schema)], 1, scratch)
    if res.failed:
        return
    try:
        found = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        res.fail("no result printed")
        return
    expected = sum(len(r) for r in truth.values())
    res.exact = found["errors"] == expected
    cells = f" ({found['cells']} distinct cells)" if found.get("cells", found["errors"]) != found["errors"] else ""
    other = f", +{found['other']} not row-level" if found.get("other") else ""
    res.match = f"{'yes' if res.exact else 'no'}: {found['errors']}{cells} vs {expected} truth{other}"


# ---------------------------------------------------------------- peer child processes
def check_with_pandera(path: Path) -> dict[str, int]:
    import pandas as pd
    import pandera.pandas as pa

    def col(dtype: Any, *checks: Any, nullable: bool = True, **kwargs: Any) -> Any:
        return pa.Column(dtype, list(checks), nullable=nullable, **kwargs)

    id_pattern = pa.Check.str_matches(r"^ID-[0-9]{8}$")
    dates = (pd.Timestamp("2020-01-01"), pd.Timestamp("2025-12-31"))
    schema = pa.DataFrameSchema(
        {
            "id": col(str, id_pattern, nullable=False, unique=True, report_duplicates="exclude_first"),
            "user_id": col("Int64", nullable=False),
            "age": col("Int64", pa.Check.in_range(0, 120)),
            "quantity": col("Int64", pa.Check.ge(0)),
            "price": col(float, pa.Check.ge(0)),
            "score": col(float, pa.Check.in_range(0, 1)),
            "discount": col(float, pa.Check.in_range(0, 0.5)),
            "category": col(str, pa.Check.isin(CATEGORIES)),
            "event_date": col("datetime64[ns]", pa.Check.in_range(*dates)),
            "is_active": col(bool),
            "rating": col("Int64", pa.Check.in_range(1, 5)),
            "temperature": col(float),
        },
        coerce=True,
    )
    df = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        per_row = cases[cases["index"].notna()]
        cells = len(per_row[["column", "index"]].drop_duplicates())
        return {"errors": len(per_row), "cells": cells, "other": len(cases) - len(per_row)}
    return {"errors": 0}


def check_with_frictionless(path: Path, schema_path: Path) -> dict[str, int]:
    import yaml
    from frictionless import Resource, Schema

    schema = Schema.from_descriptor(yaml.safe_load(schema_path.read_text()))  # dict: no path-safety check
    resource = Resource(path=path.name, basepath=str(path.parent), schema=schema)
    report = resource.validate(limit_errors=10**9)  # the default caps at 1000 errors
    errors = [e for task in report.tasks for e in task.errors] + list(report.errors)
    per_row = [e for e in errors if getattr(e, "row_number", None) is not None]
    for error in [e for e in errors if e not in per_row][:3]:
        print(f"frictionless: {error.message}", file=sys.stderr)
    return {"errors": len(per_row), "other": len(errors) - len(per_row)}


# ---------------------------------------------------------------- reporting
def format_table(results: list[Result]) -> str:
    floors = {(r.size, r.file): r.wall for r in results if r.tool == "floor" and not r.failed}
    lines = [
        "| tool | file | rows | wall s (median) | peak RSS MB | rows/s | × floor | counts match truth |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        floor = floors.get((r.size, r.file)) if r.tool != "floor" else None
        cells = ["—"] * 4
        if not r.failed and r.walls:
            ratio = f"{r.wall / floor:.2f}×" if floor else "—"
            cells = [f"{r.wall:.2f}", f"{r.peak_rss_mb:.0f}", f"{r.rows / r.wall:,.0f}", ratio]
        match = r.match.replace("|", "\\|")
        lines.append(f"| {r.tool} | {r.file} | {r.rows:,} | {' | '.join(cells)} | {match} |")
    return "\n".join(lines)


def evaluate_goals(results: list[Result], help_walls: list[float]) -> list[tuple[bool, str]]:
    floors = {(r.size, r.file): r.wall for r in results if r.tool == "floor" and not r.failed}
    mlgate = [r for r in results if r.tool == "mlgate"]
    goals: list[tuple[bool, str]] = []
    for fmt, limit in (("csv", 3.0), ("parquet", 2.0)):
        runs = [r for r in mlgate if r.file.endswith(fmt)]
        ratios = [(r, r.wall / floors[r.size, r.file]) for r in runs if not r.failed and (r.size, r.file) in floors]
        passed = bool(runs) and len(ratios) == len(runs) and all(x <= limit for _, x in ratios)
        detail = ", ".join(f"{r.file}@{r.size:,} {x:.2f}×" for r, x in ratios) or "no successful runs"
        goals.append((passed, f"{fmt.upper()}: mlgate ≤ {limit:g}× pyarrow floor ({detail})"))
    wrong = [f"{r.file}@{r.size:,}" for r in mlgate if not r.exact]
    detail = f" (wrong: {', '.join(wrong)})" if wrong else ""
    goals.append((bool(mlgate) and not wrong, f"exact violation counts and rows vs truth{detail}"))
    over = [
        f"{r.file}@{r.size:,} " + ("failed" if r.failed else f"{r.peak_rss_mb:.0f}>{rss_budget_mib(r.size):.0f}")
        for r in mlgate
        if r.failed or r.peak_rss_mb > rss_budget_mib(r.size)
    ]
    detail = f" ({', '.join(over)})" if over else ""
    goals.append((bool(mlgate) and not over, f"mlgate peak RSS ≤ 300 MiB + 16 B/row{detail}"))
    help_s = statistics.median(help_walls) if help_walls else float("nan")
    goals.append((help_s < 0.25, f"`mlgate --help` < 0.25 s (median of {len(help_walls)}: {help_s:.3f} s)"))
    return goals


# ---------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000], help="dataset sizes (default 1000000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per floor/mlgate task, median kept (default 3)")
    parser.add_argument("--work", type=Path, default=REPO / ".bench" / "validate", help="data cache + output dir")
    parser.add_argument("--seed", type=int, default=42, help="data generation seed (default 42)")
    parser.add_argument("--regen", action="store_true", help="regenerate the data even if cached")
    parser.add_argument("--skip-peers", action="store_true", help="run only the pyarrow floor and mlgate")
    parser.add_argument("--quick", action="store_true", help="frictionless on the 100k-row CSV subset too")
    parser.add_argument("--child", choices=["pandera", "frictionless"], help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child and (min(args.rows) < 10_000 or args.repeat < 1):
        parser.error("--rows must be >= 10000 and --repeat >= 1")
    return args


def bench_size(args: argparse.Namespace, n: int, exe: Path) -> list[Result]:
    data, scratch = args.work / f"rows_{n}", args.work / "scratch"
    manifest = ensure_dataset(data, n, args.seed, args.regen)
    results: list[Result] = []
    for fmt in ("csv", "parquet"):
        for variant in ("clean", "invalid"):
            path = data / f"{variant}.{fmt}"
            truth = select_truth(manifest, variant, fmt, n)
            floor, mlgate = Result("floor", path.name, n, n), Result("mlgate", path.name, n, n)
            run_with_floor(exe, path, floor, mlgate, truth, args.repeat, scratch)
            results += [floor, mlgate]
            if args.skip_peers:
                continue
            pandera = Result("pandera", path.name, n, n)
            run_peer("pandera", path, pandera, truth, scratch)
            if n > SUBSET_ROWS and (fmt == "parquet" or args.quick):
                path = data / f"{variant}_100k.{fmt}"
            rows = min(n, SUBSET_ROWS) if path.stem.endswith("_100k") else n
            frictionless = Result("frictionless", path.name, rows, n)
            run_peer("frictionless", path, frictionless, select_truth(manifest, variant, fmt, rows), scratch)
            results += [pandera, frictionless]
    return results


def precompile_mlgate() -> None:
    """Compile mlgate's bytecode first, as installing a wheel does.

    An editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module from source in
    every timed process (about 60-100 ms), which no installed user pays; the peers' packages are compiled.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("mlgate")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        path, schema = (Path(p) for p in args.child_args)
        found = check_with_pandera(path) if args.child == "pandera" else check_with_frictionless(path, schema)
        print(json.dumps(found))
        return 0
    args.work = args.work.resolve()
    exe = Path(sys.executable).parent / "mlgate"
    precompile_mlgate()
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    machine = describe_machine(("pyarrow", "pandas", "pandera", "frictionless", "mlgate"))
    results = [r for n in args.rows for r in bench_size(args, n, exe)]
    help_res = Result("mlgate --help", "-", 0, 0)
    if exe.exists():
        measure(help_res, [str(exe), "--help"], 5, args.work / "scratch")
    goals = evaluate_goals(results, help_res.walls)
    report = "\n".join(
        ["# mlgate validate benchmark", "", f"Command: `{command}`", ""]
        + [f"- {key}: {value}" for key, value in machine.items()]
        + ["", format_table(results), "", "## Goals", ""]
        + [f"- **{'PASS' if passed else 'FAIL'}** {text}" for passed, text in goals]
    )
    print(report)
    (args.work / "results.md").write_text(report + "\n")
    raw = {
        "command": command,
        "machine": machine,
        "results": [asdict(r) | {"wall_s": r.wall if r.walls else None} for r in results],
        "help_walls": help_res.walls,
        "goals": [{"pass": passed, "goal": text} for passed, text in goals],
    }
    (args.work / "results.json").write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
