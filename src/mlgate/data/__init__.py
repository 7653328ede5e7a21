"""The data gate: readers, the schema model, validation, inference, schema diff, statistics, drift.

What the rest of mlgate uses is named here; each name is imported from its module on first use, so that
importing ``mlgate.data.results`` (as the renderers do) does not load pyarrow. The floors, from the bottom:

- ``sources`` (locate and stream a file), ``scan`` (``open_table``: the one CSV/Parquet switch; ``scan``:
  one typed pass feeding observers), ``casting`` (cell text to typed values), ``schema`` (the Table Schema);
- the observers of a scan: ``validate`` (constraints and file-level checks), ``stats`` (reference
  statistics), ``drift`` (against them);
- ``gate`` (``validate_datasets``: the validate use case, validation with drift).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlgate.data.casting import ARROW_TYPES, Cast, cast_column
    from mlgate.data.drift import reference_for
    from mlgate.data.gate import has_data_gate, validate_datasets
    from mlgate.data.scan import Table, open_table
    from mlgate.data.schema import load_schema
    from mlgate.data.stats import compute_stats
    from mlgate.data.validate import validate_files

__all__ = [
    "ARROW_TYPES",
    "Cast",
    "Table",
    "cast_column",
    "compute_stats",
    "has_data_gate",
    "load_schema",
    "open_table",
    "reference_for",
    "validate_datasets",
    "validate_files",
]
_HOMES = {
    "ARROW_TYPES": "casting",
    "Cast": "casting",
    "cast_column": "casting",
    "reference_for": "drift",
    "has_data_gate": "gate",
    "validate_datasets": "gate",
    "Table": "scan",
    "open_table": "scan",
    "load_schema": "schema",
    "compute_stats": "stats",
    "validate_files": "validate",
}


def __getattr__(name: str) -> Any:
    """The public name ``name``, from its module (imported now if it was not)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
