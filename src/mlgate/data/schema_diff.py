"""Classify the changes between two data schemas, for the data contract and for the fitted model.

DeepDiff compares normalised descriptors (fields keyed by name, sets where order means nothing) and
says *where* something changed; a rule per location says what changed and what it means for the
contract (``breaking``: data valid before can fail now, or consumers relying on the old shape break;
``compatible``: it only loosens; ``none``: cosmetic) and for the fitted model (``retrain``: an unseen
category or type; ``risk``: admits values outside the training data; ``none``).
``SchemaChange.old`` / ``new`` are JSON-friendly: dates as ISO strings, sets as sorted tuples.
The rule tables and explanation texts are in ``mlgate.data.schema_rules``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from mlgate.data.schema import Field, Schema
from mlgate.data.schema_rules import (
    BOOLEAN_ONLY,
    BOUNDS,
    INHERITED,
    MEMBERS,
    ORDINALS,
    PARSING,
    TOGGLES,
    TYPE_VERBS,
    WHY,
    WIDER,
    Contract,
    Effect,
    ModelEffect,
    explain,
)

Desc = Mapping[str, Any]  # a normalised descriptor


@dataclass(frozen=True)
class SchemaChange:
    """One classified change; ``field`` is None for schema-level changes."""

    field: str | None
    kind: str
    old: Any
    new: Any
    contract: Contract
    model: ModelEffect
    message: str


@dataclass(frozen=True)
class SchemaDiff:
    """Every change from the old schema to the new one: schema-level first, then by field and kind."""

    changes: tuple[SchemaChange, ...] = ()

    @property
    def breaking(self) -> bool:
        return any(c.contract == "breaking" for c in self.changes)

    @property
    def breaking_changes(self) -> tuple[SchemaChange, ...]:
        return tuple(c for c in self.changes if c.contract == "breaking")

    @property
    def model_changes(self) -> tuple[SchemaChange, ...]:
        return tuple(c for c in self.changes if c.model != "none")

    @property
    def needs_retrain(self) -> bool:
        return any(c.model == "retrain" for c in self.changes)


def diff_schemas(old: Schema, new: Schema) -> SchemaDiff:
    """Compare two schemas and classify every change (ordered by the new schema's fields, then kind)."""
    common = set(old.names) & set(new.names)
    before, after = _describe(old, common), _describe(new, common)
    tree = DeepDiff(before, after, view="tree")
    sites = {_locate(level.path(output_format="list")) for levels in tree.values() for level in levels}
    changes = [change for site in sorted(sites) for change in _classify(site, before, after)]
    rank = {name: i for i, name in enumerate(dict.fromkeys((*new.names, *old.names)))}
    changes.sort(key=lambda c: (-1 if c.field is None else rank[c.field], c.kind, c.message))
    return SchemaDiff(tuple(changes))


def _describe(schema: Schema, common: set[str]) -> dict[str, Any]:
    raw = schema.descriptor
    items = raw.get("fields") if isinstance(raw.get("fields"), list) else []
    extras = {item.get("name"): item for item in items or [] if isinstance(item, Mapping)}
    return _drop_none(
        {
            "fields": {f.name: _describe_field(f, extras.get(f.name, {})) for f in schema.fields},
            "order": [name for name in schema.names if name in common],
            "missingValues": frozenset(schema.missing_values),
            "primaryKey": schema.primary_key,
            "uniqueKeys": frozenset(schema.unique_keys),
            "fieldsMatch": schema.fields_match,
            "severity": schema.severity,
            "maxNullFraction": schema.max_null_fraction,
            "rowCount": _drop_none({"min": schema.row_count_min, "max": schema.row_count_max}),
            "drift": dataclasses.asdict(schema.drift) if schema.drift else None,
            "title": raw.get("title"),
            "description": raw.get("description"),
        }
    )


def _describe_field(item: Field, raw: Mapping[str, Any]) -> dict[str, Any]:
    c = item.constraints
    constraints = {
        "required": c.required,
        "unique": c.unique,
        "minimum": c.minimum,
        "maximum": c.maximum,
        "exclusiveMinimum": c.exclusive_minimum,
        "exclusiveMaximum": c.exclusive_maximum,
        "minLength": c.min_length,
        "maxLength": c.max_length,
        "pattern": c.pattern,
        "enum": None if c.enum is None else frozenset(_to_plain(v) for v in c.enum),
    }
    return _drop_none(
        {
            "type": item.type,
            "format": item.format,
            "constraints": _drop_none(constraints),
            "missingValues": None if item.missing_values is None else frozenset(item.missing_values),
            "trueValues": frozenset(item.true_values) if item.type == "boolean" else None,
            "falseValues": frozenset(item.false_values) if item.type == "boolean" else None,
            "bareNumber": item.bare_number,
            "groupChar": item.group_char,
            "decimalChar": item.decimal_char,
            "severity": item.severity,
            "maxNullFraction": item.max_null_fraction,
            "drift": dataclasses.asdict(item.drift),
            "title": raw.get("title"),
            "description": raw.get("description"),
        }
    )


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def _locate(path: list[Any]) -> tuple[str, ...]:
    """The site a DeepDiff path belongs to: a field, a field attribute or constraint, a schema key."""
    if path[0] == "fields":
        return tuple(path[: 4 if len(path) > 3 and path[2] == "constraints" else 3])
    return tuple(path[: 2 if path[0] == "rowCount" else 1])


@dataclass(frozen=True)
class _Site:
    field: str | None
    key: str
    old: Any
    new: Any
    after: Mapping[str, Any]

    def change(self, kind: str, old: Any, new: Any, effect: Effect, text: str | None = None) -> SchemaChange:
        where = "schema" if self.field is None else f"field {self.field!r}"
        old, new = _to_plain(old), _to_plain(new)
        values = [_show(v) for v in (old, new) if v is not None and not isinstance(v, bool)]
        text = text or kind.replace("-", " ") + (f": {' -> '.join(values)}" if values else "")
        why = WHY.get(kind) or explain(*effect)
        message = f"{where}: {text}" + (f" ({why})" if why else "")
        return SchemaChange(self.field, kind, old, new, effect[0], effect[1], message)


def _classify(site: tuple[str, ...], before: Desc, after: Desc) -> list[SchemaChange]:
    name = site[1] if site[0] == "fields" else None
    old_v, new_v = _look_up(before, site), _look_up(after, site)
    if name is not None and len(site) == 2:
        return [_classify_presence(_Site(name, "", old_v, new_v, after))]
    key = ".".join(site) if name is None else site[-1]
    if name is not None and key in INHERITED:
        old_v = before.get(key) if old_v is None else old_v
        new_v = after.get(key) if new_v is None else new_v
    if old_v == new_v or (key in BOOLEAN_ONLY and None in (old_v, new_v)):
        return []  # the same value (0 == 0.0, inherited == explicit), or the type change says it all
    site_ = _Site(name, key, old_v, new_v, after)
    if key in BOUNDS:
        return [_classify_bound(site_)]
    if key in MEMBERS and old_v is not None and new_v is not None:
        return _classify_members(site_)
    if key in TOGGLES:
        return [_classify_toggle(site_)]
    return [_RULES.get(key, _classify_other)(site_)]


def _look_up(mapping: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = mapping
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _classify_presence(site: _Site) -> SchemaChange:
    if site.new is None:
        return site.change("field-removed", site.old["type"], None, ("breaking", "retrain"))
    required = bool(site.new["constraints"].get("required"))
    match = site.after["fieldsMatch"]
    if not required and match not in ("exact", "equal", "subset"):
        return site.change("field-added", None, site.new["type"], ("compatible", "none"))
    reason = "required" if required else f"fieldsMatch {match!r} needs every field"
    text = f"field added: {site.new['type']!r} ({reason}; old data lacks it)"
    return site.change("field-added", None, site.new["type"], ("breaking", "none"), text)


def _classify_bound(site: _Site) -> SchemaChange:
    stem, lower, loose_model = BOUNDS[site.key]
    tight: Effect = ("breaking", "none")
    loose: Effect = ("compatible", loose_model)
    if site.old is None or site.new is None:
        return site.change(
            f"{stem}-{'added' if site.new is not None else 'removed'}",
            site.old,
            site.new,
            tight if site.new is not None else loose,
        )
    try:
        raised = bool(site.new > site.old)
    except TypeError:  # the type changed too: the bounds cannot be compared
        return site.change(f"{stem}-changed", site.old, site.new, ("breaking", loose_model))
    verb = "raised" if raised else "lowered"
    return site.change(f"{stem}-{verb}", site.old, site.new, tight if raised == lower else loose)


def _classify_members(site: _Site) -> list[SchemaChange]:
    stem, on_add, on_remove = MEMBERS[site.key]
    added, removed = site.new - site.old, site.old - site.new
    changes = [site.change(f"{stem}-added", None, added, on_add)] if added else []
    return changes + ([site.change(f"{stem}-removed", removed, None, on_remove)] if removed else [])


def _classify_toggle(site: _Site) -> SchemaChange:
    stem, on_add, on_remove, on_change = TOGGLES[site.key]
    has_old, has_new = (v is not None and v is not False and v != () for v in (site.old, site.new))
    if has_old and has_new:
        return site.change(f"{stem}-changed", site.old, site.new, on_change)
    if has_new:
        return site.change(f"{stem}-added", None, site.new, on_add)
    return site.change(f"{stem}-removed", site.old, None, on_remove)


def _classify_type(site: _Site) -> SchemaChange:
    verb = TYPE_VERBS.get(((site.old, site.new) in WIDER, (site.new, site.old) in WIDER), "changed")
    contract: Contract = "compatible" if verb == "widened" else "breaking"
    return site.change(f"type-{verb}", site.old, site.new, (contract, "retrain"))


def _classify_format(site: _Site) -> SchemaChange:
    """Any other string format only restricts values; for dates and times a format changes parsing."""
    loose = site.new == "default" and site.after["fields"][site.field]["type"] == "string"
    return site.change("format-changed", site.old, site.new, ("compatible" if loose else "breaking", "none"))


def _classify_ordinal(site: _Site) -> SchemaChange:
    stem, ranks, (stricter, looser) = ORDINALS[site.key]
    old, new = ranks[site.old], ranks[site.new]
    verb = stricter if new > old else looser if new < old else "changed"  # subset <-> superset: neither
    contract: Contract = "compatible" if new < old else "breaking"
    return site.change(f"{stem}-{verb}", site.old, site.new, (contract, "none"))


def _classify_order(site: _Site) -> SchemaChange:
    contract: Contract = "breaking" if site.after["fieldsMatch"] == "exact" else "none"
    return site.change("fields-reordered", site.old, site.new, (contract, "none"))


def _classify_other(site: _Site) -> SchemaChange:
    kind = re.sub(r"(?<!^)(?=[A-Z])", "-", site.key.replace(".", "-")).lower() + "-changed"
    return site.change(kind, site.old, site.new, ("breaking" if site.key in PARSING else "none", "none"))


_RULES: dict[str, Callable[[_Site], SchemaChange]] = {
    "type": _classify_type,
    "format": _classify_format,
    "severity": _classify_ordinal,
    "fieldsMatch": _classify_ordinal,
    "order": _classify_order,
}


def _to_plain(value: Any) -> Any:
    """A JSON-friendly copy: ISO dates, sorted tuples for sets, non-finite floats as strings."""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_to_plain(v) for v in value), key=_rank_value))
    if isinstance(value, (tuple, list)):
        return tuple(_to_plain(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): _to_plain(v) for k, v in value.items()}
    return value


def _rank_value(value: Any) -> tuple[int, Any]:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return (0, value) if numeric else (1, repr(value))


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)
