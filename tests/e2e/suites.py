"""The check shared by test_project_suites_*.py: bake one combination and run the project's own tests.

The covering set (bake.find_covering_set) is split over several modules so that ``--dist loadfile`` runs the
slow project suites on different workers.
"""

from __future__ import annotations

from pathlib import Path

import mlgate
from e2e.bake import ROOT, Combo, Run, run_project_tests

SKIP_REASON = "add data/"


def check_project_suite(combo: Combo, folder: Path) -> None:
    """The baked project's tests pass; without example data the data and model tests skip, saying what to add."""
    assert Path(mlgate.__file__).resolve().is_relative_to(ROOT / "src"), "mlgate is not the local checkout"
    run = Run(folder)
    with run.isolated():
        project = run.bake(combo.answers(), run.folder / "out")
    done = run_project_tests(project)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    if combo.example_data:
        assert " passed" in output
        assert "skipped" not in output, output
    else:
        assert output.count(SKIP_REASON) >= 2, output
        assert " passed" in output, output  # the config and schema tests still run
