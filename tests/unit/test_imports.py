"""mlgate.imports.refusing: optional packages probed at import time answer "not installed" within a block."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from mlgate.imports import refusing


def test_a_refused_package_fails_inside_the_block_and_imports_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "mlgate_probe_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 7\n")
    (package / "sub.py").write_text("VALUE = 8\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with refusing("mlgate_probe_pkg"), pytest.raises(ImportError, match="mlgate_probe_pkg is not needed here"):
        importlib.import_module("mlgate_probe_pkg.sub")  # written above: no module mypy could see
    assert "mlgate_probe_pkg" not in sys.modules
    assert importlib.import_module("mlgate_probe_pkg").VALUE == 7
    monkeypatch.delitem(sys.modules, "mlgate_probe_pkg")


def test_an_already_imported_package_is_not_refused() -> None:
    with refusing("json"):
        import json

        assert json.dumps([1]) == "[1]"
    assert not any(type(f).__name__ == "_Refuse" for f in sys.meta_path)


def test_parameter_diffs_do_not_import_pydantic() -> None:
    code = (
        "import sys\n"
        "from mlgate.compare import diff_params\n"
        "from mlgate.results import ModelResult, ResultSet\n"
        "old = ResultSet(models={'m': ModelResult('m', 'e', {'C': 1, 'tol': [1, 2]})})\n"
        "new = ResultSet(models={'m': ModelResult('m', 'e', {'C': 0.5, 'tol': [1, 3]})})\n"
        "print([(c.parameter, c.change) for c in diff_params(old, new)], 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[('C', 'changed'), ('tol[1]', 'changed')] False"


def test_off_the_main_thread_nothing_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    package = tmp_path / "mlgate_probe_thread_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 9\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found: list[int] = []

    def worker() -> None:
        with refusing("mlgate_probe_thread_pkg"):
            found.append(importlib.import_module("mlgate_probe_thread_pkg").VALUE)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert found == [9]
    monkeypatch.delitem(sys.modules, "mlgate_probe_thread_pkg")
