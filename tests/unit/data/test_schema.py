"""The schema loader: the informational ``x-mlgate.observed`` of a field (as ``mlgate schema infer`` writes it)."""

from __future__ import annotations

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
