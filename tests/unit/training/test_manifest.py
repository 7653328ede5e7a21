"""The manifest: git commit through an injected runner, library versions, the config as plain data."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from mlgate import __version__
from mlgate.config import Config, load_config
from mlgate.training.manifest import config_data, git_commit, run_git, versions


def test_git_commit_from_the_runner() -> None:
    calls: list[tuple[list[str], Path]] = []

    def runner(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        calls.append((list(argv), cwd))
        return 0, "c" * 40 + "\n", ""

    assert git_commit(Path("/repo"), runner) == "c" * 40
    assert calls == [(["rev-parse", "HEAD"], Path("/repo"))]


def test_no_commit_outside_git() -> None:
    assert git_commit(Path("/x"), lambda argv, cwd: (128, "", "fatal: not a git repository")) is None
    assert git_commit(Path("/x"), lambda argv, cwd: (0, "garbage\n", "")) is None


def test_default_runner_reports_failures_as_codes(tmp_path: Path) -> None:
    code, _, _ = run_git(["rev-parse", "HEAD"], tmp_path / "missing-folder")
    assert code != 0


def test_versions_name_the_libraries_and_the_estimators_distributions() -> None:
    found = versions(["sklearn", "xgboost"])
    assert found["mlgate"] == __version__
    assert found["python"]
    assert found["scikit-learn"]
    assert found["skops"]
    assert any(name.startswith("xgboost") and value for name, value in found.items())


def test_config_is_plain_json_data(tmp_path: Path) -> None:
    path = tmp_path / "mlgate.yaml"
    path.write_text(
        "models: {m: {estimator: a.B, params: {x: [1, 2]}}}\nartifacts: {trusted_types: [a.C]}\n", encoding="utf-8"
    )
    data = config_data(load_config(path))
    assert "root" not in data
    assert "path" not in data
    assert data["models"]["m"] == {"estimator": "a.B", "params": {"x": [1, 2]}, "preprocess": "auto"}
    assert data["artifacts"] == {"trusted_types": ["a.C"]}
    json.dumps(data, allow_nan=False)
    assert config_data(Config())["train"]["seed"] == 0
