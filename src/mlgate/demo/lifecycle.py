"""``mlgate demo``: the whole lifecycle, offline, on a project generated from the bundled template.

Generate → validate (and fail a corrupted copy) → train on ``main`` and cache the results (as the
main-results workflow does) → a pull request tuning a model, checked against its merge-base → the PR
comment as it would be posted → register and approve the best model → start the endpoint → deploy and
call it → deploy a version that fails its live smoke test and watch the automatic rollback → send a clean and a
drifted stream of traffic and let the monitor judge each → the world changes: a retrained model on an A/B test
against the live one, promoted on simulated labels → history.
Every step calls the same library code as the commands; each returns data (see ``steps``); nothing here
prints. The deploy steps live in ``mlgate.demo.release``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.config import CONFIG_NAME, Config, load_config
from mlgate.demo import release
from mlgate.demo.steps import Clock, DemoResult, Outcome, StepRunner
from mlgate.errors import InputError
from mlgate.progress import Say

if TYPE_CHECKING:
    from mlgate.data.results import ValidationResult

PROJECT_ANSWERS: dict[str, Any] = {
    "project_name": "Demo Churn",
    "task": "classification",
    "deploy_target": "local",
    "example_data": True,
}
# Embedded settings, applied like MLGATE_* overrides: 20 golden rows make a model that does not reproduce its
# registered predictions fail the smoke test with certainty (a random match of 20 labels is ~1 in a million).
# 30 labels per variant before the A/B test judges quality (200 by default): the A/B chapter's change is large, and
# the sequential test stays valid however early it looks (mlgate.demo.abtest).
SETTINGS = {"MLGATE_REGISTRY__GOLDEN_ROWS": "20", "MLGATE_AB__MIN_LABELS": "30"}
# What the main-results workflow sets: the pushed commit is its own baseline, never trained twice.
MAIN_RESULTS = {"MLGATE_BASELINE__TRAIN_IF_MISSING": "false"}
COMMENT_KEY = "mlgate-report"  # the key of the generated project's comment workflow (pr-comment.yml's default)
PLANNED_STEPS = 16


@dataclass
class Demo:
    """The demo in ``folder`` (which must be empty or absent); clocks and the template are injectable."""

    folder: Path
    clock: Clock
    now: Callable[[], dt.datetime]
    say: Say = lambda _message: None
    template: Path | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)  # config overrides (MLGATE_*), e.g. the registry's
    project: Path | None = None
    locations: dict[str, str] = field(default_factory=dict)
    commits: dict[str, str] = field(default_factory=dict)

    @property
    def runs(self) -> Path:
        return self.folder / "runs"

    def config(self, extra: Mapping[str, str] | None = None) -> Config:
        assert self.project is not None
        return load_config(
            self.project / CONFIG_NAME, cwd=self.project, environ={**SETTINGS, **self.settings, **(extra or {})}
        )

    def run(self, runner: StepRunner) -> DemoResult:
        """Every step in order; stops at the first one that does not behave as designed."""
        started = self.clock()
        runner.run("generate", "Generate a project from the bundled template", self.generate)
        runner.run("validate", "Validate its data against the schema", self.validate)
        runner.run("validate-corrupted", "Validate a corrupted copy of the data (the data gate fails)", self.corrupt)
        runner.run("main", "Commit on main; train the candidates and cache them (main-results)", self.main_results)
        runner.run("pull-request", "A pull request tunes a model: the PR check", self.pull_request)
        runner.run("comment", "The PR comment, exactly as it is posted", self.comment)
        runner.run("register", "Register main's best model and approve it", lambda: release.register_step(self))
        port = None
        with release.endpoint_step(self, runner) as serving:
            if serving is not None:
                port = serving.endpoint.port
                release.run_release(self, runner, serving)
        if port is not None:
            runner.run("stop", "Stop the endpoint; where everything lies", lambda: release.stopped_step(self, port))
        seconds = round(self.clock() - started, 3)
        return DemoResult(self.folder, tuple(runner.steps), dict(self.locations), seconds, PLANNED_STEPS)

    def generate(self) -> Outcome:
        from mlgate.demo.generate import GenerateOptions, generate_project

        options = GenerateOptions(output_dir=self.folder, no_input=True, extra=PROJECT_ANSWERS)
        self.say("cookiecutter: " + ", ".join(f"{k}={v}" for k, v in PROJECT_ANSWERS.items()))
        self.project = generate_project(options, template=self.template)
        config = self.config()
        files = sorted(p.relative_to(self.project).as_posix() for p in self.project.rglob("*") if p.is_file())
        self.locations["project"] = str(self.project)
        self.locations["config"] = str(self.project / CONFIG_NAME)
        for label, value in (
            ("train data", config.data.train),
            ("test data", config.data.test),
            ("schema", config.data.schema),
        ):
            if value:
                self.locations[label] = str(Path(value).resolve())
        ok = bool(config.models) and config.data.train is not None and config.deploy.target == "local"
        summary = f"{self.project.name}: {len(files)} files, {len(config.models)} candidate models"
        return Outcome(
            ok, summary, "\n".join(files), {"project": str(self.project), "files": files, "models": list(config.models)}
        )

    def validate(self) -> Outcome:
        from mlgate.data import has_data_gate, validate_datasets
        from mlgate.report import validation as render

        config = self.config()
        if not has_data_gate(config.data):
            raise InputError("the generated project declares no schema or data to validate")
        result = validate_datasets(config, say=self.say)
        return Outcome(result.valid, _validation_summary(result), render.render_text(result), _validation_facts(result))

    def corrupt(self) -> Outcome:
        from mlgate.data import load_schema, validate_files
        from mlgate.demo.corrupt import count_records, plan_corruptions, write_corrupted_copy
        from mlgate.report import validation as render

        config = self.config()
        assert config.data.train is not None
        assert config.data.schema is not None
        source = Path(config.data.train).resolve()
        schema = load_schema(Path(config.data.schema).resolve())
        copy = self.folder / "corrupted" / source.name
        plan = plan_corruptions(
            schema, records=count_records(source, encoding=config.data.csv.encoding), target=config.target
        )
        write_corrupted_copy(source, copy, plan, csv_config=config.data.csv)
        self.locations["corrupted data"] = str(copy)
        for c in plan:
            self.say(f"{c.field}: {c.why} ({c.value!r}) in rows {', '.join(str(r + 1) for r in c.records)}")
        result = validate_files([str(copy)], schema, csv=config.data.csv, max_examples=config.validate.max_examples)
        found = {v.field for f in result.files for v in f.violations}
        caught = all(c.field in found for c in plan)
        facts = _validation_facts(result) | {"corrupted": [dataclasses.asdict(c) for c in plan], "caught_all": caught}
        summary, detail = _validation_summary(result), render.render_text(result)
        return Outcome(not result.valid and caught, summary, detail, facts, failed=not result.valid)

    def main_results(self) -> Outcome:
        from mlgate.check import CheckOptions, run_check
        from mlgate.demo.repo import open_repo, start_repository

        assert self.project is not None
        git = open_repo(self.project, self.environ)
        sha = start_repository(git)
        self.commits["main"] = sha
        self.say(f"main is at {sha[:7]}; mlgate check --head {sha[:7]} --base {sha[:7]} --cache")
        config = self.config(MAIN_RESULTS)
        options = CheckOptions(head=sha, base=sha, cache_results=True)
        out = self.runs / "main"
        result = run_check(config, out=out, options=options, environ={}, step=self.say)
        candidate = result.candidate
        models = sorted(candidate.models) if candidate is not None else []
        self.locations["main results"] = str(out / "candidate")
        cache = Path(config.baseline.cache_dir).resolve()
        self.locations["baseline cache"] = str(cache)
        ok = result.cached_as == sha and bool(models)
        summary = f"trained {', '.join(models) or 'nothing'} at {sha[:7]}; cached as its baseline in {cache}"
        return Outcome(
            ok,
            summary,
            facts={"commit": sha, "models": models, "cached_as": result.cached_as, "verdict": result.verdict},
        )

    def pull_request(self) -> Outcome:
        import yaml

        from mlgate.check import CheckOptions, run_check
        from mlgate.demo.render import with_project_paths
        from mlgate.demo.repo import BRANCH, apply_param_change, commit_all, open_repo, plan_param_change
        from mlgate.report import check as render

        assert self.project is not None
        git = open_repo(self.project, self.environ)
        git.run("switch", "--quiet", "--create", BRANCH)
        path = self.project / CONFIG_NAME
        text = path.read_text(encoding="utf-8")
        change = plan_param_change(yaml.safe_load(text))
        path.write_text(apply_param_change(text, change), encoding="utf-8")
        head = commit_all(git, f"Tune {change.model}: {change.param} {change.old} → {change.new}")
        self.commits["head"] = head
        self.say(f"branch {BRANCH} at {head[:7]}: {change.describe()}")
        config = self.config()
        out = self.runs / "pull-request"
        result = run_check(config, out=out, options=CheckOptions(cache_results=False), environ={}, step=self.say)
        context = render.build_context(
            result,
            key=config.report.key,
            precision=config.report.precision,
            run_url=None,
            full_report="the job summary",
        )
        context = with_project_paths(context, self.project)  # as in CI: the data files by their project paths
        comment = render.render_markdown(result, context, limit=config.report.max_comment_chars)
        (out / "comment.md").parent.mkdir(parents=True, exist_ok=True)
        (out / "comment.md").write_text(comment, encoding="utf-8")
        (out / "report.json").write_text(render.render_json(result, context), encoding="utf-8")
        self.locations["pull request check"] = str(out)
        self.locations["PR comment"] = str(out / "comment.md")
        git.run("switch", "--quiet", "main")  # the PR stays open: main's results are what gets registered
        baseline = result.baseline
        ok = baseline is not None and baseline.source == "cache" and result.comparison is not None
        facts = {
            "branch": BRANCH,
            "head": head,
            "change": change.describe(),
            "verdict": result.verdict,
            "baseline": None if baseline is None else {"commit": baseline.commit, "source": baseline.source},
            "results": str(out / "candidate"),
        }
        blocked = {"fail": " (this PR would be blocked)", "warn": " (with warnings)"}.get(result.verdict, "")
        summary = f"{change.describe()}; checked against the cached merge-base: {result.verdict.upper()}{blocked}"
        return Outcome(ok, summary, render.render_text(result, context), facts, failed=result.verdict == "fail")

    def comment(self) -> Outcome:
        from mlgate.github.marker import parse_marker
        from mlgate.github.publish import ReportOptions, compose_comment, read_body
        from mlgate.report.budget import with_marker

        path = Path(self.locations["PR comment"])
        head = self.commits["head"]
        options = ReportOptions(key=COMMENT_KEY, head=head)
        where = f"`{path.name}`"
        body = compose_comment(read_body(path), options, {}, pull_head=head, where=where, mark=with_marker).body
        posted = self.runs / "pull-request" / "comment-posted.md"
        posted.write_text(body, encoding="utf-8")
        self.locations["PR comment (as posted)"] = str(posted)
        marker = parse_marker(body)
        ok = marker is not None and marker.key == COMMENT_KEY and marker.head == head
        summary = f"{len(body.encode('utf-8')):,} bytes, marker key={COMMENT_KEY} head={head[:7]}"
        return Outcome(ok, summary, body, {"body": body, "key": COMMENT_KEY, "head": head})


def _validation_summary(result: ValidationResult) -> str:
    rows = sum(f.rows or 0 for f in result.files)
    count = sum(v.count for f in result.files for v in f.violations)
    files = ", ".join(Path(f.path).name for f in result.files)
    return f"{files}: {rows:,} rows, " + ("valid" if result.valid else f"INVALID, {count:,} violations")


def _validation_facts(result: ValidationResult) -> dict[str, Any]:
    return {
        "valid": result.valid,
        "files": [f.path for f in result.files],
        "violations": [
            {"file": f.path, "field": v.field, "check": v.check, "count": v.count}
            for f in result.files
            for v in f.violations
        ],
    }
