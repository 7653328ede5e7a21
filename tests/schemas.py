"""Validating documents against the JSON Schemas in docs/schemas/, shared by the tests of every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for ``docs/schemas/<name>`` (itself checked first) that resolves every other schema.

    Each schema is registered under its own ``$id`` and as a sibling of ``name``, so ``$ref``s by file name
    (``"compare.schema.json"``) resolve as well as full ``$id``s.
    """
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    base = schema["$id"].rsplit("/", 1)[0]
    resources: list[tuple[str, Resource[Any]]] = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(document)
        resources += [(f"{base}/{path.name}", resource), (document["$id"], resource)]
    return jsonschema.Draft202012Validator(schema, registry=Registry().with_resources(resources))
