"""Benchmark ``mlgate check`` (the model gate) against a plain script that does the same model work.

Usage::

    python scripts/bench_check.py                                # 100k and 1M rows + realism, one run each
    python scripts/bench_check.py --repeat 3                     # medians of 3 (about 3x as long)
    python scripts/bench_check.py --rows 100000                  # quick
    python scripts/bench_check.py --rows 1000000 --skip-realism

Per size, a project is generated once under ``.bench/check/<dataset>_<rows>/``: a git repository whose ``main``
commit holds synthetic classification data (``make_classification``: 10 numeric features, 2 of them
with ~1 % nulls, plus a 5-value string column with nulls; 80/20 train/test split written as Parquet,
what a team with a million rows would keep), a Table Schema and an ``mlgate.yaml`` with 3 candidates
(LogisticRegression, HistGradientBoostingClassifier, SGDClassifier). A "realism" project does the same
with scikit-learn's bundled breast-cancer data (30 measured features) upsampled with noise to 100k rows.

The baseline is cached first, untimed: ``mlgate train`` on ``main``, stored with ``save_baseline`` (what
``mlgate check --cache`` on ``main`` stores, without training twice). A ``feature`` branch then
changes one parameter (the PR), and what is timed is ``mlgate check --no-cache --format json`` on it
(merge-base = the cached ``main`` commit: validate, train 3 candidates, re-score the 3 cached models,
compare, report). The plain script does what a hand-written CI job would: read the Parquet files with
pandas, the same preprocessing as mlgate builds (ColumnTransformer: median imputer + scaler for linear
models, most-frequent imputer + one-hot for strings), fit and score the same 3 estimators with the same
params and seed, and load and score the 3 baseline models it saved (joblib) on ``main``. Both print
their metrics, which must agree to 1e-9.

mlgate's latency sampling (``train.latency_rows``/``batch_rows`` single-row and batch ``predict`` calls
per model, candidate and baseline) has no off switch: ``latency_rows: 0`` still times one call after 3
warm-ups. It is measured by difference: one mlgate run with the config's latency settings (200/1000)
and one with ``MLGATE_TRAIN__LATENCY_ROWS=0 MLGATE_TRAIN__BATCH_ROWS=0``; the goal compares the latter
with the plain script. Every task is a fresh process; wall clock and peak RSS cover the whole process. With
``--repeat N`` the tools take turns (plain, mlgate, mlgate+latency, plain, ...), so a machine that speeds up or
slows down during the run affects them alike; medians are reported.
The markdown report is printed and written to ``results.md`` (raw data: ``results.json``) in the work dir.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchkit import describe_machine, log, run_measured

SELF = str(Path(__file__).resolve())
REPO = Path(SELF).parent.parent
GOAL = 1.15
TEST_SHARE = 0.2
SEGMENTS = ["north", "south", "east", "west", "central"]
METRICS = ["accuracy", "f1_macro", "roc_auc"]
# name -> (estimator, params on main); the PR changes PR_CHANGE
MODELS: dict[str, tuple[str, dict[str, Any]]] = {
    "logistic": ("sklearn.linear_model.LogisticRegression", {"C": 1.0, "max_iter": 300}),
    "boosting": ("sklearn.ensemble.HistGradientBoostingClassifier", {"max_iter": 100, "learning_rate": 0.1}),
    "sgd": ("sklearn.linear_model.SGDClassifier", {"loss": "log_loss", "alpha": 0.0001}),
}
PR_CHANGE = ("logistic", {"C": 0.5})
TRUSTED = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]
SEED = 0
LATENCY = {"latency_rows": 200, "batch_rows": 1000}  # the config's (and mlgate's default) settings
NO_LATENCY = {"MLGATE_TRAIN__LATENCY_ROWS": "0", "MLGATE_TRAIN__BATCH_ROWS": "0"}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@localhost",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost",
    "GIT_CONFIG_NOSYSTEM": "1",
}
CACHE_CODE = """\
import sys
from pathlib import Path
from mlgate import __version__
from mlgate.baseline import BaselineCache, save_baseline
from mlgate.config import load_config
config = load_config()
save_baseline(BaselineCache(config.root / config.baseline.cache_dir, __version__), sys.argv[1], Path(sys.argv[2]))
"""
# A child forked from this (large) process inherits our RSS high-water mark in ru_maxrss,
# so a minimal `python -S` launcher spawns each task and reports os.wait4 rusage for it.


@dataclass
class Result:
    dataset: str  # "synthetic" or "realism"
    rows: int
    tool: str  # "plain", "mlgate", "mlgate+latency"
    walls: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # "candidate/name" -> metric -> value
    breakdown: dict[str, float] = field(default_factory=dict)
    error: str = ""
    match: str = "—"

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")


# ---------------------------------------------------------------- data and project generation
def synthetic_frame(n: int, seed: int) -> Any:
    """10 numeric features (x3, x7 with ~1 % nulls) + a 5-value string column (~1 % nulls) + a 0/1 label."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n, n_features=11, n_informative=7, n_redundant=2, flip_y=0.05, class_sep=0.8, random_state=seed
    )
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{i}": np.round(X[:, i], 4) for i in range(10)})
    for name in ("x3", "x7"):
        frame.loc[rng.random(n) < 0.01, name] = np.nan
    bins = np.digitize(X[:, 10] + rng.normal(0, 0.5, n), [-1.0, -0.3, 0.3, 1.0])  # informative, noisy
    segment = np.asarray(SEGMENTS, dtype=object)[bins]
    segment[rng.random(n) < 0.01] = None
    frame["segment"] = segment
    frame["label"] = y.astype(np.int64)
    return frame


def realism_frame(n: int, seed: int) -> Any:
    """scikit-learn's bundled breast-cancer data (569 rows, 30 features) upsampled with 5 % Gaussian noise."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(bunch.target), n)
    base = bunch.data[picks]
    noisy = base + rng.normal(0.0, 1.0, base.shape) * bunch.data.std(axis=0) * 0.05
    names = [str(name).replace(" ", "_") for name in bunch.feature_names]
    frame = pd.DataFrame(np.round(np.abs(noisy), 5), columns=names)
    frame["malignant"] = (bunch.target[picks] == 0).astype(np.int64)
    return frame


def schema_for(frame: Any, target: str) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for name in frame.columns:
        if name == target:
            fields.append(
                {"name": name, "type": "integer", "constraints": {"required": True, "minimum": 0, "maximum": 1}}
            )
        elif frame[name].dtype.kind == "f":
            fields.append({"name": name, "type": "number"})
        else:
            fields.append({"name": name, "type": "string", "constraints": {"enum": SEGMENTS}})
    return {"fields": fields}


def config_for(target: str, models: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return {
        "version": 1,
        "data": {"schema": "schema.yaml", "train": "data/train.parquet", "test": "data/test.parquet"},
        "task": "classification",
        "target": target,
        "models": {name: {"estimator": est, "params": params} for name, (est, params) in models.items()},
        "metrics": {"names": METRICS, "primary": "roc_auc"},
        "train": {"seed": SEED, **LATENCY},
        "artifacts": {"trusted_types": TRUSTED},
    }


def pr_models() -> dict[str, tuple[str, dict[str, Any]]]:
    name, change = PR_CHANGE
    return {n: (est, {**params, **change} if n == name else params) for n, (est, params) in MODELS.items()}


def git(project: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=project, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def dump_yaml(document: dict[str, Any]) -> str:
    import yaml

    return str(yaml.safe_dump(document, sort_keys=False, width=120))


def generate_project(project: Path, dataset: str, n: int, seed: int) -> None:
    """Write the data, schema and config, and commit ``main`` and the ``feature`` branch (the PR)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = synthetic_frame(n, seed) if dataset == "synthetic" else realism_frame(n, seed)
    target = "label" if dataset == "synthetic" else "malignant"
    (project / "data").mkdir(parents=True)
    cut = n - round(n * TEST_SHARE)
    for part, rows in (("train", frame.iloc[:cut]), ("test", frame.iloc[cut:])):
        table = pa.Table.from_pandas(rows.reset_index(drop=True), preserve_index=False)
        pq.write_table(table, project / "data" / f"{part}.parquet", compression="snappy")
    (project / "schema.yaml").write_text(dump_yaml(schema_for(frame, target)))
    (project / "mlgate.yaml").write_text(dump_yaml(config_for(target, MODELS)))
    (project / ".gitignore").write_text(".mlgate/\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "project")
    git(project, "checkout", "-q", "-b", "feature")
    (project / "mlgate.yaml").write_text(dump_yaml(config_for(target, pr_models())))
    git(project, "commit", "-q", "-am", f"{PR_CHANGE[0]}: {PR_CHANGE[1]}")


def ensure_project(folder: Path, dataset: str, n: int, seed: int, regen: bool, exe: Path) -> Path:
    """The project folder with the baseline cached for mlgate and for the plain script (generated if missing)."""
    project, marker = folder / "project", folder / "ready.json"
    stamp = {
        "dataset": dataset,
        "rows": n,
        "seed": seed,
        "models": MODELS,
        "change": PR_CHANGE,
        "mlgate": metadata.version("mlgate"),
    }
    if not regen and marker.exists() and json.loads(marker.read_text()) == json.loads(json.dumps(stamp)):
        return project
    marker.unlink(missing_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    project.mkdir(parents=True)
    start = time.perf_counter()
    log(f"{dataset}: generating {n:,} rows in {project} ...")
    generate_project(project, dataset, n, seed)
    log(f"{dataset}: caching the baseline (mlgate train on main + save_baseline; the plain script's models) ...")
    git(project, "checkout", "-q", "main")
    try:
        train = [str(exe), "train", "--out", str(folder / "main-train")]
        subprocess.run(train, cwd=project, env=clean_env(NO_LATENCY), check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "-c", CACHE_CODE, git(project, "rev-parse", "HEAD"), str(folder / "main-train")],
            cwd=project,
            env=clean_env(),
            check=True,
        )
        cmd = [sys.executable, SELF, "--child", "plain-baseline", str(project), str(folder / "plain-baseline")]
        subprocess.run(cmd, cwd=project, env=clean_env(), check=True, stdout=subprocess.DEVNULL)
    finally:
        git(project, "checkout", "-q", "feature")
    log(f"{dataset}: ready in {time.perf_counter() - start:.1f} s")
    marker.write_text(json.dumps(stamp))
    return project


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without GitHub Actions or MLGATE_* variables (a local, non-PR run), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MLGATE_"))}
    return {**env, **(extra or {})}


# ---------------------------------------------------------------- the plain script (child process)
def plain_pipeline(estimator: str, params: dict[str, Any], frame: Any, target: str) -> Any:
    """The estimator behind the preprocessing mlgate builds for ``preprocess: auto`` (see training/preprocess.py)."""
    import importlib

    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    module, name = estimator.rsplit(".", 1)
    model = getattr(importlib.import_module(module), name)(**params)
    if "random_state" in model.get_params() and model.get_params()["random_state"] is None:
        model.set_params(random_state=SEED)
    numeric = [c for c in frame.columns if c != target and frame[c].dtype.kind == "f"]
    strings = [c for c in frame.columns if c != target and c not in numeric]
    numeric_steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
    if module.startswith("sklearn.linear_model"):
        numeric_steps.append(("scale", StandardScaler()))
    transformers: list[tuple[str, Any, list[str]]] = [("numeric", Pipeline(numeric_steps), numeric)]
    if strings:
        encode = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        transformers.append(("categorical", encode, strings))
    return Pipeline([("preprocess", ColumnTransformer(transformers, remainder="drop")), ("model", model)])


def read_plain(project: Path) -> tuple[Any, Any, str]:
    import numpy as np
    import pandas as pd
    import yaml

    config = yaml.safe_load((project / "mlgate.yaml").read_text())
    frames = []
    for part in ("train", "test"):
        frame = pd.read_parquet(project / config["data"][part])
        for name in frame.columns:
            if frame[name].dtype.kind not in "fiub":  # strings as objects with NaN, as mlgate's feature frame
                frame[name] = frame[name].astype(object).where(frame[name].notna(), np.nan)
        frames.append(frame)
    return frames[0], frames[1], str(config["target"])


def score_plain(model: Any, X: Any, y: Any) -> dict[str, float]:
    from sklearn.metrics import get_scorer

    return {metric: float(get_scorer(metric)(model, X, y)) for metric in METRICS}


def run_plain(project: Path, baseline: Path, save: bool) -> dict[str, dict[str, float]]:
    """Fit + score the project's 3 models; then (``save``) store them, or load and score the baseline's."""
    import joblib
    import yaml

    config = yaml.safe_load((project / "mlgate.yaml").read_text())
    train, test, target = read_plain(project)
    X, y, X_test, y_test = train.drop(columns=[target]), train[target], test.drop(columns=[target]), test[target]
    found: dict[str, dict[str, float]] = {}
    for name, spec in config["models"].items():
        model = plain_pipeline(spec["estimator"], spec.get("params", {}), train, target).fit(X, y)
        found[f"candidate/{name}"] = score_plain(model, X_test, y_test)
        if save:
            baseline.mkdir(parents=True, exist_ok=True)
            joblib.dump(model, baseline / f"{name}.joblib")
    if not save:
        for path in sorted(baseline.glob("*.joblib")):
            found[f"baseline/{path.stem}"] = score_plain(joblib.load(path), X_test, y_test)
    return found


# ---------------------------------------------------------------- measurement
def measure(
    res: Result,
    cmd: list[str],
    repeat: int,
    *,
    scratch: Path,
    cwd: Path,
    env: dict[str, str],
    first: int = 0,
    of: int = 0,
) -> str:
    """Run ``cmd`` ``repeat`` times into ``res``; return the last stdout ("" on failure).

    ``first``/``of``: the runs' numbers in the log when the caller interleaves single runs.
    """
    stdout = ""
    for i in range(first, first + repeat):
        wall, rss, code, stdout, stderr = run_measured(cmd, scratch, cwd=cwd, env=env)
        log(
            f"{res.dataset:<9} {res.rows:>9,} {res.tool:<15} run {i + 1}/{of or repeat}: {wall:.2f} s, {rss:.0f} MiB,"
            f" exit {code}"
        )
        if code not in (0, 1):  # mlgate check exits 1 when a gate fails: still a complete run
            tail = [line for line in stderr.strip().splitlines() if line.strip()][-10:]
            print("\n".join(f"    {line}" for line in tail), file=sys.stderr)
            res.error = f"exit {code}: {(tail or ['no stderr'])[-1].strip()[:100]}"
            return ""
        res.walls.append(wall)
        res.peak_rss_mb = max(res.peak_rss_mb, rss)
    return stdout


def read_mlgate(res: Result, stdout: str, out: Path, project: Path) -> None:
    """Metrics and a time breakdown from mlgate's JSON report and its candidate results.

    A baseline fit time counts as a re-fit only when it is neither the candidate's (an identical model) nor
    the one stored in the cache (re-used on the same machine): those were not fitted again.
    """
    report = json.loads(stdout)
    baseline = report.get("baseline") or {}
    if baseline.get("source") != "cache":
        res.error = f"baseline source {baseline.get('source')!r}, not the cache: {baseline.get('reason')}"
        return
    cached = cached_fit_times(project, str(baseline.get("commit")))
    fits = {"candidate": 0.0, "baseline": 0.0}
    for name, values in report["comparison"]["metrics"].items():
        for side, key in (("candidate", "new"), ("baseline", "old")):
            scores = {m: values[m][key] for m in METRICS if values.get(m, {}).get(key) is not None}
            if scores:
                res.metrics[f"{side}/{name}"] = scores
        fit = values.get("fit_s", {})
        fits["candidate"] += fit.get("new") or 0.0
        if fit.get("old") is not None and fit.get("old") not in (fit.get("new"), cached.get(name)):
            fits["baseline"] += fit["old"]
    manifest = json.loads((out / "candidate" / "manifest.json").read_text())
    res.breakdown = {
        "train_total_s": manifest["timings"]["total_s"],
        "train_read_s": manifest["timings"]["load_s"],
        "candidate_fits_s": fits["candidate"],
        "baseline_refits_s": fits["baseline"],
    }


def cached_fit_times(project: Path, commit: str) -> dict[str, float]:
    """The fit times stored with the cached baseline of ``commit`` (metrics.json under .mlgate/cache)."""
    found: dict[str, float] = {}
    for path in (project / ".mlgate" / "cache" / commit).glob("*/metrics.json"):
        for name, model in json.loads(path.read_text())["models"].items():
            if "fit_s" in model.get("timings", {}):
                found[name] = model["timings"]["fit_s"]
    return found


def compare_metrics(res: Result, plain: Result) -> None:
    if res.error or plain.error:
        return
    if set(res.metrics) != set(plain.metrics):
        res.match = f"no: models {sorted(res.metrics)} vs {sorted(plain.metrics)}"
        return
    worst = max(abs(res.metrics[k][m] - plain.metrics[k][m]) for k in res.metrics for m in METRICS)
    res.match = f"yes ({len(res.metrics)} models)" if worst <= 1e-9 else f"no: max difference {worst:.2g}"


def bench_project(args: argparse.Namespace, dataset: str, n: int, exe: Path) -> list[Result]:
    folder = args.work / f"{dataset}_{n}"
    project = ensure_project(folder, dataset, n, args.seed, args.regen, exe)
    scratch = args.work / "scratch"
    plain = Result(dataset, n, "plain")
    plain_cmd = [sys.executable, SELF, "--child", "plain", str(project), str(folder / "plain-baseline")]
    variants = (("mlgate", NO_LATENCY),) if args.skip_latency else (("mlgate", NO_LATENCY), ("mlgate+latency", {}))
    tools = [(Result(dataset, n, tool), extra) for tool, extra in variants]
    outs = {res.tool: folder / ("pr-run" if res.tool == "mlgate" else "pr-run-latency") for res, _ in tools}
    outputs: dict[str, str] = {}
    for i in range(args.repeat):  # one run of each tool in turn: machine drift affects them alike
        if not plain.error:
            outputs["plain"] = measure(
                plain, plain_cmd, 1, scratch=scratch, cwd=project, env=clean_env(), first=i, of=args.repeat
            ) or outputs.get("plain", "")
        for res, extra in tools:
            cmd = [str(exe), "check", "--no-cache", "--format", "json", "--out", str(outs[res.tool])]
            if not res.error:
                outputs[res.tool] = measure(
                    res, cmd, 1, scratch=scratch, cwd=project, env=clean_env(extra), first=i, of=args.repeat
                ) or outputs.get(res.tool, "")
    if outputs.get("plain"):
        plain.metrics = json.loads(outputs["plain"].strip().splitlines()[-1])
    results = [plain]
    for res, _extra in tools:
        if outputs.get(res.tool):
            read_mlgate_or_fail(res, outputs[res.tool], outs[res.tool], project)
        compare_metrics(res, plain)
        results.append(res)
    return results


def read_mlgate_or_fail(res: Result, stdout: str, out: Path, project: Path) -> None:
    try:
        read_mlgate(res, stdout, out, project)
    except (ValueError, KeyError, TypeError) as exc:
        res.error = f"unexpected output ({type(exc).__name__}: {str(exc)[:60]})"


# ---------------------------------------------------------------- reporting
def find(results: list[Result], dataset: str, rows: int, tool: str) -> Result | None:
    return next((r for r in results if (r.dataset, r.rows, r.tool) == (dataset, rows, tool) and r.walls), None)


def format_table(results: list[Result]) -> str:
    lines = [
        "| data | rows | tool | wall s (median) | peak RSS MB | × plain | metrics = plain |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        plain = find(results, r.dataset, r.rows, "plain")
        if r.error or not r.walls:
            lines.append(f"| {r.dataset} | {r.rows:,} | {r.tool} | — | — | — | FAIL: {r.error.replace('|', '/')} |")
            continue
        ratio = f"{r.wall / plain.wall:.2f}×" if plain is not None and r.tool != "plain" else "—"
        match = "—" if r.tool == "plain" else r.match
        lines.append(
            f"| {r.dataset} | {r.rows:,} | {r.tool} | {r.wall:.2f} | {r.peak_rss_mb:.0f} | {ratio} | {match} |"
        )
    return "\n".join(lines)


def format_details(results: list[Result]) -> str:
    """Latency sampling by difference, mlgate's time breakdown, and growth with rows."""
    lines = [
        "| data | rows | latency sampling s | mlgate train total s | of which imports + reading s | candidate fits s |"
        " baseline re-fits s | rest s | plain s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for dataset, rows in dict.fromkeys((r.dataset, r.rows) for r in results):
        bare, full, plain = (find(results, dataset, rows, t) for t in ("mlgate", "mlgate+latency", "plain"))
        if bare is None or not bare.breakdown:
            continue
        b = bare.breakdown
        latency = f"{full.wall - bare.wall:.2f}" if full is not None else "—"
        rest = bare.wall - b["train_total_s"] - b["baseline_refits_s"]
        cells = [
            latency,
            *(f"{b[k]:.2f}" for k in ("train_total_s", "train_read_s", "candidate_fits_s", "baseline_refits_s")),
            f"{rest:.2f}",
            f"{plain.wall:.2f}" if plain is not None else "—",
        ]
        lines.append(f"| {dataset} | {rows:,} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Latency sampling = (mlgate+latency) − mlgate. Train total, imports + reading (load_s: building the estimators, then reading) and fits come from the run's own"
        " results (manifest.json timings, fit_s); baseline re-fits count only the baseline models fitted again"
        " (not those sharing a candidate's fit time or re-using the cached one on the same machine);"
        " rest = the process minus training and the baseline re-fits:"
        " interpreter and imports, the data gate, reading the data again and scoring in the re-scoring step,"
        " loading the saved models, the comparison and the report.",
    ]
    sizes = sorted({r.rows for r in results if r.dataset == "synthetic"})
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        lines += ["", f"Time vs rows (synthetic, {large:,} / {small:,} rows = {large / small:g}× the rows):", ""]
        for tool in ("plain", "mlgate", "mlgate+latency"):
            a, b2 = find(results, "synthetic", small, tool), find(results, "synthetic", large, tool)
            if a is not None and b2 is not None:
                lines.append(f"- {tool}: {a.wall:.2f} s → {b2.wall:.2f} s (×{b2.wall / a.wall:.1f})")
    return "\n".join(lines)


def evaluate_goals(results: list[Result]) -> list[tuple[bool, str]]:
    goals: list[tuple[bool, str]] = []
    for dataset, rows in dict.fromkeys((r.dataset, r.rows) for r in results):
        bare, plain = find(results, dataset, rows, "mlgate"), find(results, dataset, rows, "plain")
        where = f"{dataset} {rows:,} rows"
        if bare is None or plain is None or bare.error:
            goals.append((False, f"{where}: mlgate check ≤ {GOAL}× the plain script (no successful runs)"))
            continue
        ratio = bare.wall / plain.wall
        same = bare.match.startswith("yes")
        paired = ""
        if len(bare.walls) == len(plain.walls) > 1:  # runs taken in turns: the ratio of each round, then the median
            rounds = statistics.median(b / p for b, p in zip(bare.walls, plain.walls, strict=True))
            paired = f"; median of the {len(bare.walls)} rounds' ratios {rounds:.2f}×"
        goals.append(
            (
                ratio <= GOAL and same,
                f"{where}: mlgate check (latency sampling excluded) ≤ {GOAL}× the "
                f"plain script: {ratio:.2f}× ({bare.wall:.2f} s vs {plain.wall:.2f} s{paired}), "
                f"metrics equal: {same}",
            )
        )
    return goals


# ---------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="synthetic dataset sizes, train + test (default 100000 1000000)",
    )
    parser.add_argument("--realism-rows", type=int, default=100_000, help="rows of the breast-cancer project")
    parser.add_argument("--skip-realism", action="store_true", help="only the synthetic projects")
    parser.add_argument("--skip-latency", action="store_true", help="no mlgate+latency runs (quicker)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per task, median kept (default 1)")
    parser.add_argument("--work", type=Path, default=REPO / ".bench" / "check", help="projects + output dir")
    parser.add_argument("--seed", type=int, default=42, help="data generation seed (default 42)")
    parser.add_argument("--threads", type=int, help="OMP/BLAS threads of every process (default: the libraries' own)")
    parser.add_argument("--regen", action="store_true", help="regenerate the projects even if cached")
    parser.add_argument("--child", choices=["plain", "plain-baseline"], help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child and (min(args.rows) < 1000 or args.realism_rows < 1000 or args.repeat < 1):
        parser.error("--rows and --realism-rows must be >= 1000 and --repeat >= 1")
    return args


def precompile_mlgate() -> None:
    """Compile mlgate's bytecode first, as installing a wheel does (see scripts/bench_validate.py)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("mlgate")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        project, baseline = (Path(p) for p in args.child_args)
        print(json.dumps(run_plain(project, baseline, save=args.child == "plain-baseline")))
        return 0
    args.work = args.work.resolve()
    if args.threads:  # the same for both tools: fewer threads than cores steadies timings on a shared machine
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.threads)
    exe = Path(sys.executable).parent / "mlgate"
    if not exe.exists():
        print(f"{exe} not found: install mlgate in this interpreter's environment", file=sys.stderr)
        return 2
    precompile_mlgate()
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    machine = describe_machine(("scikit-learn", "pandas", "pyarrow", "skops", "mlgate"))
    projects = [("synthetic", n) for n in args.rows]
    if not args.skip_realism:
        projects.append(("realism", args.realism_rows))
    results = [r for dataset, n in projects for r in bench_project(args, dataset, n, exe)]
    goals = evaluate_goals(results)
    report = "\n".join(
        ["# mlgate check benchmark", "", f"Command: `{command}`", ""]
        + [f"- {key}: {value}" for key, value in machine.items()]
        + ["", format_table(results), "", "## Where the time goes (mlgate runs without latency sampling)", ""]
        + [format_details(results), "", "## Goals", ""]
        + [f"- **{'PASS' if passed else 'FAIL'}** {text}" for passed, text in goals]
    )
    print(report)
    (args.work / "results.md").write_text(report + "\n")
    raw = {
        "command": command,
        "machine": machine,
        "results": [asdict(r) | {"wall_s": r.wall if r.walls else None} for r in results],
        "goals": [{"pass": passed, "goal": text} for passed, text in goals],
    }
    (args.work / "results.json").write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
