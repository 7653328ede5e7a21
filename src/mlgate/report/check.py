"""Renderers of ``mlgate check``: the comparison report, or the data gate's failure when it stopped the run."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlgate.report import comparison as comparison_report
from mlgate.report import data_versions
from mlgate.report import validation as validation_report
from mlgate.report.budget import fit_prefix, size, with_marker
from mlgate.report.cells import run_link
from mlgate.report.comparison_json import to_json as comparison_json
from mlgate.report.comparison_text import ANNOTATIONS
from mlgate.report.comparison_text import annotate as annotate_gates
from mlgate.report.context import (
    FULL_REPORT_LIMIT,
    DataFile,
    DriftedColumn,
    DriftSummary,
    ReportContext,
    SchemaSummary,
    ValidationSummary,
)
from mlgate.report.drift import drift_annotations
from mlgate.text import terminal
from mlgate.text.markdown import code, md

if TYPE_CHECKING:
    from mlgate.check import CheckResult  # types only: renderers never reach the services a check uses
    from mlgate.data.results import ValidationResult
    from mlgate.tracking.client import TrackedRun

SCHEMA_VERSION = 1


def build_context(
    result: CheckResult,
    *,
    key: str,
    precision: int,
    run_url: str | None,
    full_report: str | None,
    tracked: tuple[TrackedRun, ...] = (),
) -> ReportContext:
    """The header facts of a check: baseline story, PR head, data files with rows, data-gate statuses."""
    validation = result.validation
    files: tuple[DataFile, ...] = ()
    summary = drift = None
    if validation is not None:
        files = tuple(DataFile(f.path, f.rows) for f in validation.files)
        summary = ValidationSummary(validation.valid, sum(v.count for f in validation.files for v in f.violations))
        drift = summarize_drift(validation)
    diff = result.schema_diff
    schema = None if diff is None else SchemaSummary(len(diff.changes), len(diff.breaking_changes))
    baseline = result.baseline
    return ReportContext(
        key=key,
        head=result.revisions.head if result.revisions is not None else None,
        baseline_commit=baseline.commit if baseline is not None else None,
        baseline_source=baseline.reason if baseline is not None else None,
        data_files=files,
        validation=summary,
        schema=schema,
        drift=drift,
        run_url=run_url,
        precision=precision,
        full_report=full_report,
        breakdown=result.breakdown,
        data_versions=result.data_versions,
        tracked=tracked,
    )


def summarize_drift(validation: ValidationResult) -> DriftSummary | None:
    """Every drifted column of every file with its measures, and the files not checked; None without drift."""
    checked = [f for f in validation.files if f.drift is not None]
    skipped = tuple((f.path, f.drift_skipped) for f in validation.files if f.drift_skipped)
    if not checked and not skipped:
        return None
    columns = tuple(
        DriftedColumn(r.field, f.path, r.psi, r.ks, r.threshold_psi, r.threshold_ks, r.severity)
        for f in checked
        for r in f.drift.drifted
    )
    return DriftSummary(columns, len({r.field for f in checked for r in f.drift.fields}), skipped)


def render_markdown(result: CheckResult, context: ReportContext, *, limit: int) -> str:
    """The comment body (marker line first, at most ``limit`` UTF-8 bytes)."""
    if result.comparison is not None:
        return comparison_report.render_markdown(result.comparison, context, limit=limit)
    assert result.validation is not None  # a check without a comparison stopped at the data gate
    head = [
        f"### ❌ mlgate: {describe_data_gate(result.validation, name=lambda n: f'`{code(n, 80)}`')}",
        "",
        "The models were not trained: fix the data (or the schema, if the data is right) and push again.",
        "",
    ]
    parts = [f"mlgate {md(context.mlgate_version, 20)}", f"schema `{code(result.validation.schema, 120)}`"]
    link = run_link(context.run_url)
    footer = "<sub>" + " · ".join([*parts, *([link] if link else [])]) + "</sub>\n"
    body = "\n".join(head) + "\n" + validation_report.render_files_markdown(result.validation) + footer
    room = limit - size(with_marker("", key=context.key, head=context.head)) - 1
    if size(body) > room:  # whole lines only, so no table row or tag is cut in half
        note = "\n… the list is cut here to fit the comment; the full list is in the job summary.\n\n" + footer
        lines = body.split("\n")
        body = "\n".join(lines[: fit_prefix(lines, room - size(note))]) + note
    return with_marker(body, key=context.key, head=context.head)


def describe_data_gate(validation: ValidationResult, *, name: Callable[[str], str] = terminal.escape) -> str:
    """``data gate failed — 2 violations in data/train.csv (1 error, 1 warning)``: the counts of every format."""
    failing = [f for f in validation.files if not f.valid]
    total = sum(v.count for f in failing for v in f.violations)
    errors, warnings = sum(f.errors for f in failing), sum(f.warnings for f in failing)
    split = f" ({_count(errors, 'error')}, {_count(warnings, 'warning')})" if warnings else ""
    names = ", ".join(name(f.path) for f in failing)
    return f"data gate failed — {_count(total, 'violation')} in {names}{split}"


def render_text(result: CheckResult, context: ReportContext) -> str:
    """For terminals: the data gate's report when it failed, else the comparison table."""
    if result.comparison is None:
        assert result.validation is not None
        head = [
            f"✗ mlgate: {describe_data_gate(result.validation)}",
            "  the models were not trained: fix the data (or the schema, if the data is right) and run again",
            "",
        ]
        return "\n".join(head) + validation_report.render_text(result.validation)
    lines = [comparison_report.render_text(result.comparison, context).rstrip("\n")]
    for name, reason in sorted(result.skipped.items()):
        lines.append(f"  note: baseline model {name} was not re-scored: {reason}")
    if result.cached_as:
        lines.append(f"  results cached as the baseline of {result.cached_as[:7]}")
    return "\n".join(lines) + "\n"


def render_github(result: CheckResult, context: ReportContext, *, limit: int = ANNOTATIONS) -> str:
    """Annotations (data violations on their lines, each drifted column on its file, failed gates), then the text."""
    lines: list[str] = []
    if result.validation is not None:
        lines += validation_report.annotate(result.validation, limit=limit, without=("drift",))
    if context.drift is not None:
        lines += drift_annotations(context.drift)
    if result.comparison is not None:
        lines += annotate_gates(result.comparison, context, limit=limit)
    return "\n".join(lines) + ("\n" if lines else "") + render_text(result, context)


def to_data(result: CheckResult, context: ReportContext) -> dict[str, Any]:
    """The JSON document (JSON Schema: docs/schemas/check.schema.json)."""
    from mlgate.tracking.client import runs_data

    diff = result.schema_diff
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": result.verdict,
        "head": context.head,
        "baseline": None
        if result.baseline is None
        else {"commit": result.baseline.commit, "source": result.baseline.source, "reason": result.baseline.reason},
        "validation": None if result.validation is None else validation_report.to_data(result.validation),
        "schema_diff": None if diff is None else {"changes": len(diff.changes), "breaking": len(diff.breaking_changes)},
        "comparison": None if result.comparison is None else comparison_json(result.comparison, context),
        "skipped_baseline_models": dict(sorted(result.skipped.items())),
        "cached_as": result.cached_as,
        "data_versions": data_versions.to_data(result.data_versions),
        "mlflow_runs": runs_data({run.model: run for run in context.tracked}),
    }


def render_json(result: CheckResult, context: ReportContext) -> str:
    return json.dumps(to_data(result, context), indent=2, ensure_ascii=False) + "\n"


def render_files(result: CheckResult, context: ReportContext, *, limit: int) -> dict[str, str]:
    """The report files of a check run: the PR comment (at most ``limit`` bytes), the full report, the JSON."""
    return {
        "comment.md": render_markdown(result, context, limit=limit),
        "summary.md": render_markdown(result, context, limit=FULL_REPORT_LIMIT),
        "report.json": render_json(result, context),
    }


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
