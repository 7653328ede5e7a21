"""What a comparison report says besides the comparison: where it runs, the baseline's story, the data checks.

Plain values, so any caller (``mlgate compare``, ``mlgate check``, a workflow) can fill in what it knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate import __version__

if TYPE_CHECKING:
    from mlgate.tracking.client import TrackedRun

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
class DriftedColumn:
    """A column that drifted in one file: its measures and the thresholds they are judged by."""

    field: str
    file: str
    psi: float
    ks: float | None = None  # numeric columns only
    threshold_psi: float = 0.2
    threshold_ks: float | None = None
    severity: str = "warning"


@dataclass(frozen=True)
class DriftSummary:
    """Drift of the validated files against the reference statistics.

    ``skipped`` holds (file, why) for files not checked: the reference's own data, which compared with itself
    would always look stable.
    """

    columns: tuple[DriftedColumn, ...] = ()  # every drifted column, file by file
    checked: int | None = None  # distinct columns checked
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def drifted(self) -> int:
        """Distinct columns that drifted in any file."""
        return len({c.field for c in self.columns})


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
    breakdown: tuple[Any, ...] = ()  # mlgate.breakdown.Breakdown per model: per-class scores or residuals
    data_versions: tuple[Any, ...] = ()  # mlgate.dvc.changes.DataChange per DVC-tracked dataset
    tracked: tuple[TrackedRun, ...] = ()  # each candidate's MLflow run, when tracking.mlflow logged it
