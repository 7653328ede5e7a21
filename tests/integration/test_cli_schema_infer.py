"""``mlgate schema infer``: output file or stdout, YAML or JSON, summary line, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mlgate.cli import main
from mlgate.data.schema import load_schema
from mlgate.errors import ExitCode, SchemaError

DATA = "id,city,score\n1,Oslo,0.5\n2,Rome,1e3\n3,Oslo,\n4,Rome,-2\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder as cwd, with no mlgate.yaml above it and no MLGATE_* overrides."""
    monkeypatch.chdir(tmp_path)
    for name in ("MLGATE_CONFIG", "MLGATE_DATA__CSV__DELIMITER"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "data.csv").write_text(DATA, encoding="utf-8")
    return tmp_path


def test_writes_yaml_that_the_data_passes(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "infer", "data.csv", "-o", "schema.yaml"]) == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "inferred 3 fields from 4 rows of data.csv → schema.yaml" in captured.err
    schema = load_schema(workdir / "schema.yaml")
    assert [(f.name, f.type) for f in schema.fields] == [("id", "integer"), ("city", "string"), ("score", "number")]
    assert schema.fields[0].constraints.unique
    assert main(["validate", "data.csv", "--schema", "schema.yaml"]) == ExitCode.OK
    assert not list(workdir.glob(".schema.yaml.*"))  # no temporary file left behind


def test_prints_yaml_to_stdout_without_output(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "infer", "data.csv", "--enum-max", "2"]) == ExitCode.OK
    captured = capsys.readouterr()
    descriptor = yaml.safe_load(captured.out)
    assert descriptor["fields"][1]["constraints"]["enum"] == ["Oslo", "Rome"]
    assert "→ stdout" in captured.err


def test_enum_max_zero_turns_enums_off(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "infer", "data.csv", "--enum-max", "0"]) == ExitCode.OK
    assert "enum" not in yaml.safe_load(capsys.readouterr().out)["fields"][1]["constraints"]


def test_json_by_suffix_or_flag(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "infer", "data.csv", "-o", "out/schema.json"]) == ExitCode.OK
    by_suffix = json.loads((workdir / "out" / "schema.json").read_text(encoding="utf-8"))
    capsys.readouterr()
    assert main(["schema", "infer", "data.csv", "--format", "json"]) == ExitCode.OK
    by_flag = json.loads(capsys.readouterr().out)
    assert by_suffix == by_flag
    assert by_flag["missingValues"] == [""]
    assert load_schema(workdir / "out" / "schema.json").names == ("id", "city", "score")


def test_csv_dialect_comes_from_the_config(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "semi.csv").write_text("a;b\n1;x\n2;y\n", encoding="utf-8")
    (workdir / "mlgate.yaml").write_text("data:\n  csv:\n    delimiter: ';'\n", encoding="utf-8")
    assert main(["schema", "infer", "semi.csv", "--format", "json"]) == ExitCode.OK
    fields = json.loads(capsys.readouterr().out)["fields"]
    assert [(f["name"], f["type"]) for f in fields] == [("a", "integer"), ("b", "string")]


def test_missing_file_is_exit_2_naming_it(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "infer", "nope.csv", "-o", "schema.yaml"]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "nope.csv" in err
    assert "Traceback" not in err
    assert not (workdir / "schema.yaml").exists()


def test_unusable_header_is_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "dup.csv").write_text("a,a\n1,2\n", encoding="utf-8")
    assert main(["schema", "infer", "dup.csv"]) == ExitCode.BAD_INPUT
    assert "dup.csv: column 'a' appears twice" in capsys.readouterr().err


def test_bad_enum_max_is_a_usage_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "infer", "data.csv", "--enum-max", "-1"]) == ExitCode.BAD_INPUT
    assert "Invalid value" in capsys.readouterr().err


def test_an_existing_schema_is_replaced_whole(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = workdir / "schema.yaml"
    target.write_text("not: [valid", encoding="utf-8")
    with pytest.raises(SchemaError, match="not valid YAML"):
        load_schema(target)
    assert main(["schema", "infer", "data.csv", "-o", str(target)]) == ExitCode.OK
    assert load_schema(target).names == ("id", "city", "score")
