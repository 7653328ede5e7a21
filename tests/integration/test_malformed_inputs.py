"""Unusable inputs end in exit 2 with one or two lines on stderr naming the file (and line), no traceback.

The inputs live in tests/corpus/malformed (see its README for how the binary ones were made): datasets
that cannot be read, schemas that are themselves invalid, and broken mlgate.yaml files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlgate.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "malformed"
VALID_SCHEMA = CORPUS / "valid.schema.yaml"
CLEAN = Path(__file__).resolve().parents[1] / "corpus" / "parity" / "clean.csv"
CLEAN_SCHEMA = CLEAN.with_name("clean.schema.yaml")

# dataset -> what stderr must say (regexes, in order); every path is relative to CORPUS.
DATA_CASES: dict[str, list[str]] = {
    "missing.csv": [r"dataset not found: \S*missing\.csv", r"hint: check the path"],
    ".": [r"malformed/?\.? is a directory, not a dataset file"],
    "empty.csv": [r"empty\.csv is empty \(0 bytes\)"],
    "bom_only.csv": [r"bom_only\.csv:1: the first line is empty"],
    "latin1.csv": [r"latin1\.csv:3: bytes that are not valid UTF-8", r"hint: declare data\.csv\.encoding"],
    "latin1_late.csv": [r"latin1_late\.csv:2500: bytes that are not valid UTF-8"],
    "latin1_header.csv": [
        r"latin1_header\.csv:1: the header is not valid",
        r"hint: declare data\.csv\.encoding",
    ],
    "binary.csv": [r"binary\.csv holds binary data \(NUL bytes\)"],
    "parquet_named.csv": [r"parquet_named\.csv is a Parquet file, not CSV", r"hint: rename it to \.parquet"],
    "csv_named.parquet": [
        r"csv_named\.parquet is not a readable Parquet file",
        r"a CSV with a \.parquet name",
    ],
    "truncated.parquet": [r"truncated\.parquet is not a readable Parquet file", r"truncated"],
    "corrupt_footer.parquet": [r"corrupt_footer\.parquet\b.*(Parquet|corrupt)"],
    "corrupt_pages.parquet": [r"corrupt_pages\.parquet: Parquet data is corrupt", r"truncated"],
    "truncated.csv.gz": [r"truncated\.csv\.gz: cannot decompress", r"truncated"],
    "not_gzip.csv.gz": [r"not_gzip\.csv\.gz: cannot decompress", r"truncated"],
}

# schema -> what stderr must say: the file, the line where the problem is, the field and a hint.
SCHEMA_CASES: dict[str, list[str]] = {
    "unknown_type.schema.yaml": [
        r"unknown_type\.schema\.yaml:5: field 'amount': unknown type 'numbr'",
        r"hint: did you mean 'number'\?",
    ],
    "bad_pattern.schema.yaml": [r"bad_pattern\.schema\.yaml:4: field 'code': pattern '\[a-z' does not compile"],
    "min_gt_max.schema.yaml": [
        r"min_gt_max\.schema\.yaml:4: field 'age': minimum 120 > maximum 0",
        r"hint: swap",
    ],
    "yaml_syntax.schema.yaml": [r"yaml_syntax\.schema\.yaml:6:\d+: schema is not valid YAML"],
    "duplicate_field.schema.yaml": [r"duplicate_field\.schema\.yaml:5: field 'id' is declared twice"],
    "unsupported_constraint.schema.yaml": [
        r"unsupported_constraint\.schema\.yaml:7: field 'price': constraint 'maxLength' is not supported by "
        r"type 'number'",
        r"hint: number supports: required, minimum",
    ],
    "typo_constraint.schema.yaml": [
        r"typo_constraint\.schema\.yaml:5: field 'age': constraint 'minimun'",
        r"hint: did you mean 'minimum'\?",
    ],
    "no_fields.schema.yaml": [r"no_fields\.schema\.yaml: 'fields' must be a non-empty list"],
    "syntax.schema.json": [r"syntax\.schema\.json:4:\d+: schema is not valid JSON"],
    "nope.schema.yaml": [r"schema not found: \S*nope\.schema\.yaml"],
}

# mlgate.yaml -> what stderr must say.
CONFIG_CASES: dict[str, list[str]] = {
    "config_unknown_key.yaml": [
        r"config_unknown_key\.yaml:4: validte is not a known key",
        r"hint: did you mean 'validate'\?",
    ],
    "config_unknown_nested_key.yaml": [
        r"config_unknown_nested_key\.yaml:4: data\.csv\.delimeter is not a known key",
        r"hint: did you mean 'delimiter'\?",
    ],
    "config_wrong_type.yaml": [r"config_wrong_type\.yaml:3: validate\.max_examples must be an integer, not a string"],
    "config_yaml_syntax.yaml": [r"config_yaml_syntax\.yaml:4:\d+: config file is not valid YAML"],
}


@pytest.fixture
def empty_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MLGATE_DEBUG", raising=False)
    path = tmp_path / "mlgate.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(args)
    out, err = capsys.readouterr()
    return int(code), out, err


def assert_clean_failure(code: int, out: str, err: str, expected: list[str]) -> None:
    """Exit 2, nothing on stdout, one or two stderr lines (error + optional hint) matching ``expected``."""
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    lines = err.splitlines()
    assert 1 <= len(lines) <= 2, err
    assert all(line.strip() for line in lines), err
    assert lines[0].startswith("mlgate: error: "), err
    if len(lines) == 2:
        assert lines[1].startswith("  hint: "), err
    text = "\n".join(lines)
    position = 0
    for pattern in expected:
        match = re.compile(pattern).search(text, position)
        assert match, f"{pattern!r} not in {text!r}"
        position = match.start()


# Known bugs (strict xfail): see the report of this change.
DATA_BUGS: dict[str, str] = {}


def _data_params() -> list[object]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=DATA_BUGS[name]) if name in DATA_BUGS else ())
        for name in sorted(DATA_CASES)
    ]


@pytest.mark.parametrize("output_format", ["json", "text"])
@pytest.mark.parametrize("name", _data_params())
def test_unreadable_dataset(
    name: str, output_format: str, empty_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        [
            "validate",
            str(CORPUS / name),
            "--schema",
            str(VALID_SCHEMA),
            "--format",
            output_format,
            "--config",
            str(empty_config),
        ],
        capsys,
    )
    assert_clean_failure(code, out, err, DATA_CASES[name])


def test_the_corpus_holds_what_the_names_say() -> None:
    """Guard against an editor or git 'fixing' the inputs."""
    assert (CORPUS / "empty.csv").stat().st_size == 0
    assert not (CORPUS / "missing.csv").exists()
    assert not (CORPUS / "nope.schema.yaml").exists()
    assert b"\x00" in (CORPUS / "binary.csv").read_bytes()[:4096]
    assert (CORPUS / "parquet_named.csv").read_bytes()[:4] == b"PAR1"
    assert (CORPUS / "truncated.parquet").read_bytes()[:4] == b"PAR1"
    assert (CORPUS / "truncated.parquet").read_bytes()[-4:] != b"PAR1"
    for name in ("corrupt_footer.parquet", "corrupt_pages.parquet"):
        assert (CORPUS / name).read_bytes()[-4:] == b"PAR1"
    assert (CORPUS / "truncated.csv.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (CORPUS / "not_gzip.csv.gz").read_bytes()[:2] != b"\x1f\x8b"
    assert (CORPUS / "csv_named.parquet").read_bytes().startswith(b"id,name\n")
    latin1 = (CORPUS / "latin1.csv").read_bytes()
    assert latin1.split(b"\n")[2] == b"2,caf\xe9"
    with pytest.raises(UnicodeDecodeError, match="can't decode byte 0xe9"):
        latin1.decode("utf-8")
    assert (CORPUS / "latin1_late.csv").read_bytes().split(b"\n")[2499] == b"2499,caf\xe9"


@pytest.mark.parametrize("name", sorted(SCHEMA_CASES))
def test_invalid_schema(name: str, empty_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "validate",
            str(CLEAN),
            "--schema",
            str(CORPUS / name),
            "--format",
            "json",
            "--config",
            str(empty_config),
        ],
        capsys,
    )
    assert_clean_failure(code, out, err, SCHEMA_CASES[name])


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_invalid_config(name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLGATE_DEBUG", raising=False)
    code, out, err = run(
        [
            "validate",
            str(CLEAN),
            "--schema",
            str(CLEAN_SCHEMA),
            "--format",
            "json",
            "--config",
            str(CORPUS / name),
        ],
        capsys,
    )
    assert_clean_failure(code, out, err, CONFIG_CASES[name])


def test_one_bad_file_among_good_ones_still_exits_2(empty_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "validate",
            str(CLEAN),
            str(CORPUS / "latin1.csv"),
            "--schema",
            str(CLEAN_SCHEMA),
            "--format",
            "json",
            "--config",
            str(empty_config),
        ],
        capsys,
    )
    assert_clean_failure(code, out, err, [r"latin1\.csv:3: bytes that are not valid UTF-8"])


def test_debug_mode_shows_the_traceback(
    empty_config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The traceback is hidden by choice, not lost: MLGATE_DEBUG=1 prints it (and the exit code stays 2)."""
    monkeypatch.setenv("MLGATE_DEBUG", "1")
    code, _, err = run(
        [
            "validate",
            str(CORPUS / "binary.csv"),
            "--schema",
            str(VALID_SCHEMA),
            "--config",
            str(empty_config),
        ],
        capsys,
    )
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().splitlines()[-1].startswith("mlgate: error: ")
