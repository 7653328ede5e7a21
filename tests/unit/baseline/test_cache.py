from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlgate.baseline.cache import COMPLETE, BaselineCache, save_baseline
from mlgate.errors import InputError
from mlgate.results import ModelResult, ResultSet, read_results, write_results

SHA = "c" * 40
OTHER = "d" * 40


def results_folder(path: Path, *, marker: str = "model", commit: str | None = None) -> Path:
    write_results(path, ResultSet(models={"lr": ModelResult(name="lr", estimator="LR")}, commit=commit))
    (path / "manifest.json").write_text("{}\n", encoding="utf-8")
    (path / "models" / "lr").mkdir(parents=True)
    (path / "models" / "lr" / "model.skops").write_text(marker, encoding="utf-8")
    return path


def test_miss_then_put_then_hit(tmp_path: Path) -> None:
    cache = BaselineCache(tmp_path / "cache", "0.1.0")
    assert cache.get(SHA) is None
    entry = cache.put(SHA, results_folder(tmp_path / "run"))
    assert entry == tmp_path / "cache" / SHA / "0.1.0"
    assert cache.get(SHA) == entry
    assert (entry / "models" / "lr" / "model.skops").read_text(encoding="utf-8") == "model"
    assert (entry / "manifest.json").is_file()
    assert read_results(entry).models.keys() == {"lr"}
    assert json.loads((entry / COMPLETE).read_text(encoding="utf-8")) == {"commit": SHA, "mlgate_version": "0.1.0"}
    assert cache.get(OTHER) is None
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [SHA]  # no staging folder left behind


def test_the_key_includes_the_mlgate_version(tmp_path: Path) -> None:
    BaselineCache(tmp_path, "0.1.0").put(SHA, results_folder(tmp_path / "run"))
    assert BaselineCache(tmp_path, "0.2.0").get(SHA) is None
    assert BaselineCache(tmp_path, "0.1.0").get(SHA) is not None


def test_incomplete_entry_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    cache = BaselineCache(tmp_path / "cache", "0.1.0")
    broken = cache.entry(SHA)
    broken.mkdir(parents=True)
    (broken / "metrics.json").write_text("{}", encoding="utf-8")
    (broken / "half-copied.bin").write_text("x", encoding="utf-8")
    assert cache.get(SHA) is None
    entry = cache.put(SHA, results_folder(tmp_path / "run"))
    assert cache.get(SHA) == entry
    assert not (entry / "half-copied.bin").exists()


def test_a_complete_entry_written_first_wins_the_race(tmp_path: Path) -> None:
    cache = BaselineCache(tmp_path / "cache", "0.1.0")
    cache.put(SHA, results_folder(tmp_path / "first", marker="first"))
    entry = cache.put(SHA, results_folder(tmp_path / "second", marker="second"))
    assert (entry / "models" / "lr" / "model.skops").read_text(encoding="utf-8") == "first"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [SHA]


def test_put_needs_a_results_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"has no metrics\.json"):
        BaselineCache(tmp_path / "cache", "0.1.0").put(SHA, tmp_path / "empty")


@pytest.mark.parametrize("sha", ["abc1234", "C" * 40, "../" + "c" * 37])
def test_keys_are_full_shas(tmp_path: Path, sha: str) -> None:
    with pytest.raises(InputError, match=r"keys are full commit shas"):
        BaselineCache(tmp_path, "0.1.0").get(sha)


@pytest.mark.parametrize("version", ["", "../x", "1.0/2"])
def test_version_must_be_a_plain_name(tmp_path: Path, version: str) -> None:
    with pytest.raises(InputError, match=r"invalid mlgate version"):
        BaselineCache(tmp_path, version)


def test_unwritable_root_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"cannot write to"):
        BaselineCache(blocker / "cache", "0.1.0").put(SHA, results_folder(tmp_path / "run"))


def test_prune_keeps_the_newest_and_drops_broken_entries(tmp_path: Path) -> None:
    cache = BaselineCache(tmp_path / "cache", "0.1.0")
    shas = ["1" * 40, "2" * 40, "3" * 40]
    for age, sha in enumerate(shas):
        entry = cache.put(sha, results_folder(tmp_path / f"run{age}"))
        stamp = 1_700_000_000 + age
        os.utime(entry / COMPLETE, (stamp, stamp))
    broken = cache.entry("4" * 40)
    broken.mkdir(parents=True)
    removed = cache.prune(keep=2)
    assert sorted(removed) == sorted([cache.entry(shas[0]), broken])
    assert [sha for sha in shas if cache.get(sha)] == shas[1:]
    assert sorted(p.name for p in cache.root.iterdir()) == shas[1:]
    assert BaselineCache(tmp_path / "absent", "0.1.0").prune(keep=1) == []


def test_save_baseline_stores_a_valid_result_set(tmp_path: Path) -> None:
    cache = BaselineCache(tmp_path / "cache", "0.1.0")
    entry = save_baseline(cache, SHA, results_folder(tmp_path / "run", commit=SHA[:7]))
    assert cache.get(SHA) == entry


def test_save_baseline_refuses_results_of_another_commit(tmp_path: Path) -> None:
    cache = BaselineCache(tmp_path / "cache", "0.1.0")
    with pytest.raises(InputError, match=r"holds results of commit ddddddd, not ccccccc"):
        save_baseline(cache, SHA, results_folder(tmp_path / "run", commit=OTHER))
    assert cache.get(SHA) is None


def test_save_baseline_refuses_a_folder_without_results(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    with pytest.raises(InputError, match=r"has no metrics\.json"):
        save_baseline(BaselineCache(tmp_path / "cache", "0.1.0"), SHA, tmp_path / "run")
