"""Generated projects pass their own test suites: the covering set's combinations [1:] (see suites.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.bake import Combo, find_covering_set, list_valid
from e2e.suites import check_project_suite

COMBOS = find_covering_set(list_valid())[1:]


@pytest.mark.slow
@pytest.mark.parametrize("combo", COMBOS, ids=lambda combo: combo.id)
def test_the_generated_project_passes_its_own_tests(tmp_path: Path, combo: Combo) -> None:
    check_project_suite(combo, tmp_path)
