"""``mlgate schema stats`` end to end: CSV in, reference-statistics JSON out, exit codes 0 and 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from mlgate.cli import main

ROOT = Path(__file__).resolve().parents[2]
STATS_SCHEMA = json.loads((ROOT / "docs" / "schemas" / "reference-stats.schema.json").read_text(encoding="utf-8"))
SCHEMA = """\
fields:
  - {name: id, type: integer, constraints: {unique: true}}
  - {name: amount, type: number}
  - {name: city, type: string}
  - {name: joined, type: date}
  - {name: active, type: boolean}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cities = ["Oslo", "Rome", "Lima", "Kyiv"]
    rows = [
        f"{i},{(i * 37) % 1000 / 10},{cities[i % 4]},2024-01-{i % 28 + 1:02d},{'true' if i % 3 else 'false'}"
        for i in range(5000)
    ]
    rows.append("5000,,Oslo,not-a-date,true")
    (tmp_path / "train.csv").write_text("id,amount,city,joined,active\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "data.schema.yaml").write_text(SCHEMA, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_writes_stats_that_validate_against_the_json_schema(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["schema", "stats", "train.csv", "-o", "stats/ref.json", "--schema", "data.schema.yaml"])
    out = capsys.readouterr().out
    assert code == 0
    assert out == "wrote stats/ref.json: 5,001 rows, 5 fields (3 numeric, 2 categorical) from train.csv\n"
    data = json.loads((project / "stats" / "ref.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, STATS_SCHEMA)
    fields = data["fields"]
    assert (fields["amount"]["nulls"], fields["joined"]["nulls"], fields["joined"]["unit"]) == (1, 1, "days")
    assert fields["city"]["categories"] == {"Oslo": 1251, "Kyiv": 1250, "Lima": 1250, "Rome": 1250}
    assert fields["active"]["categories"] == {"true": 3334, "false": 1667}
    assert (data["rows"], data["source"], data["kind"]) == (5001, "train.csv", "mlgate-reference-stats")


def test_schema_comes_from_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "mlgate.yaml").write_text("version: 1\ndata:\n  schema: data.schema.yaml\n", encoding="utf-8")
    assert main(["schema", "stats", "train.csv", "-o", "ref.json"]) == 0
    assert "wrote ref.json" in capsys.readouterr().out
    jsonschema.validate(json.loads((project / "ref.json").read_text(encoding="utf-8")), STATS_SCHEMA)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train.csv"], "Missing option '-o' / '--output'"),
        (["missing.csv", "-o", "ref.json", "--schema", "data.schema.yaml"], "dataset not found: missing.csv"),
        (["train.csv", "-o", "ref.json", "--schema", "nope.yaml"], "schema not found"),
    ],
)
def test_unusable_input_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["schema", "stats", *args]) == 2
    assert message in capsys.readouterr().err
    assert not (project / "ref.json").exists()


def test_without_a_schema_the_types_are_inferred_from_the_data(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "stats", "train.csv", "-o", "inferred.json"]) == 0
    captured = capsys.readouterr()
    assert "no schema given (--schema, data.schema): the field types were inferred from the data" in captured.err
    assert captured.out == "wrote inferred.json: 5,001 rows, 5 fields (2 numeric, 3 categorical) from train.csv\n"
    inferred = json.loads((project / "inferred.json").read_text(encoding="utf-8"))
    jsonschema.validate(inferred, STATS_SCHEMA)
    assert main(["schema", "infer", "train.csv", "-o", "drafted.yaml"]) == 0  # the same types, from a file
    assert main(["schema", "stats", "train.csv", "-o", "drafted.json", "--schema", "drafted.yaml"]) == 0
    drafted = json.loads((project / "drafted.json").read_text(encoding="utf-8"))
    assert inferred["fields"] == drafted["fields"]
    kinds = {n: f["kind"] for n, f in inferred["fields"].items()}  # one row's "not-a-date" makes `joined` text
    assert kinds == {
        "id": "numeric",
        "amount": "numeric",
        "city": "categorical",
        "joined": "categorical",
        "active": "categorical",
    }


def test_the_readme_example_works_in_a_fresh_project_without_a_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`(mlgate schema stats [^`]+)`", readme)
    assert command is not None, "README no longer shows `mlgate schema stats …`"
    args = command.group(1).split()[1:]
    (tmp_path / "data").mkdir()
    lines = [f"{i},{i % 7 * 1.5},{'ab'[i % 2]}" for i in range(300)]
    (tmp_path / "data" / "train.csv").write_text("id,x,kind\n" + "\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "mlgate.yaml").write_text("version: 1\ntarget: kind\n", encoding="utf-8")  # no data.schema
    monkeypatch.chdir(tmp_path)
    assert main(args) == 0, capsys.readouterr().err
    written = Path(args[args.index("-o") + 1])
    jsonschema.validate(json.loads(written.read_text(encoding="utf-8")), STATS_SCHEMA)
