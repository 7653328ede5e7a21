"""``compare_folders``: candidates merged, the baseline that is missing, the rules on params and requirement."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from mlgate.compare import Comparison
from mlgate.compare_folders import compare_folders
from mlgate.config import BaselineConfig, Config
from mlgate.errors import InputError


def metrics(folder: Path, name: str, accuracy: float) -> Path:
    """A DVC-style metrics file: one model, named by the file's stem."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"accuracy": accuracy}), encoding="utf-8")
    return path


def values(comparison: Comparison, side: str) -> dict[str, float | None]:
    """``model.metric`` -> the ``base`` or ``new`` value of each row."""
    return {f"{r.model}.{r.metric}": getattr(r, side) for r in comparison.rows}


def test_candidates_merge_into_one_comparison_with_the_baseline(tmp_path: Path) -> None:
    first, second = metrics(tmp_path / "a", "forest", 0.9), metrics(tmp_path / "b", "linear", 0.8)
    base = metrics(tmp_path / "base", "forest", 0.85)
    comparison = compare_folders(Config(root=tmp_path), [first, second], base)
    assert sorted(comparison.candidate.models) == ["forest", "linear"]
    assert values(comparison, "new") == {"forest.accuracy": 0.9, "linear.accuracy": 0.8}
    assert values(comparison, "base")["forest.accuracy"] == 0.85
    assert comparison.baseline_note is None


def test_a_baseline_path_that_does_not_exist_means_no_baseline_and_says_why(tmp_path: Path) -> None:
    candidate = metrics(tmp_path, "forest", 0.9)
    comparison = compare_folders(Config(root=tmp_path), [candidate], tmp_path / "missing")
    assert comparison.baseline is None
    assert comparison.baseline_note == f"{tmp_path / 'missing'} does not exist"
    assert compare_folders(Config(root=tmp_path), [candidate], None).baseline_note == "no --baseline was given"


def test_the_callers_note_says_how_the_baseline_was_obtained(tmp_path: Path) -> None:
    candidate = metrics(tmp_path, "forest", 0.9)
    note = "the merge-base was not cached"
    assert compare_folders(Config(root=tmp_path), [candidate], None, baseline_note=note).baseline_note == note


@pytest.mark.parametrize("config_requires", [False, True])
def test_a_required_baseline_that_is_missing_is_an_input_error(tmp_path: Path, config_requires: bool) -> None:
    config = replace(Config(root=tmp_path), baseline=BaselineConfig(require=config_requires))
    with pytest.raises(InputError, match=r"no baseline: .*missing does not exist"):
        compare_folders(
            config, [metrics(tmp_path, "m", 0.9)], tmp_path / "missing", require_baseline=not config_requires
        )


def test_no_candidate_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no candidate results given"):
        compare_folders(Config(root=tmp_path), [], None)


def test_candidate_params_belong_to_exactly_one_candidate(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("depth: 3\n", encoding="utf-8")
    two = [metrics(tmp_path / "a", "a", 0.9), metrics(tmp_path / "b", "b", 0.8)]
    with pytest.raises(InputError, match="--candidate-params needs exactly one candidate"):
        compare_folders(Config(root=tmp_path), two, None, candidate_params=params)
    one = compare_folders(Config(root=tmp_path), two[:1], None, candidate_params=params)
    assert one.candidate.models["a"].params == {"depth": 3}


def test_model_names_a_single_model_file_on_both_sides(tmp_path: Path) -> None:
    candidate, base = metrics(tmp_path / "new", "metrics", 0.9), metrics(tmp_path / "old", "metrics", 0.7)
    comparison = compare_folders(Config(root=tmp_path), [candidate], base, model="churn")
    assert values(comparison, "base") == {"churn.accuracy": 0.7}
    assert values(comparison, "new") == {"churn.accuracy": 0.9}
