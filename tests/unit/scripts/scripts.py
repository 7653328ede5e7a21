"""Import a script of ``scripts/`` as a module, for tests of its pure helpers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` imported as ``mlgate_<name>`` (registered in ``sys.modules``: dataclasses need it)."""
    spec = importlib.util.spec_from_file_location(f"mlgate_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec is not None, f"cannot import scripts/{name}.py"
    assert spec.loader is not None, f"cannot import scripts/{name}.py"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
