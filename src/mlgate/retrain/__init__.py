"""``mlgate retrain``: fetch fresh data, validate it, train, compare with the live version, register a winner.

The flow lives in ``mlgate.retrain.run``; the fetch hook in ``fetch`` (command runner in ``command``), the
live version and its re-scoring in ``live``, the decision in ``decide``, the note on the monitor issue in ``issue``. Nothing here approves a version.
"""

from __future__ import annotations
