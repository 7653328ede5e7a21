"""Match a file's header to the schema's fields (Frictionless ``fieldsMatch``)."""

from __future__ import annotations

from collections.abc import Callable

from mlgate.data.schema import Schema, Severity

Report = Callable[[str | None, str, Severity, str], None]


def match_header(header: list[str], schema: Schema, report: Report) -> dict[str, int]:
    """Return field name -> column index for the fields present; report header problems.

    Columns are matched by name, labels stripped of surrounding blanks as in Frictionless. ``exact`` (the
    default) also requires the schema's order; ``equal`` the same set; ``subset`` allows extra columns; ``superset`` allows missing ones;
    ``partial`` needs at least one field. A missing field that is required is always reported.
    """
    severity = schema.severity
    labels = [label.strip() for label in header]  # as Frictionless does: " name " is the column "name"
    columns: dict[str, int] = {}
    for index, name in enumerate(labels):
        if name in columns:
            report(name, "duplicate-column", severity, f"column '{name}' appears more than once")
        elif name == "":
            report(None, "blank-column", severity, f"column {index + 1} has no name")
        else:
            columns[name] = index
    mode = schema.fields_match
    names = schema.names
    known = set(names)
    for item in schema.fields:
        if item.name in columns:
            continue
        required = item.constraints.required or item.name in schema.primary_key
        if mode in ("exact", "equal", "subset") or required:
            report(item.name, "missing-column", schema.severity_for(item), f"column '{item.name}' is missing")
    if mode in ("exact", "equal", "superset"):
        for name in columns:
            if name not in known:
                report(name, "extra-column", severity, f"column '{name}' is not in the schema")
    if mode == "partial" and not any(n in columns for n in names):
        report(None, "missing-column", severity, "none of the schema's fields are in the file")
    if mode == "exact" and set(names) <= set(columns):
        present = [n for i, n in enumerate(labels) if n in known and n not in labels[:i]]
        if present != list(names):
            report(None, "column-order", severity, "columns are not in the schema's order: " + ", ".join(present))
    return {name: index for name, index in columns.items() if name in known}
