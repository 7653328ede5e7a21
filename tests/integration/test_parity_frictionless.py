"""Parity with frictionless-py on the corpus in tests/corpus/parity (one ``NAME.csv`` + ``NAME.schema.yaml``).

For every case both tools validate the same file against the same schema. Their findings are reduced to
``(check, field, row)`` triples (frictionless error types mapped to mlgate check names) and compared:
the verdict must agree and the triples must be equal, except for the differences recorded in
``DEVIATIONS`` (each with its reason, documented in docs/validation.md) and the engine bugs recorded in
``KNOWN_BUGS`` (strict xfail). An undeclared difference fails, and so does a declared one that has gone.

frictionless runs once per case in a module-scoped fixture (about 30 ms each), so the whole module stays
well under its 20 s budget, which ``test_frictionless_runs_fit_the_budget`` asserts.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlgate.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "parity"
CASES = sorted(p.name.removesuffix(".csv") for p in CORPUS.glob("*.csv"))
BUDGET_SECONDS = 20.0
V2_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"

Finding = tuple[str, str | None, int]  # (mlgate check name, field or column, Frictionless row number)

# frictionless error type -> mlgate check (constraint-error is named by the constraint in its note).
ROW_ERRORS = {
    "type-error": "type",
    "unique-error": "unique",
    "primary-key": "primary-key",
    "blank-row": "blank-row",
    "extra-cell": "extra-cell",
    "missing-cell": "missing-cell",
}
LABEL_ERRORS = {
    "missing-label": "missing-column",
    "extra-label": "extra-column",
    "duplicate-label": "duplicate-column",
    "incorrect-label": "column-order",
    "blank-label": "blank-column",
    "unmatched-header": "missing-column",
}
# Checks about a whole row or the header layout: compared without a field name (frictionless names the
# n-th missing/extra cell, mlgate reports the row once; key checks name no single field).
FIELDLESS = frozenset({"primary-key", "unique-keys", "blank-row", "extra-cell", "missing-cell", "column-order"})
_CONSTRAINT = re.compile(r'^constraint "(\w+)"')


@dataclass(frozen=True)
class Deviation:
    """A known, deliberate difference: findings only one tool reports, and why."""

    reason: str
    only_frictionless: frozenset[Finding] = frozenset()
    only_mlgate: frozenset[Finding] = frozenset()
    verdict_differs: bool = False


def dev(
    reason: str, *, fl: set[Finding] | None = None, ml: set[Finding] | None = None, verdict: bool = False
) -> Deviation:
    return Deviation(reason, frozenset(fl or ()), frozenset(ml or ()), verdict)


# Keep in sync with "Known differences from frictionless-py" in docs/validation.md.
DEVIATIONS: dict[str, Deviation] = {
    "header_reordered": dev(
        "mlgate matches columns by name under fieldsMatch 'exact' and reports the order once; frictionless "
        "pairs them by position, so every 'name' value is type-checked as 'id'",
        fl={("type", "id", 2), ("type", "id", 3)},
    ),
    "header_missing_middle": dev(
        "by position frictionless reads column 'score' as field 'name' (incorrect-label) and reports field "
        "'score' missing; by name mlgate reports 'name' missing and still type-checks 'score'",
        fl={("column-order", None, 1), ("missing-column", "score", 1)},
        ml={("missing-column", "name", 1), ("type", "score", 3)},
    ),
    "header_duplicate": dev(
        "frictionless pairs the second 'name' column with field 'other' by position; mlgate refuses to guess "
        "and reports field 'other' missing (the duplicate itself is reported by both)",
        ml={("missing-column", "other", 1)},
    ),
    "header_whitespace_case": dev(
        "both strip blanks around labels and compare names case-sensitively; by position frictionless still "
        "pairs 'Score' with field 'score' (incorrect-label) and type-checks it, by name mlgate finds no "
        "'score' column and an extra 'Score'",
        fl={("column-order", None, 1), ("type", "score", 3)},
        ml={("extra-column", "Score", 1), ("missing-column", "score", 1)},
    ),
    "header_blank_label": dev(
        "both report the unnamed column; frictionless then pairs the 3rd column with nothing by position "
        "(extra-label 'name'), while mlgate finds 'name' by name",
        fl={("extra-column", "name", 1)},
    ),
    "primary_key_single": dev(
        "a primaryKey field is required (Table Schema: 'equivalent to adding required: true'); mlgate reports "
        "the null key as 'required', frictionless as 'primary-key' (all key cells null)",
        fl={("primary-key", None, 4)},
        ml={("required", "id", 4)},
    ),
    "primary_key_composite": dev(
        "every part of a composite primaryKey is required in mlgate; frictionless only objects when all "
        "parts are null, so a key with one null part passes there",
        ml={("required", "year", 6)},
    ),
    "unique_keys": dev(
        "frictionless-py 5.21 does not implement uniqueKeys (Table Schema v2); mlgate checks them, "
        "ignoring keys with a missing part",
        ml={("unique-keys", None, 5), ("unique-keys", None, 8)},
        verdict=True,
    ),
    "pattern_whole_value": dev(
        "frictionless compiles '^' + pattern + '$' and uses re.match, so a top-level alternation is only "
        "half anchored ('AB-123' matches 'X{2}-[0-9]{2}|...') and '$' accepts a trailing newline; mlgate "
        "anchors the whole pattern, ^(?:pattern)$, with no newline exception",
        ml={("pattern", "ref", 3), ("pattern", "ref", 7), ("pattern", "code", 8)},
    ),
    "pattern_unicode_classes": dev(
        "patterns run on RE2 (pyarrow), where \\d, \\w and \\s are ASCII-only; frictionless uses Python's re, "
        "where they are Unicode-aware ('١٢' is \\d+, 'été' is \\w+ there); write [0-9] or \\p{L} to be explicit",
        ml={("pattern", "code", 3), ("pattern", "word", 3)},
    ),
    "python_number_quirks": dev(
        "frictionless casts with Python's int() / Decimal(), which accept digit separators ('1_000'), "
        "signalling NaN ('sNaN') and NaN payloads ('nan5'); these are not Table Schema numbers",
        ml={("type", "n", 2), ("type", "x", 2), ("type", "x", 4), ("type", "x", 5), ("type", "x", 6)},
    ),
    "big_integers": dev(
        "mlgate integers are 64-bit (like Arrow, Parquet and numpy); a wider value is a type error, while "
        "frictionless uses Python's unbounded int (and then checks its minimum)",
        fl={("minimum", "n", 4)},
        ml={("type", "n", 3), ("type", "n", 4), ("type", "n", 5)},
    ),
    "datetimes_lenient": dev(
        "mlgate reads ISO 8601 calendar datetimes (T, t or space; '.' or ',' fraction; Z, +HH, +HHMM, +HH:MM); "
        "frictionless' dateutil.isoparse also takes any separator character ('2024-01-02X03:04:05') and "
        "ISO week dates ('2024-W01-1T03:04:05')",
        ml={("type", "ts", 5), ("type", "ts", 8)},
    ),
    "datetime_naive_utc": dev(
        "mlgate reads a datetime without an offset as UTC (Arrow timestamps have one timeline), so it equals "
        "the same instant written with 'Z'; Python never finds a naive and an aware datetime equal",
        ml={("unique", "ts", 3)},
    ),
    "number_precision": dev(
        "mlgate numbers are IEEE doubles; frictionless compares Decimals, so 0.30000000000000001 is above "
        "an exclusiveMinimum of 0.3 there and equal to it in mlgate",
        ml={("exclusiveMinimum", "x", 2)},
    ),
}

# Parity gaps that are engine bugs (not design): strict xfail until fixed. See the report of this change.
KNOWN_BUGS: dict[str, str] = {}


def _schema_descriptor(case: str) -> dict[str, Any]:
    raw = yaml.safe_load((CORPUS / f"{case}.schema.yaml").read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def run_frictionless(case: str) -> tuple[bool, frozenset[Finding]]:
    from frictionless import Resource, Schema

    descriptor = _schema_descriptor(case)
    options: dict[str, Any] = {}
    if descriptor.get("$schema") == V2_PROFILE:  # the resource imposes its version on the schema
        options["datapackage_version"] = "v2"
    resource = Resource(f"{case}.csv", basepath=str(CORPUS), schema=Schema.from_descriptor(descriptor), **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        report = resource.validate(limit_errors=100_000)
    findings: set[Finding] = set()
    errors: list[Any] = report.tasks[0].errors if report.tasks else report.errors  # Error subclasses, by .type
    for error in errors:
        kind = error.type
        note = getattr(error, "note", "")
        if kind == "constraint-error":
            match = _CONSTRAINT.match(note)
            assert match, f"{case}: unexpected constraint note {note!r}"
            findings.add((match.group(1), error.field_name, error.row_number))
        elif kind in ROW_ERRORS:
            check = ROW_ERRORS[kind]
            findings.add((check, None if check in FIELDLESS else error.field_name, error.row_number))
        elif kind in LABEL_ERRORS:
            check = LABEL_ERRORS[kind]
            name = {"missing-label": "field_name", "extra-label": "label", "duplicate-label": "label"}.get(kind)
            findings.add((check, getattr(error, name) if name else None, 1))
        else:
            pytest.fail(f"{case}: frictionless could not validate: {kind}: {note}")
    return bool(report.valid), frozenset(findings)


def validate_case(case: str, config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """``mlgate validate CASE.csv --schema CASE.schema.yaml --format json``: the exit code and the file's result."""
    csv, schema = CORPUS / f"{case}.csv", CORPUS / f"{case}.schema.yaml"
    capsys.readouterr()
    code = main(["validate", str(csv), "--schema", str(schema), "--format", "json", "--config", str(config)])
    out, err = capsys.readouterr()
    assert code in (0, 1), f"{case}: exit {code}: {err.strip()}"
    (result,) = json.loads(out)["files"]
    assert isinstance(result, dict)
    return int(code), result


def run_mlgate(case: str, config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[bool, frozenset[Finding]]:
    code, result = validate_case(case, config, capsys)
    findings: set[Finding] = set()
    for violation in result["violations"]:
        check = violation["check"]
        assert violation["count"] == len(violation["rows"]), f"{case}: {check} count != len(rows)"
        field = None if check in FIELDLESS else violation["field"]
        findings.update((check, field, row) for row in violation["rows"])
    valid = code == 0
    assert valid == (not findings), f"{case}: exit {code} disagrees with the findings"
    return valid, frozenset(findings)


Results = dict[str, tuple[bool, frozenset[Finding], float]]


@pytest.fixture(scope="module")
def frictionless_results() -> Results:
    """Every case through frictionless once (the slow side of the comparison), with its duration."""
    results = {}
    for case in CASES:
        started = time.perf_counter()
        valid, findings = run_frictionless(case)
        results[case] = (valid, findings, time.perf_counter() - started)
    return results


@pytest.fixture(scope="module")
def empty_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An explicit, empty mlgate.yaml, so no config found by walking up from the cwd can interfere."""
    path = tmp_path_factory.mktemp("parity") / "mlgate.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    return path


def _params() -> list[Any]:
    marks = {case: pytest.mark.xfail(strict=True, reason=reason) for case, reason in KNOWN_BUGS.items()}
    return [pytest.param(case, marks=marks.get(case, ())) for case in CASES]


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 25
    for case in CASES:
        assert (CORPUS / f"{case}.schema.yaml").is_file(), f"{case}.csv has no {case}.schema.yaml"
    for schema in CORPUS.glob("*.schema.yaml"):
        assert (CORPUS / schema.name.replace(".schema.yaml", ".csv")).is_file(), f"{schema.name} has no CSV"
    assert set(DEVIATIONS) <= set(CASES)
    assert set(KNOWN_BUGS) <= set(CASES)
    assert not set(DEVIATIONS) & set(KNOWN_BUGS)
    assert (CORPUS / "crlf.csv").read_bytes().count(b"\r\n") == 5, "line endings were converted"
    assert (CORPUS / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbfid,"), "the BOM was stripped"


@pytest.mark.parametrize("case", _params())
def test_parity(
    case: str, frictionless_results: Results, empty_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fl_valid, fl_findings, _ = frictionless_results[case]
    ml_valid, ml_findings = run_mlgate(case, empty_config, capsys)
    deviation = DEVIATIONS.get(case, Deviation(reason="no known deviation"))
    assert {
        "only frictionless": fl_findings - ml_findings,
        "only mlgate": ml_findings - fl_findings,
    } == {
        "only frictionless": deviation.only_frictionless,
        "only mlgate": deviation.only_mlgate,
    }, f"{case}: {deviation.reason}"
    assert (ml_valid != fl_valid) == deviation.verdict_differs, f"{case}: verdicts {fl_valid=} {ml_valid=}"


def test_every_case_exercises_something(frictionless_results: Results) -> None:
    """Only these cases are valid for frictionless; every other one makes it report errors."""
    valid = {case for case, (ok, _, _) in frictionless_results.items() if ok}
    assert valid == {"clean", "header_only", "header_only_no_newline", "unique_keys"}


def test_frictionless_runs_fit_the_budget(frictionless_results: Results) -> None:
    total = sum(seconds for _, _, seconds in frictionless_results.values())
    assert total < BUDGET_SECONDS / 2, f"frictionless took {total:.1f} s for {len(CASES)} cases"


def test_line_numbers_follow_the_file(empty_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``rows`` count records (Frictionless numbering); ``lines`` are where each record starts in the file."""
    expected: dict[str, dict[tuple[str | None, str], tuple[list[int], list[int]]]] = {
        "multiline_cells": {("score", "type"): ([3, 5], [4, 8]), ("score", "maximum"): ([6], [10])},
        "blank_lines_middle": {(None, "blank-row"): ([3, 5, 6], [3, 5, 6]), ("v", "required"): ([8], [8])},
        "crlf": {("price", "type"): ([3, 4], [3, 4]), ("price", "minimum"): ([5], [5])},
        "pattern_whole_value": {("code", "pattern"): ([3, 4, 6, 7, 8], [3, 4, 6, 7, 8])},
    }
    for case, wanted in expected.items():
        code, result = validate_case(case, empty_config, capsys)
        assert code == 1
        got = {(v["field"], v["check"]): (v["rows"], v["lines"]) for v in result["violations"]}
        assert {key: got[key] for key in wanted} == wanted, case


def test_duplicates_name_the_first_row(empty_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, result = validate_case("unique_with_nulls", empty_config, capsys)
    assert code == 1
    (violation,) = result["violations"]
    assert (violation["check"], violation["rows"], violation["first_rows"]) == (
        "unique",
        [6, 8, 9],
        [2, 5, 2],
    )


def test_composite_keys_do_not_warn(empty_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        run_mlgate("primary_key_composite", empty_config, capsys)


def test_huge_quoted_cells_are_read_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 200 kB cell in a file whose rows need the line map (a blank line, a multi-line cell)."""
    (tmp_path / "big.csv").write_text(f'id,note\n1,"{"x" * 200_000}"\n\nz,"a\nb"\n', encoding="utf-8")
    (tmp_path / "big.schema.yaml").write_text(
        "fields:\n  - {name: id, type: integer}\n  - {name: note, constraints: {maxLength: 100000}}\n",
        encoding="utf-8",
    )
    config = tmp_path / "mlgate.yaml"
    config.write_text("version: 1\n", encoding="utf-8")
    capsys.readouterr()
    code = main(
        [
            "validate",
            str(tmp_path / "big.csv"),
            "--schema",
            str(tmp_path / "big.schema.yaml"),
            "--format",
            "json",
            "--config",
            str(config),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1, err
    (result,) = json.loads(out)["files"]
    found = {(v["check"], v["field"]): (v["rows"], v["lines"]) for v in result["violations"]}
    assert found == {
        ("maxLength", "note"): ([2], [2]),
        ("blank-row", None): ([3], [3]),
        ("type", "id"): ([4], [4]),
    }
