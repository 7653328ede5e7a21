"""What validation found: plain data, rendered by mlgate.report and never printed here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlgate.data.schema import Severity


@dataclass(frozen=True)
class Violation:
    """Every failing value of one check on one field (or one file-level problem)."""

    field: str | None
    check: str
    severity: Severity
    count: int
    rows: tuple[int, ...]
    message: str
    lines: tuple[int, ...] | None = None
    examples: tuple[Any, ...] = ()
    first_rows: tuple[int, ...] | None = None  # unique: the row each duplicate repeats


@dataclass(frozen=True)
class FileResult:
    path: str
    format: str
    rows: int
    fields: int
    seconds: float
    violations: tuple[Violation, ...]
    notes: tuple[str, ...] = ()
    drift: Any = None  # mlgate.data.drift_report.DriftReport when the schema configures drift
    drift_data: dict[str, Any] | None = None  # its JSON-ready form
    drift_skipped: str | None = None  # why drift was not checked although configured (the reference's own data)

    @property
    def errors(self) -> int:
        return sum(v.count for v in self.violations if v.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(v.count for v in self.violations if v.severity == "warning")

    @property
    def valid(self) -> bool:
        return self.errors == 0


@dataclass(frozen=True)
class ValidationResult:
    schema: str
    files: tuple[FileResult, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        return all(f.valid for f in self.files)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)
