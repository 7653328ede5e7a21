"""What a comparison report says besides the comparison: where it runs, the baseline's story, the data checks.

Plain values, so any caller (``mlgate compare``, ``mlgate check``, a workflow) can fill in what it knows.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlgate import __version__

FULL_REPORT_LIMIT = 1 << 20  # bytes: the job summary's limit (1 MiB per step)


@dataclass(frozen=True)
class DataFile:
    """A dataset the models were evaluated with; ``rows`` None when unknown."""

    name: str
    rows: int | None = None


@dataclass(frozen=True)
class ValidationSummary:
    valid: bool
    violations: int = 0


@dataclass(frozen=True)
class SchemaSummary:
    changes: int
    breaking: int = 0


@dataclass(frozen=True)
class DriftSummary:
    drifted: int  # columns that drifted
    checked: int | None = None


@dataclass(frozen=True)
class ReportContext:
    """Everything the header and footer need; all optional but the key.

    ``baseline_source`` is a sentence such as "merge-base d3cd69f: cached model re-scored on this PR's
    data" (it wins over the comparison's ``baseline_note``); ``full_report`` says where the untrimmed
    report is, e.g. "the job summary and the `mlgate-report` artifact".
    """

    key: str = "mlgate"
    head: str | None = None
    baseline_commit: str | None = None
    baseline_source: str | None = None
    data_files: tuple[DataFile, ...] = ()
    validation: ValidationSummary | None = None
    schema: SchemaSummary | None = None
    drift: DriftSummary | None = None
    mlgate_version: str = __version__
    run_url: str | None = None
    precision: int = 4
    full_report: str | None = None
