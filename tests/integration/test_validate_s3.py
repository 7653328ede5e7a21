"""``mlgate validate s3://...`` against the moto S3 server on 127.0.0.1 (CSV, .csv.gz, Parquet)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from mlgate.cli import main

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytestmark = pytest.mark.s3

SCHEMA = """\
fields:
  - name: id
    type: integer
    constraints: {required: true, unique: true}
  - name: age
    type: integer
    constraints: {minimum: 0, maximum: 120}
  - name: city
    type: string
    constraints: {required: true}
"""
# Regression guard: pyarrow's I/O threads may drop the last reference to a Python object (the CSV file
# wrapper, the ragged-row callback) while the interpreter finalizes; CPython then ends that native thread
# and libstdc++ aborts ("terminate called without an active exception", exit 134) after a correct report.
# It hit 15-30% of runs that re-read a CSV for duplicate examples until mlgate.cli.run exited with
# os._exit after flushing and running the atexit hooks.
TEARDOWN_RUNS = 15  # sequential; at the 15% abort rate seen before the fix, 0.85**15 < 0.09
FORMATS = ["csv", "csv.gz", "parquet"]
VALID: dict[str, list[Any]] = {"id": [1, 2, 3], "age": [30, 40, 50], "city": ["Oslo", "Lima", "Pune"]}
# Rows are Frictionless row numbers: the header is row 1, so the first record is row 2.
INVALID_TEXT = {"id": ["1", "2", "2"], "age": ["30", "-5", "abc"], "city": ["Oslo", "", "Pune"]}
INVALID_TEXT_VIOLATIONS = {
    ("id", "unique", 1, (4,)),
    ("age", "minimum", 1, (3,)),
    ("age", "type", 1, (4,)),
    ("city", "required", 1, (3,)),
}
INVALID_TEXT_NO_DUPLICATES: dict[str, list[Any]] = {**INVALID_TEXT, "id": ["1", "2", "3"]}
INVALID_TYPED = {"id": [1, 2, 2], "age": [30, 130, 40], "city": ["Oslo", None, "Pune"]}
INVALID_TYPED_VIOLATIONS = {
    ("id", "unique", 1, (4,)),
    ("age", "maximum", 1, (3,)),
    ("city", "required", 1, (3,)),
}


def encode(columns: dict[str, list[Any]], fmt: str) -> bytes:
    """The bytes of a CSV, gzip-compressed CSV or Parquet file holding ``columns``, written by pyarrow."""
    table = pa.table(columns)
    sink = pa.BufferOutputStream()
    if fmt == "parquet":
        pq.write_table(table, sink)
    elif fmt == "csv":
        pcsv.write_csv(table, sink, pcsv.WriteOptions(quoting_style="needed"))
    else:
        with pa.CompressedOutputStream(sink, "gzip") as out:
            pcsv.write_csv(table, out, pcsv.WriteOptions(quoting_style="needed"))
    return bytes(sink.getvalue().to_pybytes())


def upload(s3: S3Client, bucket: str, key: str, body: bytes) -> str:
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return f"s3://{bucket}/{key}"


def violations(file: dict[str, Any]) -> set[tuple[str, str, int, tuple[int, ...]]]:
    return {(v["field"], v["check"], v["count"], tuple(v["rows"])) for v in file["violations"]}


@pytest.fixture
def schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A schema file in an empty working folder (so no mlgate.yaml is found); returns its name."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    return "schema.yaml"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["validate", *args, "--format", "json"])
    captured = capsys.readouterr()
    assert captured.out, f"no JSON on stdout (exit {code}); stderr: {captured.err}"
    return code, json.loads(captured.out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_valid_s3_file_passes(
    fmt: str, s3_env: S3Client, s3_bucket: str, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = upload(s3_env, s3_bucket, f"data/valid.{fmt}", encode(VALID, fmt))

    code, report = run_json(capsys, uri, "--schema", schema)

    assert code == 0
    assert report["valid"] is True
    assert report["schema_version"] == 1
    [file] = report["files"]
    assert file["path"] == uri
    assert file["format"] == fmt
    assert (file["rows"], file["fields"], file["violations"]) == (3, 3, [])


@pytest.mark.parametrize(
    ("fmt", "columns", "expected"),
    [
        ("csv", INVALID_TEXT, INVALID_TEXT_VIOLATIONS),
        ("csv.gz", INVALID_TEXT, INVALID_TEXT_VIOLATIONS),
        ("parquet", INVALID_TYPED, INVALID_TYPED_VIOLATIONS),
    ],
)
def test_invalid_s3_file_reports_violations(
    fmt: str,
    columns: dict[str, list[Any]],
    expected: set[tuple[str, str, int, tuple[int, ...]]],
    s3_env: S3Client,
    s3_bucket: str,
    schema: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uri = upload(s3_env, s3_bucket, f"nested/prefix/invalid.{fmt}", encode(columns, fmt))

    code, report = run_json(capsys, uri, "--schema", schema)

    assert code == 1
    assert report["valid"] is False
    [file] = report["files"]
    assert file["path"] == uri
    assert file["rows"] == 3
    assert violations(file) == expected
    assert report["totals"]["errors"] == len(expected)


def test_missing_key_is_unusable_input(
    s3_env: S3Client, s3_bucket: str, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upload(s3_env, s3_bucket, "data/present.csv", encode(VALID, "csv"))
    uri = f"s3://{s3_bucket}/data/absent.csv"

    code = main(["validate", uri, "--schema", schema, "--format", "json"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert f"mlgate: error: dataset not found: {uri}" in captured.err


def test_missing_bucket_is_unusable_input(s3_env: S3Client, schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    uri = f"s3://mlgate-absent-{uuid.uuid4().hex[:12]}/data.parquet"

    code = main(["validate", uri, "--schema", schema, "--format", "json"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert uri in captured.err


def run_console_script(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``mlgate`` executable with the test environment (moto endpoint from s3_env)."""
    script = Path(sys.executable).with_name("mlgate")
    assert script.is_file(), f"{script} is missing: install the project (pip install -e '.[test]')"
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=os.environ.copy(),  # as set up by conftest, plus AWS_ENDPOINT_URL -> moto from s3_env
    )


def test_installed_console_script_reads_s3_in_a_subprocess(
    s3_env: S3Client, s3_bucket: str, schema: str, tmp_path: Path
) -> None:
    """The real ``mlgate`` executable: guarded child, pyarrow's native S3 client on the moto endpoint."""
    valid = upload(s3_env, s3_bucket, "valid.parquet", encode(VALID, "parquet"))
    invalid = upload(s3_env, s3_bucket, "invalid.csv", encode(INVALID_TEXT_NO_DUPLICATES, "csv"))

    child = run_console_script(tmp_path, "validate", valid, invalid, "--schema", schema, "--format", "json")

    assert child.returncode == 1, child.stderr
    assert "tests must stay on loopback" not in child.stderr
    report = json.loads(child.stdout)
    assert [f["path"] for f in report["files"]] == [valid, invalid]
    assert [f["valid"] for f in report["files"]] == [True, False]
    assert violations(report["files"][1]) == INVALID_TEXT_VIOLATIONS - {("id", "unique", 1, (4,))}


@pytest.mark.slow
def test_console_script_exits_cleanly_after_fetching_duplicate_examples(
    s3_env: S3Client, s3_bucket: str, schema: str, tmp_path: Path
) -> None:
    """Duplicates trigger a second, early-stopped CSV read; the process must still exit with code 1."""
    uri = upload(s3_env, s3_bucket, "duplicates.csv", encode(INVALID_TEXT, "csv"))
    args = ("validate", uri, "--schema", schema, "--format", "json")

    codes: list[int] = []
    for _ in range(TEARDOWN_RUNS):  # one at a time: parallel load makes the race rarer
        child = run_console_script(tmp_path, *args)
        codes.append(child.returncode)
        if child.returncode != 1:
            break

    assert codes == [1] * TEARDOWN_RUNS, f"run {len(codes)} exited {codes[-1]}: {child.stderr[-300:]}"
    assert violations(json.loads(child.stdout)["files"][0]) == INVALID_TEXT_VIOLATIONS
