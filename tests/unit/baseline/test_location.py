"""``locate_baseline`` against a scripted git, and the cache path as actions/cache reads it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from mlgate import __version__
from mlgate.baseline.cache import BaselineCache
from mlgate.baseline.git import Git
from mlgate.baseline.location import BaselineLocation, describe_cache_path, locate_baseline, location_outputs
from mlgate.config import BaselineConfig, Config

HEAD = "1" * 40
MERGE_BASE = "2" * 40


class Clone:
    """A full clone holding HEAD and ``main``; ``merge_base`` is what ``git merge-base`` answers (None: nothing)."""

    def __init__(self, merge_base: str | None) -> None:
        self.merge_base = merge_base
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        args = list(argv[3:])
        self.calls.append(args)
        if args[:2] == ["rev-parse", "--is-shallow-repository"]:
            return 0, "false\n", ""
        if args[0] == "rev-parse":
            return 0, f"{HEAD}\n", ""
        if args[0] == "show-ref":
            return 0, "", ""
        if args[0] == "merge-base":
            return (0, f"{self.merge_base}\n", "") if self.merge_base else (1, "", "")
        raise AssertionError(f"unexpected git {args}")


def config(root: Path) -> Config:
    return replace(Config(root=root), baseline=BaselineConfig(base_branch="main", fetch=False, cache_dir="cache"))


def test_the_merge_base_gives_the_cache_key_and_folder(tmp_path: Path) -> None:
    found = locate_baseline(config(tmp_path), {}, head=HEAD, git=Git(tmp_path, runner=Clone(MERGE_BASE)))
    cache = BaselineCache(tmp_path / "cache", __version__)
    assert found == BaselineLocation(
        head=HEAD,
        base_branch="main",
        merge_base=MERGE_BASE,
        cache_key=f"mlgate-baseline-{MERGE_BASE}-{__version__}",
        cache_path=cache.entry(MERGE_BASE),
        cached=False,
    )


def test_a_complete_cache_entry_is_reported_as_cached(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "metrics.json").write_text("{}", encoding="utf-8")
    BaselineCache(tmp_path / "cache", __version__).put(MERGE_BASE, results)
    assert locate_baseline(config(tmp_path), {}, head=HEAD, git=Git(tmp_path, runner=Clone(MERGE_BASE))).cached


def test_no_merge_base_leaves_key_and_folder_empty(tmp_path: Path) -> None:
    found = locate_baseline(config(tmp_path), {}, head=HEAD, base="main", git=Git(tmp_path, runner=Clone(None)))
    assert found == BaselineLocation(HEAD, "main", None, None, None, False)


def test_the_cache_path_is_relative_to_the_workspace_unless_outside_it(tmp_path: Path) -> None:
    environ = {"GITHUB_WORKSPACE": str(tmp_path / "ws")}
    (tmp_path / "ws").mkdir()
    assert describe_cache_path(tmp_path / "ws" / ".mlgate" / "cache" / "abc", environ) == ".mlgate/cache/abc"
    assert describe_cache_path(tmp_path / "elsewhere", environ) == str(tmp_path / "elsewhere")
    assert describe_cache_path(None, environ) == ""


def test_the_outputs_name_every_fact(tmp_path: Path) -> None:
    found = BaselineLocation(HEAD, "main", MERGE_BASE, "key", tmp_path / "ws" / "entry", True)
    assert location_outputs(found, {"GITHUB_WORKSPACE": str(tmp_path / "ws")}) == {
        "head": HEAD,
        "base-branch": "main",
        "merge-base": MERGE_BASE,
        "cache-key": "key",
        "cache-path": "entry",
        "cached": "true",
    }
    empty = BaselineLocation(HEAD, None, None, None, None, False)
    assert location_outputs(empty, {}) == {
        "head": HEAD,
        "base-branch": "",
        "merge-base": "",
        "cache-key": "",
        "cache-path": "",
        "cached": "false",
    }
