"""The callbacks library code reports progress through, one alias each.

- ``Say``: one line of narration for a person (``re-scoring the baseline models``); the CLI prints it, the demo
  shows it, tests collect it.
- ``Progress``: how far a scan of a data file is: (path, bytes or rows done, total, rows so far).
"""

from __future__ import annotations

from collections.abc import Callable

Say = Callable[[str], None]
Progress = Callable[[str, int, int, int], None]
