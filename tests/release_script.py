"""``scripts/release.py`` loaded as a module (it is a script, not part of the package), for the tests that call it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_release() -> ModuleType:
    """Import ``scripts/release.py`` once per process and return it."""
    spec = importlib.util.spec_from_file_location("mlgate_release_script", ROOT / "scripts" / "release.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
