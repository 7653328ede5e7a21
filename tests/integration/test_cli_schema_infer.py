"""``mlgate schema infer``: output file or stdout, YAML or JSON, summary line, exit codes."""

from __future__ import annotations

import datetime as dt
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


def write_split(path: Path, first_id: int, rows: int, start: str, scale: float) -> None:
    """A split of one customer table; later splits hold later dates and larger amounts."""
    cities = ("Oslo", "Rome", "Lima")
    day0 = dt.date.fromisoformat(start)
    lines = ["id,signup,age,amount,city,note"]
    for i in range(rows):
        day = (day0 + dt.timedelta(days=i % 90)).isoformat()
        lines.append(
            f"{first_id + i},{day},{18 + (i * 7) % 60 + int(scale)},{(i % 13) * scale:.2f},"
            f"{cities[i % 3]},{'n' + str(i) if i % 4 else ''}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_test_split_passes_a_schema_inferred_on_the_train_split(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_split(workdir / "train.csv", 1, 400, "2023-01-01", 10.0)
    write_split(workdir / "test.csv", 401, 100, "2023-06-01", 14.0)  # later days, older people, bigger sums
    write_split(workdir / "next.csv", 501, 50, "2024-01-01", 25.0)  # next season: further out still
    assert main(["schema", "infer", "train.csv", "-o", "schema.yaml"]) == ExitCode.OK
    fields = {f["name"]: f for f in yaml.safe_load((workdir / "schema.yaml").read_text(encoding="utf-8"))["fields"]}
    assert fields["id"]["constraints"] == {"required": True, "unique": True}  # the rules
    assert fields["city"]["constraints"] == {"required": True, "enum": ["Lima", "Oslo", "Rome"]}
    assert fields["signup"] == {
        "name": "signup",
        "type": "date",
        "constraints": {"required": True},
        "x-mlgate": {"observed": {"minimum": "2023-01-01", "maximum": "2023-03-31"}},
    }
    assert fields["note"]["x-mlgate"] == {"observed": {"minLength": 2, "maxLength": 4}}
    for split in ("train.csv", "test.csv", "next.csv"):
        assert main(["validate", split, "--schema", "schema.yaml"]) == ExitCode.OK, capsys.readouterr().out
    assert frictionless_errors(workdir / "schema.yaml", workdir / "test.csv") == []  # still a Table Schema


def test_ranges_observed_declares_them_and_the_test_split_fails(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_split(workdir / "train.csv", 1, 400, "2023-01-01", 10.0)
    write_split(workdir / "test.csv", 401, 100, "2023-06-01", 14.0)
    assert main(["schema", "infer", "train.csv", "--ranges", "observed", "-o", "schema.yaml"]) == ExitCode.OK
    assert main(["validate", "train.csv", "--schema", "schema.yaml"]) == ExitCode.OK
    capsys.readouterr()
    assert main(["validate", "test.csv", "--schema", "schema.yaml", "--format", "json"]) == ExitCode.CHECKS_FAILED
    checks = {(v["field"], v["check"]) for v in json.loads(capsys.readouterr().out)["files"][0]["violations"]}
    assert {("signup", "maximum"), ("age", "maximum"), ("amount", "maximum")} <= checks


def test_ranges_widened_leaves_room_around_the_observed_range(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_split(workdir / "train.csv", 1, 400, "2023-01-01", 10.0)
    write_split(workdir / "test.csv", 401, 100, "2023-06-01", 14.0)
    assert main(["schema", "infer", "train.csv", "--ranges", "widened", "--format", "json"]) == ExitCode.OK
    descriptor = json.loads(capsys.readouterr().out)
    fields = {f["name"]: f for f in descriptor["fields"]}
    assert fields["age"]["x-mlgate"]["observed"] == {"minimum": 28, "maximum": 87}
    assert (fields["age"]["constraints"]["minimum"], fields["age"]["constraints"]["maximum"]) == (0, 120)
    assert fields["signup"]["constraints"]["maximum"] == "2023-05-15"
    assert fields["note"]["constraints"] == {"maxLength": 8}
    (workdir / "schema.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert main(["validate", "train.csv", "--schema", "schema.json"]) == ExitCode.OK
    capsys.readouterr()
    assert main(["validate", "test.csv", "--schema", "schema.json", "--format", "json"]) == ExitCode.CHECKS_FAILED
    violations = json.loads(capsys.readouterr().out)["files"][0]["violations"]
    assert {v["field"] for v in violations} == {"signup"}  # June is beyond a quarter and a half; the rest fits


def test_bad_ranges_is_a_usage_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "infer", "data.csv", "--ranges", "wide"]) == ExitCode.BAD_INPUT
    assert "Invalid value for '--ranges'" in capsys.readouterr().err


def frictionless_errors(schema: Path, data: Path) -> list[str]:
    """What frictionless-py reports for ``data`` against the inferred schema (it must accept the file)."""
    from frictionless import Resource, Schema

    descriptor = yaml.safe_load(schema.read_text(encoding="utf-8"))
    resource = Resource(data.name, basepath=str(data.parent), schema=Schema.from_descriptor(descriptor))
    report = resource.validate()
    return [error.message for task in report.tasks for error in task.errors] + [e.message for e in report.errors]
