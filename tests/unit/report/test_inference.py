"""``mlgate schema infer``'s report: the draft as YAML or JSON (the output file's suffix decides), and its note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mlgate.data.infer import Inference
from mlgate.report import inference as render

DRAFT = Inference(
    {"fields": [{"name": "città", "type": "string"}, {"name": "age", "type": "integer"}], "primaryKey": "age"},
    rows=12_345,
    fields=2,
)


@pytest.mark.parametrize(
    ("requested", "output", "chosen"),
    [
        (None, None, "yaml"),
        (None, Path("schema.yaml"), "yaml"),
        (None, Path("schema.JSON"), "json"),
        ("yaml", Path("schema.json"), "yaml"),
        ("json", None, "json"),
    ],
)
def test_the_flag_wins_then_a_json_output_file(requested: str | None, output: Path | None, chosen: str) -> None:
    assert render.choose_format(requested, output) == chosen


def test_yaml_keeps_the_field_order_and_the_characters() -> None:
    text = render.render_yaml(DRAFT)
    assert text.index("fields:") < text.index("primaryKey:")
    assert "città" in text
    assert yaml.safe_load(text) == DRAFT.descriptor


def test_json_is_indented_and_ends_with_a_newline() -> None:
    text = render.render_json(DRAFT)
    assert text.startswith('{\n  "fields"')
    assert text.endswith("}\n")
    assert "città" in text
    assert json.loads(text) == DRAFT.descriptor


def test_the_note_names_counts_file_and_destination() -> None:
    assert render.render_note(DRAFT, "s3://bucket/data/train.csv", None) == (
        "inferred 2 fields from 12,345 rows of train.csv → stdout"
    )
    assert render.render_note(DRAFT, "train.csv", Path("schema.yaml")) == (
        "inferred 2 fields from 12,345 rows of train.csv → schema.yaml"
    )
