"""The schema loader's field extensions, and ``reading_schema`` (the features' part that says how values are read)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mlgate.data.schema import parse_schema
from mlgate.errors import SchemaError


def field_with(ext: Any) -> dict[str, Any]:
    return {"fields": [{"name": "age", "type": "integer", "x-mlgate": ext}]}


def test_observed_ranges_are_accepted_and_not_constraints() -> None:
    schema = parse_schema(field_with({"observed": {"minimum": 18, "maximum": 90}}))
    item = schema.fields[0]
    assert (item.constraints.minimum, item.constraints.maximum) == (None, None)
    assert schema.descriptor["fields"][0]["x-mlgate"]["observed"] == {"minimum": 18, "maximum": 90}
    lengths = parse_schema({"fields": [{"name": "s", "x-mlgate": {"observed": {"minLength": 1, "maxLength": 9}}}]})
    assert lengths.fields[0].constraints.max_length is None


def test_observed_must_be_a_mapping_of_known_keys() -> None:
    with pytest.raises(SchemaError, match="unknown key 'minimun' in observed"):
        parse_schema(field_with({"observed": {"minimun": 18}}))
    with pytest.raises(SchemaError, match="'observed' must be a mapping"):
        parse_schema(field_with({"observed": [18, 90]}))


def test_reading_schema_keeps_what_says_how_values_are_read_and_drops_constraints() -> None:
    from mlgate.data.schema import reading_schema

    schema = parse_schema(
        {
            "missingValues": ["", "NA"],
            "fields": [
                {"name": "id", "constraints": {"required": True, "unique": True}},
                {"name": "paid", "type": "boolean", "trueValues": ["Y"], "falseValues": ["N"]},
                {
                    "name": "amount",
                    "type": "number",
                    "groupChar": ".",
                    "decimalChar": ",",
                    "bareNumber": False,
                    "constraints": {"minimum": 0},
                    "x-mlgate": {"severity": "warning"},
                },
                {"name": "day", "type": "date", "format": "%d/%m/%Y", "missingValues": ["-"]},
            ],
        }
    )
    reading = reading_schema(schema, ("day", "amount", "paid"))
    assert reading == {
        "fields": [
            {"name": "day", "type": "date", "format": "%d/%m/%Y", "missingValues": ["-"]},
            {
                "name": "amount",
                "type": "number",
                "format": "default",
                "bareNumber": False,
                "decimalChar": ",",
                "groupChar": ".",
            },
            {"name": "paid", "type": "boolean", "format": "default", "trueValues": ["Y"], "falseValues": ["N"]},
        ],
        "missingValues": ["", "NA"],
    }
    again = parse_schema(reading)
    for item in again.fields:
        original = schema.get(item.name)
        assert original is not None
        assert item == dataclasses.replace(original, constraints=item.constraints, severity=None)
    with pytest.raises(SchemaError, match="no field 'nope'"):
        reading_schema(schema, ("nope",))
