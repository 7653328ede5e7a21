"""Import a module while optional packages it would only probe for are answered "not installed".

Some libraries import an optional package at import time just to recognise its objects later: pyarrow
probes for pandas on its first array (0.5-1 s), deepdiff imports pydantic (about 0.15 s) to diff pydantic
models. When mlgate never hands them such objects, ``refusing`` makes that probe fail fast. It only
affects imports made inside the ``with`` block, and never a package that is already imported.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType


class _Refuse:
    """A meta path finder (by protocol: subclassing ``importlib.abc`` would import ``tempfile`` and more)."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] in self.names:
            raise ImportError(f"{fullname} is not needed here (mlgate.imports.refusing)")
        return None


@contextmanager
def refusing(*names: str) -> Iterator[None]:
    """Within the block, importing the top-level packages ``names`` (unless already imported) fails.

    ``sys.meta_path`` is process-wide, so this acts only on the main thread (where the CLI imports before it
    starts any worker); called from another thread it changes nothing and the import just happens.
    """
    wanted = frozenset(name for name in names if name not in sys.modules)
    if not wanted or threading.current_thread() is not threading.main_thread():
        yield
        return
    finder = _Refuse(wanted)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
