"""``mlgate check``: validate + train + compare with the baseline, exactly as the PR workflow does.

The steps, each a library call of its own: the data gate (``mlgate.data.validate_datasets`` on the train/test
files, with drift when the schema asks for it); the candidate (``train_models``); the baseline (the merge-base of
the PR head with the base branch: cached results folder or a temporary worktree, see
``mlgate.baseline``), whose saved models are re-scored here on this PR's evaluation data; the schema
diff between the merge-base and now; the comparison with its gates. Invalid data stops before training:
models fitted on data that broke its contract prove nothing.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlgate import __version__
from mlgate.baseline import (
    Baseline,
    BaselineCache,
    Git,
    Preparer,
    Reuse,
    Revisions,
    find_reuse,
    find_revisions,
    resolve_baseline,
    save_baseline,
)
from mlgate.baseline.location import open_git
from mlgate.config import CONFIG_NAME, Config
from mlgate.errors import InputError, MlgateError
from mlgate.progress import Say
from mlgate.results import read_results, write_results

if TYPE_CHECKING:
    from mlgate.breakdown import Breakdown
    from mlgate.compare import Comparison
    from mlgate.data.results import ValidationResult
    from mlgate.data.schema_diff import SchemaDiff
    from mlgate.dvc.changes import DataChange
    from mlgate.dvc.versions import DataVersion
    from mlgate.results import ResultSet
    from mlgate.training.dataset import TrainingData
    from mlgate.training.predictions import PredictionSet
    from mlgate.training.rescore import Rescored
    from mlgate.training.run import TrainRun

Trainer = Callable[[Path, Path], None]


@dataclass(frozen=True)
class CheckOptions:
    """What the command line adds to the config."""

    head: str | None = None
    base: str | None = None
    require_baseline: bool = False
    cache_results: bool | None = None  # None: cache when not a PR run and the work tree is clean
    candidates: tuple[Path, ...] = ()  # results folders trained elsewhere (matrix legs): merged, not retrained


@dataclass(frozen=True)
class CheckResult:
    """Everything the report needs; ``comparison`` is None when the data gate stopped the run."""

    validation: ValidationResult | None
    comparison: Comparison | None = None
    candidate: ResultSet | None = None
    baseline: Baseline | None = None
    revisions: Revisions | None = None
    schema_diff: SchemaDiff | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # baseline models that could not be re-scored
    cached_as: str | None = None  # the commit these results were stored under, for later PRs
    breakdown: tuple[Breakdown, ...] = ()  # per-class scores / residuals of each model, baseline vs PR
    data_versions: tuple[DataChange, ...] = ()  # DVC-tracked datasets: their hash at the merge-base and now

    @property
    def verdict(self) -> Literal["pass", "warn", "fail"]:
        if self.validation is not None and not self.validation.valid:
            return "fail"
        if self.comparison is None:
            return "fail"
        return self.comparison.verdict


def run_check(
    config: Config,
    *,
    out: Path,
    options: CheckOptions,
    environ: Mapping[str, str],
    step: Say | None = None,
    trainer: Trainer | None = None,
) -> CheckResult:
    """Run the whole PR check into ``out`` (candidate results under ``out/candidate``)."""
    from mlgate.data import has_data_gate, validate_datasets

    say = step or (lambda _message: None)
    from mlgate.dvc.versions import read_data_versions

    versions = read_data_versions(config)  # a tracked file missing from the workspace stops here, before any work
    validation = validate_datasets(config, say=say) if has_data_gate(config.data) else None
    if validation is not None and not validation.valid:  # the report still names the head: the stale-run guard
        return CheckResult(validation=validation, revisions=find_head(config, options, environ))
    from mlgate.training.run import train_models

    with tempfile.TemporaryDirectory(prefix="mlgate-baseline-") as scratch:  # worktree, uncached baseline results
        baseline, revisions, git = find_baseline(config, options, environ, say, trainer, Path(scratch))
        stored = None if baseline.folder is None else read_results_with_predictions(baseline.folder)
        if options.candidates:
            say(f"reading {len(options.candidates)} candidate results folder(s)")
            candidates = [read_results_with_predictions(folder) for folder in options.candidates]
            folder, data, machine = None, None, {}
            run = None
        else:
            say("training the candidate models")
            run = train_models(
                config,
                out=out / "candidate",
                progress=say,
                latency=False,
                spread_known=find_measured_spread(config, baseline, stored),
            )
            candidates, folder, data, machine = [run.results], run.folder, run.data, run.manifest.get("machine", {})
        reuse = find_reuse(baseline, candidates, machine, folder)
        from mlgate.compare import compare_results, merge_candidates

        candidate = merge_candidates(candidates)
        rescore_run = _rescore(baseline, config, say, reuse, data, candidate.predictions, latency=run is None)
        rescored, skipped = (None, {}) if rescore_run is None else (rescore_run.results, dict(rescore_run.skipped))
        paired: dict[str, Any] = {}
        if run is not None:
            say("timing the baseline's and this PR's models side by side")
            candidate, rescored, paired = _time_together(run, rescore_run, reuse, config)
            candidates = [candidate]
            write_results(run.folder, candidate)
    if reuse.same and rescored is not None:
        baseline = dataclasses.replace(baseline, reason=f"{baseline.reason}; {_describe_shared(sorted(reuse.same))}")
    if skipped:
        reason = baseline.reason
        if rescored is not None and not rescored.models:  # nothing was re-scored: never claim it was
            reason = reason.replace(": cached model re-scored on this PR's data", ": cached models")
        baseline = dataclasses.replace(baseline, reason=f"{reason}; {_describe_skipped(skipped)}")
    if baseline.source == "self":  # the merge-base is this very commit: its results are the candidates'
        rescored, stored = candidate, None
        from mlgate.training.side_by_side import pair_identical

        paired = {name: pair_identical(model.timings) for name, model in candidate.models.items()}
    comparison = compare_results(
        rescored,
        candidates,
        config.metrics,
        baseline_note=baseline.reason,
        stored=stored,
        skipped=skipped,
        timings=paired,
        incomparable=config.baseline.incomparable,
        seed=config.train.seed,
        seed_fits=config.train.seed_fits,
    )
    schema_diff = diff_schema_at(git, baseline.commit, config) if git is not None else None
    cached_as = _cache_candidate(git, revisions, options, config, folder) if folder is not None else None
    from mlgate.breakdown import break_down

    details = break_down(candidate.task, candidate.predictions, None if rescored is None else rescored.predictions)
    changes = diff_data_at(git, baseline.commit, config, versions)
    return CheckResult(
        validation, comparison, candidate, baseline, revisions, schema_diff, skipped, cached_as, details, changes
    )


def read_results_with_predictions(folder: Path) -> ResultSet:
    """A results folder with its per-row predictions (``predictions.parquet``) when it has them."""
    from mlgate.training.predictions import attach_predictions

    return attach_predictions(read_results(folder), folder)


def find_measured_spread(config: Config, baseline: Baseline, stored: ResultSet | None) -> frozenset[str]:
    """The models whose seed spread the baseline measured: same name, same estimator, ``seed_sd`` recorded.

    ``stored``: the baseline's results as read from its folder. The PR's copies are not refitted with other seeds:
    under the gate's null hypothesis (the PR's training procedure is as good as the baseline's) both sides share
    that spread, and the test borrows it (``mlgate.stats.widen_by_seeds``). A changed estimator, or a baseline
    without a spread, is measured here.
    """
    if stored is None or baseline.source == "self":
        return frozenset()
    return frozenset(
        name
        for name, model in stored.models.items()
        if model.seed_sd and name in config.models and config.models[name].estimator == model.estimator
    )


def _describe_skipped(skipped: dict[str, str]) -> str:
    """The report's words for baseline models that could not be re-scored on this PR's data."""
    names = sorted(skipped)
    which = ", ".join(names) if len(names) <= 3 else f"{len(names)} models"
    first = skipped[names[0]]
    more = "; …" if len(names) > 1 else ""
    return (
        f"{which}: NOT re-scored on this PR's data ({first}{more}), compared with their scores on the merge-base's data"
    )


def _describe_shared(names: list[str]) -> str:
    """The report's words for baseline models whose scores are the candidates' (the same fitted model)."""
    which = ", ".join(names) if len(names) <= 3 else f"{len(names)} models"
    return f"{which}: the same fitted model as this PR's, scores shared"


def find_baseline(
    config: Config,
    options: CheckOptions,
    environ: Mapping[str, str],
    say: Say,
    trainer: Trainer | None,
    workdir: Path,
) -> tuple[Baseline, Revisions | None, Git | None]:
    """The merge-base's results folder (cached, or trained in a worktree), the revisions, and the repository."""
    require = options.require_baseline or config.baseline.require
    git = open_git(config.root)
    if git is None or (options.head is None and git.resolve("HEAD") is None):
        reason = "not a git repository" if git is None else "the repository has no commits yet"
        if require:
            fix = "run inside the repository" if git is None else "commit the project first"
            raise InputError(f"no baseline: {reason}", hint=f"{fix}, or drop --require-baseline")
        return Baseline(None, "none", None, reason), None, None
    revisions = find_revisions(
        environ,
        git=git,
        base_branch=config.baseline.base_branch,
        head=options.head,
        base=options.base,
        fetch=config.baseline.fetch,
    )
    if revisions.base_branch is not None:
        say(f"finding the baseline: merge-base of {revisions.head[:7]} with {revisions.base_branch}")
    baseline = resolve_baseline(
        git=git,
        head=revisions.head,
        base_branch=revisions.base_branch,
        cache=BaselineCache(Path(config.baseline.cache_dir), __version__),
        train_in_worktree=(trainer or make_worktree_trainer(environ)) if config.baseline.train_if_missing else None,
        fetch=config.baseline.fetch,
        require=require,
        workdir=workdir,
        config_file=config.path,
        base_reason=revisions.base_reason,
        candidate_commit=None if options.candidates else _checkout_commit(git, revisions.head),
        prepare=make_worktree_data(git, environ, pull=config.baseline.fetch),
    )
    return baseline, revisions, git


def _checkout_commit(git: Git, head: str) -> str | None:
    """``head`` when the candidates trained here are exactly that commit (checked out, no tracked changes)."""
    return head if git.resolve("HEAD") == head and git.is_clean() else None


def diff_schema_at(git: Git, commit: str | None, config: Config) -> SchemaDiff | None:
    """How the schema changed since ``commit`` (None: no schema, no commit, or none there)."""
    if commit is None or not config.data.schema:
        return None
    from mlgate.data.schema import load_schema, parse_schema
    from mlgate.data.schema_diff import diff_schemas
    from mlgate.files import parse_document

    current = Path(config.data.schema).resolve()
    try:
        relative = current.relative_to(git.toplevel().resolve())
    except ValueError:
        return None  # the schema lives outside the repository
    text = git.read_file(commit, relative.as_posix())
    if text is None:
        return None
    label = Path(f"{commit[:7]}:{relative.as_posix()}")
    try:
        old = parse_schema(parse_document(text, label, what="schema"), path=label, text=text)
    except MlgateError:
        return None  # the merge-base's schema was invalid: nothing meaningful to diff against
    return diff_schemas(old, load_schema(current))


def diff_data_at(
    git: Git | None, commit: str | None, config: Config, versions: Mapping[str, DataVersion]
) -> tuple[DataChange, ...]:
    """How each DVC-tracked dataset changed since ``commit`` (the merge-base), by DVC's hash (``mlgate.dvc``).

    Every dataset in a DVC repository is looked up at the merge-base: one tracked only there is reported too.
    """
    from mlgate.dvc.changes import diff_data_versions

    if git is None or commit is None:
        return ()  # no merge-base: nothing to compare with (the manifest records the versions)
    top = git.toplevel().resolve()

    def read_base(path: Path) -> str | None:
        try:
            relative = path.resolve().relative_to(top)
        except ValueError:
            return None  # outside the repository
        return git.read_file(commit, relative.as_posix())

    return diff_data_versions(config, versions, read_base)


def make_worktree_data(git: Git, environ: Mapping[str, str], *, pull: bool) -> Preparer:
    """Write a worktree's DVC-tracked data from this checkout's DVC cache (``pull``: what it lacks from the remote)."""

    def prepare(tree: Path, config_file: Path) -> str:
        from mlgate.dvc.run import make_dvc_runner
        from mlgate.dvc.worktree import materialise_worktree_data

        written = materialise_worktree_data(
            tree, config_file, main_top=git.toplevel(), pull=pull, make_runner=lambda: make_dvc_runner(environ)
        )
        return "on its own DVC-tracked data" if written else ""

    return prepare


def make_worktree_trainer(environ: Mapping[str, str], python: str = sys.executable) -> Trainer:
    """Train a checkout's candidates in a subprocess: ``python -m mlgate train`` with the checkout's config.

    The project folder (and its ``src/``) go first on PYTHONPATH so the merge-base's own transformers load.
    """

    def train(project: Path, out: Path) -> None:
        env = dict(environ)
        paths = [str(project), str(project / "src"), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        for name in [k for k in env if k.startswith("MLGATE_") and k not in ("MLGATE_DEBUG", "MLGATE_LOG_DIR")]:
            del env[name]  # the merge-base's own config decides, not this run's overrides
        argv = [python, "-m", "mlgate", "train", "--out", str(out), "--config", str(project / CONFIG_NAME)]
        done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            reason = next((line for line in lines if "error" in line.lower()), lines[-1] if lines else "")
            raise InputError(f"training the merge-base failed (exit {done.returncode}): {reason.strip()}")

    return train


def find_head(config: Config, options: CheckOptions, environ: Mapping[str, str]) -> Revisions | None:
    """The revisions of this run without looking for a baseline; None outside git or when they cannot be read."""
    git = open_git(config.root)
    if git is None or (options.head is None and git.resolve("HEAD") is None):
        return None
    try:
        return find_revisions(
            environ, git=git, base_branch=config.baseline.base_branch, head=options.head, base=options.base
        )
    except MlgateError:  # e.g. an unreadable event file: the data gate's report matters more than its marker
        return None


def _rescore(
    baseline: Baseline,
    config: Config,
    say: Say,
    reuse: Reuse,
    data: TrainingData | None,
    shared: PredictionSet | None,
    *,
    latency: bool,
) -> Rescored | None:
    if baseline.folder is None:
        return None
    from mlgate.training.rescore import rescore

    say(f"re-scoring the baseline models ({baseline.source}) on this data")
    return rescore(
        baseline.folder,
        config,
        progress=say,
        fit_times=reuse.fit_times,
        data=data,
        same=reuse.same,
        shared=shared,
        latency=latency,
    )


def _time_together(
    run: TrainRun, rescored: Rescored | None, reuse: Reuse, config: Config
) -> tuple[ResultSet, ResultSet | None, dict[str, Any]]:
    """Time the PR's models (with their baseline models, side by side) and put the timings into both sides."""
    from mlgate.training.side_by_side import pair_identical, time_side_by_side, with_timings

    base_results = None if rescored is None else rescored.results
    loaded = {} if rescored is None else rescored.loaded
    fits = {}
    for name in rescored.fitted_here if rescored is not None else ():
        base_model, new_model = base_results.models.get(name), run.results.models.get(name)  # type: ignore[union-attr]
        if base_model is not None and new_model is not None and "fit_s" in base_model.timings:
            fits[name] = (base_model.timings["fit_s"], new_model.timings.get("fit_s", 0.0))
    train = None if run.data is None else (run.data.train.X, run.data.train.y)
    found = time_side_by_side(
        loaded, run.fitted, run.sample, config.train, config.metrics.timing, fits=fits, train=train
    )
    candidate = with_timings(run.results, found.new)
    paired: dict[str, Any] = dict(found.paired)
    if base_results is not None:
        base_timings = {n: {k: round(t.base, 4) for k, t in p.items() if k != "fit_s"} for n, p in found.paired.items()}
        for name in reuse.same:
            base_timings[name] = found.new.get(name, {})
            paired[name] = pair_identical(candidate.models[name].timings) if name in candidate.models else {}
        base_results = with_timings(base_results, base_timings)
    return candidate, base_results, paired


def _cache_candidate(
    git: Git | None, revisions: Revisions | None, options: CheckOptions, config: Config, folder: Path
) -> str | None:
    """Store this run for its commit, so PRs that branch from it find a baseline (main-branch runs)."""
    if git is None or revisions is None:
        return None
    wanted = options.cache_results
    if wanted is None:
        code, status, _ = git.run("status", "--porcelain", "--untracked-files=no")
        wanted = revisions.pr_number is None and revisions.head_source == "HEAD" and code == 0 and not status.strip()
    if not wanted:
        return None
    save_baseline(BaselineCache(Path(config.baseline.cache_dir), __version__), revisions.head, folder)
    return revisions.head
