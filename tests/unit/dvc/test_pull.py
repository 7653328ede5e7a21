"""Which declared datasets DVC tracks, and the one ``dvc pull``/``checkout`` per DVC repository over their paths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.dvc.pull import checkout_targets, find_targets, pull_targets
from mlgate.dvc.run import DvcRun
from mlgate.errors import InputError

MD5 = "e5ebd4c02cefbe7955977c67ada242b7"
LOCK = f"schema: '2.0'\nstages:\n  prep:\n    cmd: x\n    outs:\n    - path: data/test.csv\n      md5: {MD5}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """train.csv tracked by a .dvc file, test.csv a dvc.lock output, notes.csv untracked."""
    (tmp_path / ".dvc").mkdir()
    (tmp_path / ".dvc" / "config").write_text("[core]\n    remote = store\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv.dvc").write_text(f"outs:\n- md5: {MD5}\n  hash: md5\n  path: train.csv\n")
    (tmp_path / "dvc.lock").write_text(LOCK)
    (tmp_path / "mlgate.yaml").write_text(
        "version: 1\ndata: {train: data/train.csv, test: data/test.csv, datasets: [data/notes.csv, s3://b/x.csv]}\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Recorder:
    def __init__(self, *replies: DvcRun) -> None:
        self.calls: list[tuple[list[str], Path]] = []
        self.replies = list(replies)

    def __call__(self, args: Sequence[str], cwd: Path) -> DvcRun:
        self.calls.append((list(args), cwd))
        return self.replies.pop(0)


def test_finds_the_tracked_datasets(project: Path) -> None:
    targets = find_targets(load_config(project / "mlgate.yaml"))
    assert [(t.dataset, t.source, t.tracked.path) for t in targets] == [
        ("data/train.csv", "data/train.csv.dvc", "data/train.csv"),
        ("data/test.csv", "dvc.lock", "data/test.csv"),
    ]


def test_one_pull_per_repository(project: Path) -> None:
    runner = Recorder(DvcRun(0, "A       data/train.csv\n2 files fetched\n", ""))
    targets = find_targets(load_config(project / "mlgate.yaml"))
    done = pull_targets(targets, runner, remote="store")
    assert runner.calls == [(["pull", "--remote", "store", "--", "data/train.csv", "data/test.csv"], project)]
    assert [(d.targets, d.summary) for d in done] == [(targets, "2 files fetched")]


def test_checkout_failure_is_explained(project: Path) -> None:
    runner = Recorder(DvcRun(255, "", "ERROR: Checkout failed for following targets:\ndata/train.csv\n"))
    with pytest.raises(InputError, match=r"data/train.csv, data/test.csv: the data is not in the DVC cache"):
        checkout_targets(find_targets(load_config(project / "mlgate.yaml")), runner)
    assert runner.calls == [(["checkout", "--", "data/train.csv", "data/test.csv"], project)]


def test_nothing_outside_a_dvc_repository(tmp_path: Path) -> None:
    (tmp_path / "mlgate.yaml").write_text("version: 1\ndata: {train: train.csv}\n")
    assert find_targets(load_config(tmp_path / "mlgate.yaml")) == ()
