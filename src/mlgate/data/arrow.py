"""pyarrow process settings for the data commands."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType


class _RefusePandas:
    """A meta path finder (by protocol: subclassing ``importlib.abc`` would import ``tempfile`` and more)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == "pandas" or fullname.startswith("pandas."):
            raise ImportError("pandas is not needed by mlgate's data commands")
        return None


def skip_pandas_integration() -> None:
    """Stop pyarrow from importing pandas (0.5-1 s) on its first array when pandas is installed.

    pyarrow probes for pandas the first time any array or scalar is built. The data commands never
    convert to pandas, so the probe is answered "not installed" once; ``import pandas`` elsewhere in
    the process still works afterwards. Call it only from commands that do not use pandas.
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    refuse = _RefusePandas()
    sys.meta_path.insert(0, refuse)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(refuse)
