"""A machine kept busy: two busy-loop processes, for tests that must hold on a loaded runner.

Each loop ends by itself after ``seconds``; the context manager kills both when the block ends, whatever happens.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def busy_machine(processes: int = 2, seconds: float = 60.0) -> Iterator[None]:
    """Keep ``processes`` cores busy while the block runs (each loop stops by itself after ``seconds``)."""
    code = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"
    loops: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(processes):
            loops.append(subprocess.Popen([sys.executable, "-c", code]))
        yield
    finally:
        for loop in loops:
            loop.kill()
        for loop in loops:
            loop.wait()
