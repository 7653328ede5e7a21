"""The data schema: Frictionless Table Schema (YAML or JSON) plus mlgate extensions under ``x-mlgate``.

``load_schema`` reads and checks a schema file; a schema that is itself invalid raises SchemaError
naming the file, the line, the field and what to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlgate.errors import SchemaError
from mlgate.files import find_line, load_document

FieldType = Literal["string", "integer", "number", "boolean", "date", "datetime", "time", "year", "any"]
Severity = Literal["error", "warning"]
FIELD_TYPES: tuple[str, ...] = (
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "time",
    "year",
    "any",
)
_ORDERED = ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum")
SUPPORTED_CONSTRAINTS: dict[str, tuple[str, ...]] = {
    "string": ("required", "minLength", "maxLength", "pattern", "enum"),
    "integer": _ORDERED,
    "number": _ORDERED,
    "boolean": ("required", "enum"),
    "date": _ORDERED,
    "datetime": _ORDERED,
    "time": _ORDERED,
    "year": _ORDERED,
    "any": ("required", "enum"),
}
STRING_FORMATS = ("default", "email", "uri", "uuid", "binary")
FIELDS_MATCH = ("exact", "equal", "subset", "superset", "partial")
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")


@dataclass(frozen=True)
class Constraints:
    required: bool = False
    unique: bool = False
    minimum: Any = None
    maximum: Any = None
    exclusive_minimum: Any = None
    exclusive_maximum: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class FieldDrift:
    """Per-field drift overrides (``x-mlgate.drift`` on a field)."""

    enabled: bool = True
    psi: float | None = None
    ks: float | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    format: str = "default"
    constraints: Constraints = field(default_factory=Constraints)
    missing_values: tuple[str, ...] | None = None
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    bare_number: bool = True
    group_char: str | None = None
    decimal_char: str = "."
    severity: Severity | None = None
    max_null_fraction: float | None = None
    drift: FieldDrift = field(default_factory=FieldDrift)


@dataclass(frozen=True)
class DriftSettings:
    """Schema-level drift settings (``x-mlgate.drift``)."""

    reference: str
    psi: float = 0.2
    ks: float = 0.1
    severity: Severity = "warning"


@dataclass(frozen=True)
class Schema:
    fields: tuple[Field, ...]
    missing_values: tuple[str, ...] = ("",)
    primary_key: tuple[str, ...] = ()
    unique_keys: tuple[tuple[str, ...], ...] = ()
    fields_match: str = "exact"
    severity: Severity = "error"
    row_count_min: int | None = None
    row_count_max: int | None = None
    max_null_fraction: float | None = None
    drift: DriftSettings | None = None
    path: Path | None = None
    sha256: str = ""
    descriptor: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def get(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def missing_values_for(self, item: Field) -> tuple[str, ...]:
        return item.missing_values if item.missing_values is not None else self.missing_values

    def severity_for(self, item: Field) -> Severity:
        return item.severity or self.severity


def load_schema(path: Path) -> Schema:
    """Read a Table Schema file (YAML or JSON) and check it."""
    text, descriptor = load_document(path, what="schema", error=SchemaError)
    schema = parse_schema(descriptor, path=path, text=text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Schema(**{**schema.__dict__, "sha256": digest})


def parse_schema(descriptor: Any, *, path: Path | None = None, text: str = "") -> Schema:
    """Build a Schema from a descriptor mapping; errors name ``path`` and the line where known."""
    return _Parser(path, text).schema(descriptor)


class _Parser:
    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, keys: tuple[str | int, ...], message: str, hint: str | None = None) -> SchemaError:
        line = find_line(self.text, keys) if self.text else None
        where = f"{self.path}:{line}" if self.path and line else str(self.path or "schema")
        return SchemaError(f"{where}: {message}", hint=hint)

    def schema(self, raw: Any) -> Schema:
        if not isinstance(raw, dict):
            raise self.fail((), "a schema must be a mapping with a 'fields' list")
        items = raw.get("fields")
        if not isinstance(items, list) or not items:
            raise self.fail(("fields",), "'fields' must be a non-empty list of fields")
        fields = tuple(self.field(item, i) for i, item in enumerate(items))
        names = [f.name for f in fields]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail(("fields", i), f"field '{name}' is declared twice")
        ext = self.mapping(raw.get("x-mlgate", {}), ("x-mlgate",))
        self.known(ext, ("severity", "rowCount", "maxNullFraction", "drift"), ("x-mlgate",))
        row_count = self.mapping(ext.get("rowCount", {}), ("x-mlgate", "rowCount"))
        self.known(row_count, ("min", "max"), ("x-mlgate", "rowCount"))
        rmin = self.count(row_count.get("min"), ("x-mlgate", "rowCount", "min"))
        rmax = self.count(row_count.get("max"), ("x-mlgate", "rowCount", "max"))
        if rmin is not None and rmax is not None and rmin > rmax:
            raise self.fail(("x-mlgate", "rowCount"), f"rowCount min {rmin} > max {rmax}")
        fields_match = raw.get("fieldsMatch", "exact")
        if fields_match not in FIELDS_MATCH:
            raise self.fail(("fieldsMatch",), f"fieldsMatch {fields_match!r} is not one of {FIELDS_MATCH}")
        return Schema(
            fields=fields,
            missing_values=self.strings(raw.get("missingValues", [""]), ("missingValues",)),
            primary_key=self.key(raw.get("primaryKey"), names, ("primaryKey",)),
            unique_keys=tuple(
                self.key(k, names, ("uniqueKeys", i))
                for i, k in enumerate(self.sequence(raw.get("uniqueKeys", []), ("uniqueKeys",)))
            ),
            fields_match=fields_match,
            severity=self.severity(ext.get("severity", "error"), ("x-mlgate", "severity")),
            row_count_min=rmin,
            row_count_max=rmax,
            max_null_fraction=self.fraction(ext.get("maxNullFraction"), ("x-mlgate", "maxNullFraction")),
            drift=self.drift(ext.get("drift"), ("x-mlgate", "drift")),
            path=self.path,
            descriptor=raw,
        )

    def field(self, raw: Any, index: int) -> Field:
        keys: tuple[str | int, ...] = ("fields", index)
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
            raise self.fail(keys, f"field #{index + 1} needs a 'name' (a non-empty string)")
        name = raw["name"]
        kind = raw.get("type", "string")
        if kind not in FIELD_TYPES:
            guess = difflib.get_close_matches(str(kind), FIELD_TYPES, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"use one of: {', '.join(FIELD_TYPES)}"
            raise self.fail((*keys, "type"), f"field '{name}': unknown type {kind!r}", hint)
        fmt = str(raw.get("format", "default"))
        if kind == "string" and fmt not in STRING_FORMATS:
            raise self.fail(
                (*keys, "format"),
                f"field '{name}': unknown string format {fmt!r}",
                f"use one of: {', '.join(STRING_FORMATS)}",
            )
        ext = self.mapping(raw.get("x-mlgate", {}), (*keys, "x-mlgate"))
        self.known(ext, ("severity", "maxNullFraction", "drift", "observed"), (*keys, "x-mlgate"))
        observed = self.mapping(ext.get("observed", {}), (*keys, "x-mlgate", "observed"))  # information only
        self.known(observed, ("minimum", "maximum", "minLength", "maxLength"), (*keys, "x-mlgate", "observed"))
        item = Field(
            name=name,
            type=kind,
            format=fmt,
            missing_values=(
                self.strings(raw["missingValues"], (*keys, "missingValues")) if "missingValues" in raw else None
            ),
            true_values=self.strings(raw.get("trueValues", list(DEFAULT_TRUE)), (*keys, "trueValues")),
            false_values=self.strings(raw.get("falseValues", list(DEFAULT_FALSE)), (*keys, "falseValues")),
            bare_number=bool(raw.get("bareNumber", True)),
            group_char=raw.get("groupChar"),
            decimal_char=str(raw.get("decimalChar", ".")),
            severity=self.severity(ext["severity"], (*keys, "x-mlgate", "severity")) if "severity" in ext else None,
            max_null_fraction=self.fraction(ext.get("maxNullFraction"), (*keys, "x-mlgate", "maxNullFraction")),
            drift=self.field_drift(ext.get("drift", {}), (*keys, "x-mlgate", "drift")),
        )
        return Field(**{**item.__dict__, "constraints": self.constraints(raw, item, keys)})

    def constraints(self, raw: dict[str, Any], item: Field, keys: tuple[str | int, ...]) -> Constraints:
        ckeys = (*keys, "constraints")
        found = self.mapping(raw.get("constraints", {}), ckeys)
        allowed = (*SUPPORTED_CONSTRAINTS[item.type], "unique")
        for name in found:
            if name not in allowed:
                guess = difflib.get_close_matches(str(name), allowed, n=1)
                hint = f"did you mean '{guess[0]}'?" if guess else f"{item.type} supports: {', '.join(allowed)}"
                raise self.fail(
                    (*ckeys, name),
                    f"field '{item.name}': constraint {name!r} is not supported by type {item.type!r}",
                    hint,
                )

        def typed(name: str) -> Any:
            if name not in found or found[name] is None:
                return None
            return self.value(item, found[name], (*ckeys, name))

        minimum, maximum = typed("minimum"), typed("maximum")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise self.fail(
                ckeys, f"field '{item.name}': minimum {minimum} > maximum {maximum}", "swap the bounds or fix the typo"
            )
        min_len = self.count(found.get("minLength"), (*ckeys, "minLength"))
        max_len = self.count(found.get("maxLength"), (*ckeys, "maxLength"))
        if min_len is not None and max_len is not None and min_len > max_len:
            raise self.fail(ckeys, f"field '{item.name}': minLength {min_len} > maxLength {max_len}")
        pattern = found.get("pattern")
        if pattern is not None:
            self.check_pattern(item, str(pattern), (*ckeys, "pattern"))
        enum = found.get("enum")
        if enum is not None and (not isinstance(enum, list) or not enum):
            raise self.fail((*ckeys, "enum"), f"field '{item.name}': enum must be a non-empty list")
        return Constraints(
            required=bool(found.get("required", False)),
            unique=bool(found.get("unique", False)),
            minimum=minimum,
            maximum=maximum,
            exclusive_minimum=typed("exclusiveMinimum"),
            exclusive_maximum=typed("exclusiveMaximum"),
            min_length=min_len,
            max_length=max_len,
            pattern=None if pattern is None else str(pattern),
            enum=None if enum is None else tuple(self.value(item, v, (*ckeys, "enum", i)) for i, v in enumerate(enum)),
        )

    def value(self, item: Field, raw: Any, keys: tuple[str | int, ...]) -> Any:
        """A constraint value converted to the field's type (strings are parsed like cells)."""
        try:
            return convert_value(item.type, raw, item.format)
        except (TypeError, ValueError) as exc:
            raise self.fail(keys, f"field '{item.name}': {raw!r} is not a valid {item.type}") from exc

    def check_pattern(self, item: Field, pattern: str, keys: tuple[str | int, ...]) -> None:
        import re

        try:
            re.compile(pattern)
        except re.error as exc:
            if not re2_compiles(pattern):
                raise self.fail(keys, f"field '{item.name}': pattern {pattern!r} does not compile: {exc}") from exc

    def drift(self, raw: Any, keys: tuple[str | int, ...]) -> DriftSettings | None:
        if raw is None:
            return None
        found = self.mapping(raw, keys)
        self.known(found, ("reference", "psi", "ks", "severity"), keys)
        if not isinstance(found.get("reference"), str):
            raise self.fail(keys, "drift needs 'reference': a stats file (mlgate schema stats) or a dataset")
        return DriftSettings(
            reference=found["reference"],
            psi=self.positive(found.get("psi", 0.2), (*keys, "psi")),
            ks=self.fraction(found.get("ks", 0.1), (*keys, "ks")) or 0.0,
            severity=self.severity(found.get("severity", "warning"), (*keys, "severity")),
        )

    def field_drift(self, raw: Any, keys: tuple[str | int, ...]) -> FieldDrift:
        if raw is False:
            return FieldDrift(enabled=False)
        found = self.mapping(raw, keys)
        self.known(found, ("enabled", "psi", "ks", "severity"), keys)
        return FieldDrift(
            enabled=bool(found.get("enabled", True)),
            psi=None if found.get("psi") is None else self.positive(found["psi"], (*keys, "psi")),
            ks=self.fraction(found.get("ks"), (*keys, "ks")),
            severity=self.severity(found["severity"], (*keys, "severity")) if "severity" in found else None,
        )

    # -- small typed readers -------------------------------------------------------------------
    def mapping(self, raw: Any, keys: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(keys, f"'{keys[-1]}' must be a mapping")
        return raw

    def sequence(self, raw: Any, keys: tuple[str | int, ...]) -> list[Any]:
        if not isinstance(raw, list):
            raise self.fail(keys, f"'{keys[-1]}' must be a list")
        return raw

    def strings(self, raw: Any, keys: tuple[str | int, ...]) -> tuple[str, ...]:
        return tuple(str(v) for v in self.sequence(raw, keys))

    def known(self, found: dict[str, Any], allowed: tuple[str, ...], keys: tuple[str | int, ...]) -> None:
        for name in found:
            if name not in allowed:
                guess = difflib.get_close_matches(str(name), allowed, n=1)
                hint = f"did you mean '{guess[0]}'?" if guess else f"valid keys: {', '.join(allowed)}"
                raise self.fail((*keys, name), f"unknown key '{name}' in {keys[-1]}", hint)

    def key(self, raw: Any, names: list[str], keys: tuple[str | int, ...]) -> tuple[str, ...]:
        if raw is None:
            return ()
        parts = [raw] if isinstance(raw, str) else self.sequence(raw, keys)
        for part in parts:
            if part not in names:
                raise self.fail(keys, f"key field {part!r} is not a declared field")
        return tuple(str(p) for p in parts)

    def severity(self, raw: Any, keys: tuple[str | int, ...]) -> Severity:
        if raw not in ("error", "warning"):
            raise self.fail(keys, f"severity must be 'error' or 'warning', not {raw!r}")
        return "error" if raw == "error" else "warning"

    def count(self, raw: Any, keys: tuple[str | int, ...]) -> int | None:
        if raw is None:
            return None
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            raise self.fail(keys, f"'{keys[-1]}' must be a whole number >= 0, not {raw!r}")
        return raw

    def fraction(self, raw: Any, keys: tuple[str | int, ...]) -> float | None:
        if raw is None:
            return None
        if not isinstance(raw, (int, float)) or isinstance(raw, bool) or not 0 <= raw <= 1:
            raise self.fail(keys, f"'{keys[-1]}' must be a number between 0 and 1, not {raw!r}")
        return float(raw)

    def positive(self, raw: Any, keys: tuple[str | int, ...]) -> float:
        if not isinstance(raw, (int, float)) or isinstance(raw, bool) or raw < 0:
            raise self.fail(keys, f"'{keys[-1]}' must be a number >= 0, not {raw!r}")
        return float(raw)


def reading_schema(schema: Schema, names: tuple[str, ...]) -> dict[str, Any]:
    """A Table Schema of the fields ``names``, in that order, with only what says how their values are read.

    Types, formats, missing values, boolean spellings and number notation: what ``cast_column`` needs to
    read a value as training did, without the constraints (which validation, not reading, applies).
    """
    fields = []
    for name in names:
        item = schema.get(name)
        if item is None:
            raise SchemaError(f"{schema.path or 'schema'}: no field '{name}'")
        described: dict[str, Any] = {"name": item.name, "type": item.type, "format": item.format}
        if item.missing_values is not None:
            described["missingValues"] = list(item.missing_values)
        if item.type == "boolean":
            described["trueValues"], described["falseValues"] = list(item.true_values), list(item.false_values)
        if item.type in ("integer", "number"):
            described["bareNumber"] = item.bare_number
        if item.type == "number":
            described["decimalChar"] = item.decimal_char
            if item.group_char is not None:
                described["groupChar"] = item.group_char
        fields.append(described)
    return {"fields": fields, "missingValues": list(schema.missing_values)}


def convert_value(kind: str, raw: Any, fmt: str = "default") -> Any:
    """Convert a schema constant (bound or enum member) to the Python value of a field type.

    Strings for dates and times are read with the field's own ``format`` first, then as ISO 8601.
    """
    if kind in ("date", "datetime", "time") and isinstance(raw, str) and fmt not in ("default", "any"):
        try:
            parsed = dt.datetime.strptime(raw, fmt)
        except ValueError:
            pass
        else:
            return parsed.date() if kind == "date" else parsed.time() if kind == "time" else _naive_utc(parsed)
    if kind in ("integer", "year"):
        if isinstance(raw, bool):
            raise TypeError("boolean")
        return int(raw.strip()) if isinstance(raw, str) else int(raw)
    if kind == "number":
        if isinstance(raw, bool):
            raise TypeError("boolean")
        return float(raw)
    if kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date()
        return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    if kind == "datetime":
        if isinstance(raw, dt.datetime):
            return _naive_utc(raw)
        return _naive_utc(dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00")))
    if kind == "time":
        return raw if isinstance(raw, dt.time) else dt.time.fromisoformat(str(raw))
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if str(raw) in DEFAULT_TRUE:
            return True
        if str(raw) in DEFAULT_FALSE:
            return False
        raise ValueError(raw)
    if kind == "string":
        return str(raw)
    return raw


def _naive_utc(value: dt.datetime) -> dt.datetime:
    """Datetimes are compared in UTC without a zone, like the values read from data."""
    return value if value.tzinfo is None else value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def re2_compiles(pattern: str) -> bool:
    """Whether pyarrow's regex engine (RE2) accepts ``pattern``."""
    import pyarrow as pa

    from mlgate.data import compute as pc

    try:
        pc.match_substring_regex(pa.array([""]), pattern=f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True
