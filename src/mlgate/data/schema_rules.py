"""The rule tables of ``mlgate.data.schema_diff`` and the explanations its messages carry: for each
kind of schema key, what a change means for the data contract (``breaking``: data valid before can
fail now, or consumers relying on the old shape break; ``compatible``: it only loosens; ``none``:
cosmetic) and for the fitted model (``retrain``: an unseen category or type; ``risk``: admits values
outside the training data; ``none``), plus the one-line reason shown after each change. Data only:
the diff algorithm that applies these tables lives in ``mlgate.data.schema_diff``.
"""

from __future__ import annotations

from typing import Literal

from mlgate.data.schema import FIELD_TYPES

Contract = Literal["breaking", "compatible", "none"]
ModelEffect = Literal["retrain", "risk", "none"]
Effect = tuple[Contract, ModelEffect]

INHERITED = ("missingValues", "severity", "maxNullFraction")  # a field's None means the schema's value
BOOLEAN_ONLY = ("trueValues", "falseValues")

# key -> (kind stem, is it a lower bound?, model effect when loosened)
BOUNDS: dict[str, tuple[str, bool, ModelEffect]] = {
    "minimum": ("minimum", True, "risk"),
    "maximum": ("maximum", False, "risk"),
    "exclusiveMinimum": ("exclusive-minimum", True, "risk"),
    "exclusiveMaximum": ("exclusive-maximum", False, "risk"),
    "minLength": ("min-length", True, "risk"),
    "maxLength": ("max-length", False, "risk"),
    "maxNullFraction": ("max-null-fraction", False, "risk"),
    "rowCount.min": ("row-count-min", True, "none"),
    "rowCount.max": ("row-count-max", False, "none"),
}

# key -> (kind stem, effect of a member added, effect of a member removed)
MEMBERS: dict[str, tuple[str, Effect, Effect]] = {
    "enum": ("enum-value", ("compatible", "retrain"), ("breaking", "none")),
    "missingValues": ("missing-value", ("compatible", "risk"), ("breaking", "risk")),
    "trueValues": ("true-value", ("compatible", "none"), ("breaking", "none")),
    "falseValues": ("false-value", ("compatible", "none"), ("breaking", "none")),
    "uniqueKeys": ("unique-key", ("breaking", "none"), ("compatible", "none")),
}

# key -> (kind stem, effect when added, when removed, when changed)
TOGGLES: dict[str, tuple[str, Effect, Effect, Effect]] = {
    "required": ("required", ("breaking", "none"), ("compatible", "risk"), ("breaking", "none")),
    "unique": ("unique", ("breaking", "none"), ("compatible", "none"), ("breaking", "none")),
    "pattern": ("pattern", ("breaking", "none"), ("compatible", "risk"), ("breaking", "risk")),
    "enum": ("enum", ("breaking", "none"), ("compatible", "risk"), ("breaking", "risk")),
    "primaryKey": ("primary-key", ("breaking", "none"), ("breaking", "none"), ("breaking", "none")),
}

# (old type, new type) pairs where every old value is also a valid new one: strings and "any" take all
WIDER = {("integer", "number"), ("year", "integer"), ("year", "number")}
WIDER |= {(t, "any") for t in FIELD_TYPES if t != "any"} | {(t, "string") for t in FIELD_TYPES if t != "any"}
TYPE_VERBS = {(True, False): "widened", (False, True): "narrowed"}

# key -> (kind stem, rank of each value: higher is stricter, verbs for stricter / looser)
ORDINALS: dict[str, tuple[str, dict[str, int], tuple[str, str]]] = {
    "severity": ("severity", {"warning": 0, "error": 1}, ("raised", "lowered")),
    "fieldsMatch": (
        "fields-match",
        {"partial": 0, "subset": 1, "superset": 1, "equal": 2, "exact": 3},
        ("tightened", "loosened"),
    ),
}

PARSING = ("bareNumber", "groupChar", "decimalChar")  # they change how old cells parse

WHY: dict[str, str] = {
    "field-removed": "data and consumers lose the column; a model using it as a feature cannot score",
    "field-added": "the fitted model ignores it until retrained",
    "enum-value-added": "a category the fitted encoder never saw: retrain",
    "missing-value-added": "cells spelled like this now read as null, where the model saw values",
    "missing-value-removed": "cells that read as null must now parse as values",
    "fields-reordered": "harmless for the model, which selects columns by name; breaks consumers that "
    "map columns by position (fieldsMatch 'exact')",
    "type-widened": "the feature's encoding changes: retrain",
    "type-narrowed": "old data can fail to parse; the feature's encoding changes: retrain",
    "type-changed": "old data can fail to parse; the feature's encoding changes: retrain",
    "severity-raised": "violations that were warnings now fail the gate",
    "title-changed": "cosmetic",
    "description-changed": "cosmetic",
}


def explain(contract: Contract, model: ModelEffect) -> str:
    """The reason shown for a change kind without its own ``WHY`` entry, from its effects."""
    parts = ["data valid under the old schema can fail the new one"] if contract == "breaking" else []
    if model != "none":
        parts.append(
            "the fitted model has not seen this: retrain"
            if model == "retrain"
            else "admits values outside the training data"
        )
    return "; ".join(parts)
