"""What ``mlgate monitor`` found: plain data, rendered by ``mlgate.report.monitor`` and never printed here.

The verdict: ``breach`` when any check failed (too many schema-violating rows, a drifted feature, drifted
predictions, a live metric worse than registered beyond ``monitor.margin``), ``insufficient`` when the
window holds fewer than ``monitor.min_rows`` rows (not judged: a warning, exit 0), else ``healthy``. Drift
and live metrics are decided by tests, all of one run together at ``monitor.alpha`` (``mlgate.monitor.decide``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from mlgate.data.drift_report import DriftReport
    from mlgate.data.results import Violation
    from mlgate.stats import PairedTest

SCHEMA_VERSION = 1
Verdict = Literal["healthy", "breach", "insufficient"]


@dataclass(frozen=True)
class Problem:
    """A line of a capture file that could not be used (malformed JSON, a record missing keys)."""

    path: str
    line: int
    reason: str


@dataclass(frozen=True)
class ReadSummary:
    """What reading the capture location saw."""

    location: str
    files: int = 0  # files read
    skipped_files: int = 0  # files outside the window (by their day folder)
    rows_read: int = 0  # records parsed, in or out of the window
    rows: int = 0  # records in the window
    partial_files: tuple[str, ...] = ()  # files still being written (or left by a crash)
    truncated_lines: int = 0  # incomplete last lines of partial files (not errors)
    malformed: int = 0
    problems: tuple[Problem, ...] = ()  # the first few malformed lines
    unreadable: tuple[str, ...] = ()  # partial Parquet files (no footer yet)
    smoke_rows: int = 0  # rows of deploy/rollback smoke tests in the window: left out, not in ``rows``


@dataclass(frozen=True)
class SchemaCheck:
    """Captured inputs validated with the schema engine."""

    rows: int
    invalid_rows: int
    max_invalid_fraction: float
    violations: tuple[Violation, ...]
    fields: tuple[str, ...]  # the fields checked
    skipped: tuple[tuple[str, str], ...] = ()  # (field, reason): dropped, hashed, absent
    invalid_requests: tuple[str, ...] = ()  # request ids of the first invalid rows, to find them in logs

    @property
    def invalid_fraction(self) -> float:
        return self.invalid_rows / self.rows if self.rows else 0.0

    @property
    def breach(self) -> bool:
        return self.invalid_fraction > self.max_invalid_fraction


@dataclass(frozen=True)
class LiveMetric:
    """One metric on the labelled captured rows, tested against the version's registered value.

    ``status``: ``fail`` (worse than registered beyond ``margin``, shown at the run's level after Holm's
    adjustment), ``better`` (better, shown at that level before the adjustment: never a breach), ``ok``
    (neither), ``skipped`` (not computable from captured labels; ``reason`` says why). ``test`` compares
    live − registered (``mlgate.stats.unpaired``); ``registered_se`` None means the version recorded none.
    """

    metric: str
    registered: float | None
    live: float | None
    status: str
    reason: str
    n: int = 0  # labelled rows behind the live value
    registered_n: int | None = None  # evaluation rows behind the registered value, when recorded
    registered_se: float | None = None
    direction: str = ""  # "higher" or "lower": which way is better
    margin: float = 0.0  # in metric units (monitor.margin × |registered|)
    test: PairedTest | None = None
    p_adjusted: float | None = None  # Holm over every test of the run


@dataclass(frozen=True)
class LabelIssue:
    """Labels left out or doubtful, named by ``code`` (``labels-unmatched``, ...: ``mlgate.monitor.labels``)."""

    code: str
    message: str


@dataclass(frozen=True)
class LabelCheck:
    """Live metrics from ``--labels``: how many captured rows found a label, and each metric's judgement."""

    source: str
    labels: int
    matched: int
    metrics: tuple[LiveMetric, ...] = ()
    issues: tuple[LabelIssue, ...] = ()  # warnings: never a silent drop

    @property
    def breach(self) -> bool:
        return any(m.status == "fail" for m in self.metrics)


@dataclass(frozen=True)
class MonitorResult:
    """Everything one ``mlgate monitor`` run found."""

    version: str
    version_source: str  # "--version", "deploy state", "registry history"
    since: str
    window_start: str  # ISO 8601 UTC
    window_end: str
    min_rows: int
    read: ReadSummary
    schema: SchemaCheck | None = None
    feature_drift: DriftReport | None = None
    prediction_drift: DriftReport | None = None
    labels: LabelCheck | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    until: str | None = None  # --until as given (None: the window ends now)

    alpha: float | None = None  # the level every test of the run was judged at together (None: not judged)
    tests: int = 0  # how many tests were judged together (Holm's family)

    @property
    def span(self) -> str:
        """The window in words: ``last 24h`` when it ends now and ``since`` is a duration, else its bounds."""
        from mlgate.monitor.window import is_duration

        if self.until is None and is_duration(self.since):
            return f"last {self.since}"
        return f"{self.window_start} → {self.window_end}"

    @property
    def breaches(self) -> tuple[str, ...]:
        """One short sentence per failed check."""
        found = []
        if self.schema is not None and self.schema.breach:
            found.append(
                f"{self.schema.invalid_fraction:.1%} of captured rows violate the schema "
                f"(at most {self.schema.max_invalid_fraction:.1%} allowed)"
            )
        if self.feature_drift is not None and self.feature_drift.drifted:
            found.append("drifted features: " + ", ".join(r.field for r in self.feature_drift.drifted))
        if self.prediction_drift is not None and self.prediction_drift.drifted:
            found.append("the predictions drifted")
        if self.labels is not None and self.labels.breach:
            failed = [m.metric for m in self.labels.metrics if m.status == "fail"]
            found.append("live metrics worse than registered: " + ", ".join(failed))
        return tuple(found)

    @property
    def verdict(self) -> Verdict:
        """``insufficient`` below ``min_rows`` (whatever the checks say: too few rows to judge), else breach/healthy."""
        if self.read.rows < self.min_rows:
            return "insufficient"
        return "breach" if self.breaches else "healthy"

    @property
    def warnings(self) -> tuple[str, ...]:
        """Checks that did not fail but deserve a look."""
        found = []
        if self.read.malformed:
            found.append(f"{self.read.malformed} malformed capture line(s) skipped")
        if self.read.unreadable:
            found.append(f"{len(self.read.unreadable)} partial Parquet file(s) could not be read yet")
        if self.labels is not None:
            found += [f"{issue.code}: {issue.message}" for issue in self.labels.issues]
        return tuple(found)
