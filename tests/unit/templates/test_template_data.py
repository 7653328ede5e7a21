"""scripts/make_template_data.py: the template's committed example data is what the script generates.

The schema and statistics steps run mlgate as a subprocess and are covered by baking the template (tests/e2e);
here the row generators, the curation of an inferred schema and the Jinja-guarded drift block are checked.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from cookiecutter.environment import StrictEnvironment

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = ROOT / "scripts"
DATA = ROOT / "templates" / "ml-project" / "{{cookiecutter.project_slug}}" / "data"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(SCRIPTS))  # the script imports its sibling make_example
        spec = importlib.util.spec_from_file_location("make_template_data", SCRIPTS / "make_template_data.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_committed_csvs_are_the_generated_ones(script: ModuleType, task: str, tmp_path: Path) -> None:
    train, test = script.make_tables(script.ROW_MAKERS[task])
    for name, rows in (("train.csv", train), ("test.csv", test)):
        script.write_csv(tmp_path / name, rows)
        committed = (DATA / "_examples" / task / name).read_bytes()
        assert (tmp_path / name).read_bytes() == committed, f"{task}/{name}: run scripts/make_template_data.py"


def test_generation_is_deterministic(script: ModuleType) -> None:
    first = script.make_tables(script.make_house_rows)
    assert script.make_tables(script.make_house_rows) == first
    assert len(first[0]) == script.TRAIN_ROWS
    assert len(first[1]) == script.TEST_ROWS


def test_house_prices_follow_the_features(script: ModuleType) -> None:
    train, _ = script.make_tables(script.make_house_rows)
    big = [float(r["price_k"]) for r in train if float(str(r["area_sqm"])) > 130]
    small = [float(r["price_k"]) for r in train if float(str(r["area_sqm"])) < 60]
    assert sum(big) / len(big) > 1.5 * sum(small) / len(small)
    nulls = sum(1 for r in train if r["condition"] == "")
    assert 0 < nulls < 0.1 * len(train)


def test_curation_replaces_observed_bounds_and_keeps_types(script: ModuleType) -> None:
    draft = {
        "fields": [
            {"name": "house_id", "type": "string", "constraints": {"required": True, "unique": True}},
            {"name": "neighbourhood", "type": "string", "constraints": {"enum": ["hills", "harbour"]}},
            {"name": "area_sqm", "type": "number", "constraints": {"minimum": 25.0, "maximum": 173.9}},
        ]
    }
    curated = script.curate(draft, "regression")
    fields = {f["name"]: f for f in curated["fields"]}
    assert fields["house_id"]["constraints"]["pattern"] == "H-[0-9]{6}"
    assert fields["house_id"]["x-mlgate"] == {"drift": False}
    assert fields["neighbourhood"]["constraints"] == {"enum": ["hills", "harbour"]}
    assert fields["area_sqm"] == {
        "name": "area_sqm",
        "type": "number",
        "constraints": {"required": True, "minimum": 10, "maximum": 1000},
    }
    assert curated["primaryKey"] == "house_id"


def render(text: str, example_data: bool) -> Any:
    answers = {"example_data": example_data}
    env = StrictEnvironment(context={"cookiecutter": answers}, keep_trailing_newline=True)
    return yaml.safe_load(env.from_string(text).render(cookiecutter=answers))


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_committed_schema_has_drift_only_with_example_data(task: str) -> None:
    text = (DATA / "_schemas" / f"{task}.yaml").read_text(encoding="utf-8")
    with_data = render(text, example_data=True)
    assert with_data["x-mlgate"]["drift"]["reference"] == "reference-stats.json"
    without = render(text, example_data=False)
    assert "drift" not in without["x-mlgate"]
    with (DATA / "_examples" / task / "train.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert [f["name"] for f in with_data["fields"]] == header
