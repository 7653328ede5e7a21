"""``mlgate schema infer``'s report: the drafted Table Schema as YAML or JSON, and the line that says what was read."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgate.data.infer import Inference


def choose_format(requested: str | None, output: Path | None) -> str:
    """``requested``, else ``json`` for a ``.json`` output file, else ``yaml``."""
    if requested is not None:
        return requested
    return "json" if output is not None and output.suffix.lower() == ".json" else "yaml"


def render_yaml(inference: Inference) -> str:
    """The schema as YAML, in the order the fields were found."""
    import yaml

    return str(yaml.safe_dump(inference.descriptor, sort_keys=False, allow_unicode=True, width=100))


def render_json(inference: Inference) -> str:
    return json.dumps(inference.descriptor, indent=2, ensure_ascii=False) + "\n"


def render_note(inference: Inference, data: str, output: Path | None) -> str:
    """``inferred 6 fields from 4,800 rows of train.csv → schema.yaml`` (or ``→ stdout``)."""
    name = PurePosixPath(data).name or data
    target = str(output) if output is not None else "stdout"
    return f"inferred {inference.fields} fields from {inference.rows:,} rows of {name} → {target}"
