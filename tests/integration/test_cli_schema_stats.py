"""``mlgate schema stats`` end to end: CSV in, reference-statistics JSON out, exit codes 0 and 2."""

from __future__ import annotations

import json
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
    rows = [f"{i},{(i * 37) % 1000 / 10},{cities[i % 4]},2024-01-{i % 28 + 1:02d},{'true' if i % 3 else 'false'}"
            for i in range(5000)]  # fmt: skip
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
        (["train.csv", "-o", "ref.json"], "no schema given"),
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


def test_no_schema_error_has_a_hint(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "stats", "train.csv", "-o", "ref.json"]) == 2
    err = capsys.readouterr().err
    assert "hint: pass --schema FILE or set data.schema in mlgate.yaml" in err
    assert "Traceback" not in err
