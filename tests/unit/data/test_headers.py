from __future__ import annotations

import pytest

from mlgate.data.headers import match_header
from mlgate.data.schema import parse_schema


def problems(
    header: list[str], mode: str = "exact", required: bool = False
) -> tuple[dict[str, int], list[tuple[str | None, str]]]:
    fields = [{"name": "a"}, {"name": "b", "constraints": {"required": required}}]
    schema = parse_schema({"fields": fields, "fieldsMatch": mode})
    found: list[tuple[str | None, str]] = []
    columns = match_header(header, schema, lambda name, check, _sev, _msg: found.append((name, check)))
    return columns, found


def test_exact_header_has_no_problems() -> None:
    assert problems(["a", "b"]) == ({"a": 0, "b": 1}, [])


@pytest.mark.parametrize(
    ("header", "mode", "expected"),
    [
        (["b", "a"], "exact", [(None, "column-order")]),
        (["b", "a"], "equal", []),
        (["a"], "exact", [("b", "missing-column")]),
        (["a"], "superset", []),
        (["a", "b", "c"], "exact", [("c", "extra-column")]),
        (["a", "b", "c"], "subset", []),
        (["c"], "partial", [(None, "missing-column")]),
        (["a", "a", "b"], "exact", [("a", "duplicate-column")]),
        (["a", "", "b"], "subset", [(None, "blank-column")]),
    ],
)
def test_fields_match_modes(header: list[str], mode: str, expected: list[tuple[str | None, str]]) -> None:
    assert problems(header, mode)[1] == expected


def test_required_field_missing_is_reported_in_any_mode() -> None:
    assert problems(["a"], "superset", required=True)[1] == [("b", "missing-column")]
