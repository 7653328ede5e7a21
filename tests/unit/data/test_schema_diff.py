"""diff_schemas: every kind of change, classified for the data contract and for the fitted model."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from mlgate.data.schema import Schema, parse_schema
from mlgate.data.schema_diff import SchemaChange, SchemaDiff, diff_schemas

Edit = Callable[[dict[str, Any]], None]
Edits = tuple[Edit, ...]

BASE: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "age", "type": "integer", "constraints": {"minimum": 0, "maximum": 120}},
        {"name": "income", "type": "number", "constraints": {"exclusiveMinimum": 0}},
        {
            "name": "color",
            "type": "string",
            "constraints": {"enum": ["red", "blue"], "minLength": 1, "maxLength": 10},
        },
        {"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]{2}"}},
        {"name": "note", "type": "string"},
        {"name": "email", "type": "string", "format": "email"},
        {"name": "active", "type": "boolean", "trueValues": ["true"], "falseValues": ["false", "no"]},
        {"name": "signup", "type": "date", "constraints": {"minimum": "2020-01-01"}},
        {"name": "born", "type": "year", "constraints": {"minimum": 1900}},
    ],
    "primaryKey": "id",
    "missingValues": ["", "NA"],
    "fieldsMatch": "superset",
    "x-mlgate": {"rowCount": {"min": 10, "max": 1000}},
}
DROP = object()


def build(edits: tuple[Edit, ...] = ()) -> Schema:
    descriptor = copy.deepcopy(BASE)
    for edit in edits:
        edit(descriptor)
    return parse_schema(descriptor)


def put(path: str, value: Any) -> Edit:
    """Set (or with DROP remove) ``a/b/c`` in the descriptor; a segment after ``fields`` is a field name."""

    def edit(descriptor: dict[str, Any]) -> None:
        keys = path.split("/")
        node: Any = descriptor
        for i, key in enumerate(keys[:-1]):
            if i > 0 and keys[i - 1] == "fields":
                node = next(f for f in node if f["name"] == key)
            else:
                node = node.setdefault(key, {})
        if value is DROP:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value

    return edit


def drop_field(name: str) -> Edit:
    def edit(descriptor: dict[str, Any]) -> None:
        descriptor["fields"] = [f for f in descriptor["fields"] if f["name"] != name]

    return edit


def add_field(item: dict[str, Any]) -> Edit:
    return lambda descriptor: descriptor["fields"].append(item)


def swap_fields(descriptor: dict[str, Any]) -> None:
    fields = descriptor["fields"]
    fields[0], fields[1] = fields[1], fields[0]


EXACT = (put("fieldsMatch", "exact"),)
WARN = (put("x-mlgate/severity", "warning"),)


def case(name: str, edits: Edits, expected: str, both: Edits = ()) -> Any:
    """One table row: ``expected`` is "FIELD KIND CONTRACT MODEL" (FIELD ``-`` for the schema)."""
    return pytest.param(edits, expected, both, id=name)


# name, edits to the new schema, the one change expected, edits to both schemas
CASES = [
    case("removed field", (drop_field("age"),), "age field-removed breaking retrain"),
    case("optional field", (add_field({"name": "city"}),), "city field-added compatible none"),
    case(
        "required field",
        (add_field({"name": "city", "constraints": {"required": True}}),),
        "city field-added breaking none",
    ),
    case("optional field, exact", (add_field({"name": "city"}),), "city field-added breaking none", EXACT),
    case("number to integer", (put("fields/income/type", "integer"),), "income type-narrowed breaking retrain"),
    case("string to date", (put("fields/note/type", "date"),), "note type-narrowed breaking retrain"),
    case("integer to number", (put("fields/age/type", "number"),), "age type-widened compatible retrain"),
    case(
        "boolean to date",
        (put("fields/active/type", "date"), put("fields/active/trueValues", DROP)),
        "active type-changed breaking retrain",
    ),
    case("min raised", (put("fields/age/constraints/minimum", 18),), "age minimum-raised breaking none"),
    case("min lowered", (put("fields/age/constraints/minimum", -5),), "age minimum-lowered compatible risk"),
    case("min removed", (put("fields/age/constraints/minimum", DROP),), "age minimum-removed compatible risk"),
    case("max lowered", (put("fields/age/constraints/maximum", 99),), "age maximum-lowered breaking none"),
    case("max raised", (put("fields/age/constraints/maximum", 150),), "age maximum-raised compatible risk"),
    case("max added", (put("fields/income/constraints/maximum", 1000000.0),), "income maximum-added breaking none"),
    case(
        "date min raised",
        (put("fields/signup/constraints/minimum", "2021-06-01"),),
        "signup minimum-raised breaking none",
    ),
    case(
        "exclusive added",
        (put("fields/age/constraints/exclusiveMaximum", 100),),
        "age exclusive-maximum-added breaking none",
    ),
    case(
        "exclusive removed",
        (put("fields/income/constraints/exclusiveMinimum", DROP),),
        "income exclusive-minimum-removed compatible risk",
    ),
    case(
        "maxLength lowered", (put("fields/color/constraints/maxLength", 5),), "color max-length-lowered breaking none"
    ),
    case(
        "maxLength raised", (put("fields/color/constraints/maxLength", 50),), "color max-length-raised compatible risk"
    ),
    case("minLength raised", (put("fields/color/constraints/minLength", 2),), "color min-length-raised breaking none"),
    case("pattern added", (put("fields/note/constraints", {"pattern": "x+"}),), "note pattern-added breaking none"),
    case(
        "pattern changed", (put("fields/code/constraints/pattern", "[A-Z]{3}"),), "code pattern-changed breaking risk"
    ),
    case("pattern removed", (put("fields/code/constraints", {}),), "code pattern-removed compatible risk"),
    case("unique added", (put("fields/code/constraints/unique", True),), "code unique-added breaking none"),
    case("unique removed", (put("fields/id/constraints/unique", False),), "id unique-removed compatible none"),
    case("newly required", (put("fields/age/constraints/required", True),), "age required-added breaking none"),
    case("no longer required", (put("fields/id/constraints/required", False),), "id required-removed compatible risk"),
    case(
        "enum value added",
        (put("fields/color/constraints/enum", ["red", "blue", "green"]),),
        "color enum-value-added compatible retrain",
    ),
    case(
        "enum value removed", (put("fields/color/constraints/enum", ["red"]),), "color enum-value-removed breaking none"
    ),
    case(
        "enum reordered, title",
        (put("fields/color/constraints/enum", ["blue", "red"]), put("fields/note/title", "Note")),
        "note title-changed none none",
    ),
    case("enum added", (put("fields/note/constraints", {"enum": ["a"]}),), "note enum-added breaking none"),
    case("enum removed", (put("fields/color/constraints/enum", DROP),), "color enum-removed compatible risk"),
    case("primary key", (put("primaryKey", ["id", "age"]),), "- primary-key-changed breaking none"),
    case("primary key removed", (put("primaryKey", DROP),), "- primary-key-removed breaking none"),
    case("unique key added", (put("uniqueKeys", [["age", "color"]]),), "- unique-key-added breaking none"),
    case("missing value added", (put("missingValues", ["", "NA", "-"]),), "- missing-value-added compatible risk"),
    case("missing value removed", (put("missingValues", [""]),), "- missing-value-removed breaking risk"),
    case(
        "field missing values",
        (put("fields/age/missingValues", ["", "NA", "-1"]),),
        "age missing-value-added compatible risk",
    ),
    case("fieldsMatch tightened", (put("fieldsMatch", "equal"),), "- fields-match-tightened breaking none"),
    case("fieldsMatch loosened", (put("fieldsMatch", "partial"),), "- fields-match-loosened compatible none"),
    case("fieldsMatch sideways", (put("fieldsMatch", "subset"),), "- fields-match-changed breaking none"),
    case("rowCount min raised", (put("x-mlgate/rowCount/min", 100),), "- row-count-min-raised breaking none"),
    case("rowCount max removed", (put("x-mlgate/rowCount/max", DROP),), "- row-count-max-removed compatible none"),
    case("string format loosened", (put("fields/email/format", "default"),), "email format-changed compatible none"),
    case("string format tightened", (put("fields/note/format", "uuid"),), "note format-changed breaking none"),
    case("date format", (put("fields/signup/format", "%d/%m/%Y"),), "signup format-changed breaking none"),
    case(
        "true value added",
        (put("fields/active/trueValues", ["true", "yes"]),),
        "active true-value-added compatible none",
    ),
    case(
        "false value removed",
        (put("fields/active/falseValues", ["false"]),),
        "active false-value-removed breaking none",
    ),
    case(
        "field severity lowered",
        (put("fields/age/x-mlgate", {"severity": "warning"}),),
        "age severity-lowered compatible none",
    ),
    case(
        "field severity raised",
        (put("fields/age/x-mlgate", {"severity": "error"}),),
        "age severity-raised breaking none",
        WARN,
    ),
    case("schema severity", (put("x-mlgate/severity", "warning"),), "- severity-lowered compatible none"),
    case(
        "null fraction raised",
        (put("fields/age/x-mlgate/maxNullFraction", 0.3),),
        "age max-null-fraction-raised compatible risk",
        (put("fields/age/x-mlgate/maxNullFraction", 0.1),),
    ),
    case("description", (put("fields/age/description", "years"),), "age description-changed none none"),
    case("decimal char", (put("fields/income/decimalChar", ","),), "income decimal-char-changed breaking none"),
    case("drift off", (put("fields/age/x-mlgate", {"drift": False}),), "age drift-changed none none"),
    case("reorder, exact", (swap_fields,), "- fields-reordered breaking none", EXACT),
    case("reorder, superset", (swap_fields,), "- fields-reordered none none"),
]


@pytest.mark.parametrize(("edits", "expected", "both"), CASES)
def test_classifies_each_kind_of_change(edits: Edits, expected: str, both: Edits) -> None:
    diff = diff_schemas(build(both), build(both + edits))

    assert [f"{c.field or '-'} {c.kind} {c.contract} {c.model}" for c in diff.changes] == [expected]
    assert diff.breaking is (expected.split()[2] == "breaking")
    change = diff.changes[0]
    assert change.message.startswith("schema: " if change.field is None else f"field {change.field!r}: ")


def test_table_covers_many_kinds() -> None:
    assert len({str(c.values[1]).split()[1] for c in CASES}) >= 40


def test_identical_schemas_have_no_changes() -> None:
    diff = diff_schemas(build(), build())

    assert diff == SchemaDiff(())
    assert not diff.breaking
    assert not diff.needs_retrain


def test_restating_an_inherited_value_is_no_change() -> None:
    both_explicit = (
        put("fields/age/x-mlgate", {"severity": "error"}),
        put("fields/age/missingValues", ["", "NA"]),
    )

    assert diff_schemas(build(), build(both_explicit)).changes == ()


def test_reorder_is_one_change_not_every_field() -> None:
    def rotate(descriptor: dict[str, Any]) -> None:
        descriptor["fields"] = descriptor["fields"][1:] + descriptor["fields"][:1]

    (change,) = diff_schemas(build(), build((rotate,))).changes

    assert change.kind == "fields-reordered"
    assert change.old[:2] == ("id", "age")
    assert change.new[:2] == ("age", "income")


def test_reorder_ignores_added_and_removed_fields() -> None:
    diff = diff_schemas(build(), build((drop_field("note"), add_field({"name": "city"}))))

    assert [(c.field, c.kind) for c in diff.changes] == [("city", "field-added"), ("note", "field-removed")]


def test_values_are_json_friendly_and_messages_show_them() -> None:
    diff = diff_schemas(build(), build((put("fields/signup/constraints/minimum", "2021-06-01"),)))

    (change,) = diff.changes
    assert (change.old, change.new) == ("2020-01-01", "2021-06-01")
    assert change.message.startswith("field 'signup': minimum raised: '2020-01-01' -> '2021-06-01' (")


def test_bounds_of_a_changed_type_are_compared_safely() -> None:
    edits = (put("fields/born/type", "date"), put("fields/born/constraints/minimum", "1900-01-01"))

    diff = diff_schemas(build(), build(edits))

    assert [(c.kind, c.contract) for c in diff.changes] == [
        ("minimum-changed", "breaking"),
        ("type-changed", "breaking"),
    ]


def test_multiple_changes_are_ordered_schema_first_then_by_new_field_order_then_kind() -> None:
    edits = (
        put("fields/color/constraints/enum", ["red", "green"]),
        put("fields/age/constraints/minimum", 18),
        put("fields/age/type", "number"),
        drop_field("note"),
        add_field({"name": "city"}),
        put("x-mlgate/rowCount/max", 10_000),
        put("primaryKey", ["id", "age"]),
    )

    diff = diff_schemas(build(), build(edits))

    assert [(c.field, c.kind) for c in diff.changes] == [
        (None, "primary-key-changed"),
        (None, "row-count-max-raised"),
        ("age", "minimum-raised"),
        ("age", "type-widened"),
        ("color", "enum-value-added"),
        ("color", "enum-value-removed"),
        ("city", "field-added"),
        ("note", "field-removed"),
    ]
    assert diff.breaking
    assert diff.needs_retrain
    assert {c.kind for c in diff.breaking_changes} == {
        "primary-key-changed",
        "minimum-raised",
        "enum-value-removed",
        "field-removed",
    }
    assert [c.kind for c in diff.model_changes] == ["type-widened", "enum-value-added", "field-removed"]
    added = next(c for c in diff.changes if c.kind == "enum-value-added")
    assert (added.old, added.new) == (None, ("green",))


def test_same_inputs_give_the_same_diff() -> None:
    edits = (
        put("missingValues", ["x", "", "a", "NA"]),
        put("fields/color/constraints/enum", ["z", "y", "red"]),
    )
    first = diff_schemas(build(), build(edits))

    assert diff_schemas(build(), build(edits)) == first
    assert [(c.kind, c.old, c.new) for c in first.changes] == [
        ("missing-value-added", None, ("a", "x")),
        ("enum-value-added", None, ("y", "z")),
        ("enum-value-removed", ("blue",), None),
    ]
    assert all(isinstance(c, SchemaChange) for c in first.changes)
