"""pyarrow process settings for the data commands."""

from __future__ import annotations

import sys

from mlgate.imports import refusing


def skip_pandas_integration() -> None:
    """Stop pyarrow from importing pandas (0.5-1 s) on its first array when pandas is installed.

    pyarrow probes for pandas the first time any array or scalar is built. The data commands never
    convert to pandas, so the probe is answered "not installed" once; ``import pandas`` elsewhere in
    the process still works afterwards. Call it only from commands that do not use pandas.
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    with refusing("pandas"):
        pa.array([0])
