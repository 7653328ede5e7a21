"""Faults at every write of register, approve, reject, deploy and rollback; after each, nothing is lost.

One project for the module: versions 1 (logistic) and 2 (tree) approved, 3 (a shallow tree) pending; 1 then 2
deployed on a real ``mlgate serve`` (2 is live, 1 is the rollback target). Every case restores that state,
runs one command as a child (``python -m mlgate ...``) with one fault, then checks:

- the faulted command: the exit code DESIGN.md gives it, no traceback, and a message naming the file or folder
  (under the project) that could not be written; a fault that fires is never passed over in silence;
- ``registry list`` and ``registry history`` exit 0; every event from before is still there, in order; each
  version's status is its last status event (a status change and its event committed together, or neither);
- the pointer names an approved version and the server serves it; ``mlgate rollback`` then works (exit 0) and
  the server serves the version it names.

Faults (``tests/hostile/faultsite/sitecustomize.py``, a test-only hook the child loads at startup):

- ``tear``: half of a history line written, then SIGKILL (a process killed in the middle of a write);
- ``kill``: SIGKILL at a named write (``open``, ``write``, ``fsync``, ``rename``, ``mkdir`` of a file) and at
  seeded random points of the command's write sequence;
- ``enospc``: ``OSError(ENOSPC)`` at every write a full disk can fail (creating a file or folder, writing,
  fsync), named per command;
- ``fsize``: a real kernel limit, ``RLIMIT_FSIZE`` set in the child (``preexec_fn``), just below the size each
  written file reaches (writes then fail part way with EFBIG, as ``ulimit -f`` makes them).

A small tmpfs is not mounted (that needs root, which CI runners do not have): a full disk is emulated by the
ENOSPC hook at every write and by RLIMIT_FSIZE, which makes the kernel cut writes short.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fakes.serve import ServerHandle, running_server
from mlgate.cli import main
from mlgate.serve.state import read_pointer
from unit.training.project import write_project

pytestmark = pytest.mark.slow

FAULTSITE = Path(__file__).parent / "faultsite"
MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 4}}
shallow: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 2}}
strong: {estimator: sklearn.linear_model.LogisticRegression, params: {C: 0.3}}
"""
EXTRA = """\
artifacts: {trusted_types: [sklearn.tree._tree.Tree]}
registry: {path: state/registry, golden_rows: 3}
deploy: {state: state/serve, timeout_s: 60, smoke: {latency_p95_ms: 10000, requests: 5}}
"""
COMMANDS: dict[str, list[str]] = {
    "register": ["registry", "register", "results", "--model", "strong", "--by", "bob"],
    "approve": ["registry", "approve", "3", "--reason", "fine", "--by", "alice"],
    "reject": ["registry", "reject", "3", "--reason", "worse", "--by", "alice"],
    "deploy": ["deploy", "1", "--by", "carol"],
    "rollback": ["rollback", "--by", "carol"],
}
STATUS_EVENTS = {"registered": "pending", "approved": "approved", "rejected": "rejected", "pending": "pending"}


@dataclass
class World:
    project: Path
    snapshot: Path
    server: ServerHandle

    @property
    def registry_dir(self) -> Path:
        return self.project / "state" / "registry"

    @property
    def state(self) -> Path:
        return self.project / "state" / "serve"

    @property
    def config(self) -> str:
        return str(self.project / "mlgate.yaml")


@dataclass
class Child:
    code: int
    out: str
    err: str
    fired: list[str]

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(world: World, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*args, "--config", world.config])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    project = tmp_path_factory.mktemp("faults") / "p"
    config = str(write_project(project, models=MODELS, extra=EXTRA))
    run = [["train", "--out", str(project / "results")]]
    run += [
        ["registry", "register", str(project / "results"), "--model", m, "--by", "bob"]
        for m in ("logistic", "tree", "shallow")
    ]
    run += [["registry", "approve", v, "--reason", "good", "--by", "alice"] for v in ("1", "2")]
    for args in run:
        assert main([*args, "--config", config, "--format", "json"]) == 0, args
    with running_server(project / "state" / "serve") as server:
        for version in ("1", "2"):
            assert main(["deploy", version, "--by", "carol", "--config", config, "--format", "json"]) == 0
        snapshot = project.parent / "snapshot"
        shutil.copytree(project / "state" / "registry", snapshot / "registry")
        shutil.copy2(project / "state" / "serve" / "live.json", snapshot / "live.json")
        yield World(project, snapshot, server)


@pytest.fixture
def fresh(world: World) -> World:
    """The module's starting state again: versions 1-3, 2 live, 1 the rollback target."""
    reset(world)
    return world


def child_env(world: World, tmp: Path, at: str | None, root: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    site = [p for p in paths if Path(p, "sitecustomize.py").is_file()][:1]
    rest = [p for p in paths if p not in site]
    env["PYTHONPATH"] = os.pathsep.join([*site, str(FAULTSITE), *rest])
    env |= {
        "FAULT_ROOT": str(root or world.project / "state"),
        "FAULT_LOG": str(tmp / "events.log"),
        "FAULT_FIRED": str(tmp / "fired.log"),
        "MLGATE_LOG_DIR": str(tmp / "crash"),
    }
    if at is not None:
        env["FAULT_AT"] = at
    return env


def run_child(
    world: World,
    command: str,
    tmp: Path,
    *,
    at: str | None = None,
    fsize: int | None = None,
    args: list[str] | None = None,
    root: Path | None = None,
) -> Child:
    """Run ``mlgate COMMAND`` (or ``ARGS``) as a child with the fault ``at`` (see faultsite) or a file-size limit;
    write events count under ``root`` (default: the state folder)."""
    tmp.mkdir(parents=True, exist_ok=True)
    for name in ("events.log", "fired.log"):
        (tmp / name).unlink(missing_ok=True)
    limit: Callable[[], None] | None = None
    if fsize is not None:
        size = fsize

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    done = subprocess.run(
        [sys.executable, "-m", "mlgate", *(args or COMMANDS[command]), "--config", world.config],
        cwd=world.project,
        env=child_env(world, tmp, at, root),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
        check=False,
    )
    fired_log = tmp / "fired.log"
    fired = fired_log.read_text(encoding="utf-8").splitlines() if fired_log.exists() else []
    return Child(done.returncode, done.stdout, done.stderr, fired)


def events_of(world: World, command: str, tmp: Path) -> list[tuple[str, str]]:
    """The write events of a clean run of ``command`` (it must succeed), in order."""
    child = run_child(world, command, tmp)
    assert child.code == 0, child.text
    lines = (tmp / "events.log").read_text(encoding="utf-8").splitlines()
    return [(kind, name) for kind, _, name in (line.partition(" ") for line in lines)]


def history_keys(world: World) -> list[tuple[str, str | None, str]]:
    """The events of the (clean, before the fault) history: ``(event, version, at)``."""
    lines = (world.registry_dir / HISTORY).read_text(encoding="utf-8").splitlines()
    return [(e["event"], e["version"], e["at"]) for e in map(json.loads, lines)]


def check_recovered(
    world: World, capsys: pytest.CaptureFixture[str], before: list[tuple[str, str | None, str]]
) -> None:
    """The registry reads, nothing from before is lost, statuses match the history, rollback works."""
    code, out, err = cli(world, capsys, "registry", "list", "--format", "json")
    assert (code, "Traceback" in err) == (0, False), err
    listed = json.loads(out)
    code, out, err = cli(world, capsys, "registry", "history", "--format", "json")
    assert (code, "Traceback" in err) == (0, False), err
    events = json.loads(out)["events"]
    assert [(e["event"], e["version"], e["at"]) for e in events][: len(before)] == before
    status: dict[str, str] = {}
    for e in events:
        if e["event"] in STATUS_EVENTS:
            status[e["version"]] = STATUS_EVENTS[e["event"]]
    assert {v["version"]: v["status"] for v in listed["versions"]} == status
    pointer = read_pointer(world.state)
    assert pointer is not None
    assert status[pointer.version] == "approved"
    world.server.wait_for_version(pointer.version)
    code, out, err = cli(world, capsys, "rollback", "--by", "dave", "--format", "json")
    outcome = json.loads(out)
    assert (code, outcome["outcome"], "Traceback" in err) == (0, "deployed", False), out + err
    assert outcome["live"] != pointer.version
    assert status[outcome["live"]] == "approved"
    world.server.wait_for_version(outcome["live"])


def check_reported(world: World, child: Child, codes: set[int]) -> None:
    """The faulted command's exit code is one DESIGN.md allows here; it says what and where, no traceback."""
    assert child.code in codes, child.text
    assert "Traceback" not in child.text
    assert "internal error" not in child.err, child.err
    assert re.search(r"state/(registry|serve)/\S", child.text), child.text  # names the file or folder


LOCK, HISTORY, RECORD, POINTER = ".lock", "history.jsonl", ".version.json.*", ".live.json.*"
STAGING, MODEL, DEPLOY_LOCK = ".staging-*", "model.skops", ".deploy.lock"
HISTORY_WRITES = [("open", HISTORY), ("write", HISTORY), ("fsync", HISTORY)]
STATUS_WRITES = [("open", LOCK), *HISTORY_WRITES, ("open", RECORD), ("fsync", RECORD), ("rename", RECORD)]
KILL_POINTS: dict[str, list[tuple[str, str]]] = {
    "register": [
        ("open", LOCK),
        ("mkdir", STAGING),
        ("open", MODEL),
        ("fsync", MODEL),
        ("open", RECORD),
        ("fsync", RECORD),
        ("rename", RECORD),
        *HISTORY_WRITES,
        ("rename", STAGING),
    ],
    "approve": STATUS_WRITES,
    "reject": STATUS_WRITES,
    "deploy": [
        ("open", DEPLOY_LOCK),
        ("open", POINTER),
        ("fsync", POINTER),
        ("rename", POINTER),
        ("open", LOCK),
        *HISTORY_WRITES,
    ],
    "rollback": [("open", DEPLOY_LOCK), ("open", POINTER), ("fsync", POINTER), ("rename", POINTER), *HISTORY_WRITES],
}
# where a full disk fails: creating a file or folder, writing, fsync (not a rename, not opening an existing file;
# the deploy lock stands for its first creation)
FULL_POINTS: dict[str, list[tuple[str, str]]] = {
    "register": [
        ("mkdir", STAGING),
        ("open", MODEL),
        ("fsync", MODEL),
        ("open", RECORD),
        ("fsync", RECORD),
        ("write", HISTORY),
        ("fsync", HISTORY),
    ],
    "approve": [("write", HISTORY), ("fsync", HISTORY), ("open", RECORD), ("fsync", RECORD)],
    "reject": [("write", HISTORY), ("fsync", HISTORY), ("open", RECORD), ("fsync", RECORD)],
    "deploy": [("open", DEPLOY_LOCK), ("open", POINTER), ("fsync", POINTER), ("write", HISTORY), ("fsync", HISTORY)],
    "rollback": [("open", DEPLOY_LOCK), ("open", POINTER), ("fsync", POINTER), ("write", HISTORY), ("fsync", HISTORY)],
}
# RLIMIT_FSIZE targets: the limit is set just below the size the target reaches in a clean run
# (for the history, 29 bytes into the new line: the kernel cuts the append short)
SIZE_POINTS = [
    ("register", "model"),
    ("approve", "history"),
    ("approve", "record"),
    ("reject", "history"),
    ("reject", "record"),
    ("deploy", "pointer"),
    ("deploy", "history"),
    ("rollback", "pointer"),
    ("rollback", "history"),
]
TARGET_FILES = {"model": "model.skops", "history": "history.jsonl", "record": "version.json", "pointer": "live.json"}
SEEDS = [1601, 1602]


def expected_codes(command: str, target: str) -> set[int]:
    """Exit codes for a write that failed: 2 in the registry (nothing changed); a deploy whose pointer cannot be
    written changed nothing either (3, the local endpoint's state); one whose history cannot be appended is live
    and says so (0)."""
    if command in ("deploy", "rollback"):
        return {3} if target in (DEPLOY_LOCK, POINTER, "pointer") else {0}
    return {2}


_clean: dict[str, tuple[list[tuple[str, str]], dict[str, tuple[int, int]]]] = {}


def clean_run(world: World, command: str, tmp: Path) -> tuple[list[tuple[str, str]], dict[str, tuple[int, int]]]:
    """The write events of a clean run of ``command`` and the sizes (before, after) of the files it changed."""
    if command not in _clean:
        reset(world)
        files = lambda: {p: p.stat().st_size for p in (world.project / "state").rglob("*") if p.is_file()}  # noqa: E731
        before = files()
        events = events_of(world, command, tmp)
        sizes = {p.name: (before.get(p, 0), size) for p, size in files().items() if before.get(p) != size}
        _clean[command] = (events, sizes)
        reset(world)
    return _clean[command]


def reset(world: World) -> None:
    shutil.rmtree(world.registry_dir)
    shutil.copytree(world.snapshot / "registry", world.registry_dir)
    for leftover in world.state.glob(".live.json.*"):
        leftover.unlink()
    (world.state / "live.json").write_bytes((world.snapshot / "live.json").read_bytes())
    world.server.wait_for_version("2")


@pytest.mark.parametrize(
    ("command", "kind", "pattern"), [(c, k, p) for c, points in KILL_POINTS.items() for k, p in points]
)
def test_sigkill_at_each_write_loses_nothing(
    fresh: World, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, kind: str, pattern: str
) -> None:
    before = history_keys(fresh)
    child = run_child(fresh, command, tmp_path, at=f"kill:{kind}:{pattern}:1")
    assert len(child.fired) == 1, child.text
    assert child.fired[0].startswith(f"kill {kind} ")
    assert child.code == -signal.SIGKILL, child.text
    assert "Traceback" not in child.text
    check_recovered(fresh, capsys, before)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_sigkill_at_seeded_random_points_loses_nothing(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, seed: int
) -> None:
    events, _ = clean_run(world, command, tmp_path / "clean")
    point = random.Random(f"{seed}-{command}").randrange(1, len(events) + 1)
    reset(world)
    before = history_keys(world)
    child = run_child(world, command, tmp_path / "fault", at=f"kill:#:{point}")
    kind, _name = events[point - 1]
    assert len(child.fired) == 1, child.text
    assert child.fired[0].startswith(f"kill {kind} ")
    assert child.code == -signal.SIGKILL, child.text
    assert "Traceback" not in child.text
    check_recovered(world, capsys, before)


@pytest.mark.parametrize(
    ("command", "kind", "pattern"), [(c, k, p) for c, points in FULL_POINTS.items() for k, p in points]
)
def test_a_full_disk_at_each_write_is_reported_and_loses_nothing(
    fresh: World, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, kind: str, pattern: str
) -> None:
    before = history_keys(fresh)
    child = run_child(fresh, command, tmp_path, at=f"enospc:{kind}:{pattern}:1")
    assert len(child.fired) == 1, child.fired
    check_reported(fresh, child, expected_codes(command, pattern))
    assert "No space left on device" in child.text
    if child.code == 0:  # deployed, but its event could not be recorded: said, not swallowed
        assert (
            f"could not append to the registry history: cannot write the registry history {fresh.registry_dir / HISTORY}"
            in child.text
        )
    check_recovered(fresh, capsys, before)


@pytest.mark.parametrize(("command", "target"), SIZE_POINTS)
def test_a_file_size_limit_at_each_file_is_reported_and_loses_nothing(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, target: str
) -> None:
    _, sizes = clean_run(world, command, tmp_path / "clean")
    before_size, after_size = sizes[TARGET_FILES[target]]
    limit = before_size + 29 if target == "history" else after_size - 1
    reset(world)
    before = history_keys(world)
    history_bytes = (world.registry_dir / HISTORY).read_bytes()
    child = run_child(world, command, tmp_path / "fault", fsize=limit)
    check_reported(world, child, expected_codes(command, target))
    assert "File too large" in child.text
    if target == "history" and command in ("approve", "reject"):
        assert (world.registry_dir / HISTORY).read_bytes() == history_bytes  # the torn append was cut back
    check_recovered(world, capsys, before)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_kill_in_the_middle_of_a_history_write_is_dropped_with_a_warning(
    fresh: World, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    before = history_keys(fresh)
    child = run_child(fresh, command, tmp_path, at=f"tear:write:{HISTORY}:1")
    assert (child.code, child.fired) == (-signal.SIGKILL, [f"tear write {HISTORY}"]), child.text
    assert not (fresh.registry_dir / HISTORY).read_bytes().endswith(b"\n")  # the torn line is there
    code, _, err = cli(fresh, capsys, "registry", "history")
    assert code == 0, err
    assert re.search(rf"^mlgate: warning: .*{HISTORY}:\d+: dropped a torn last line \(\d+ bytes\)", err, re.M), err
    check_recovered(fresh, capsys, before)  # its rollback appends: the torn line is cut off first
    lines = (fresh.registry_dir / HISTORY).read_bytes().splitlines()
    assert all(json.loads(line)["event"] for line in lines)


OUT = "trained"
TRAIN_FAULTS = [
    "enospc:open:.model.skops.*:1",  # the first model file
    "enospc:fsync:.model.skops.*:2",  # the second one, after the first was written
    "enospc:open:.metrics.json.*:1",
    "enospc:fsync:.predictions.parquet.*:1",
    "enospc:open:.manifest.json.*:1",  # everything else is written by now
    "kill:fsync:.metrics.json.*:1",
    "kill:open:.manifest.json.*:1",
    f"kill:rename:{OUT}:1",  # the previous results moved aside, the new ones not yet in place
    f"kill:rename:.{OUT}.staging-*:1",
]


@pytest.mark.parametrize("at", [*TRAIN_FAULTS, "fsize"])
def test_a_results_folder_is_the_previous_one_or_none_after_a_fault(world: World, tmp_path: Path, at: str) -> None:
    out = world.project / OUT
    for earlier in [out, *world.project.glob(f".{OUT}.*")]:  # what earlier cases left
        if earlier.exists():
            shutil.rmtree(earlier)
    shutil.copytree(world.project / "results", out)
    previous = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    args = ["train", "--out", OUT, "--only", "tree", "--only", "strong"]
    if at == "fsize":  # the model files are the largest: the kernel cuts the first one short
        limit = min(len(data) for path, data in previous.items() if path.name == "model.skops") - 1
        child = run_child(world, "train", tmp_path, args=args, fsize=limit, root=world.project)
    else:
        child = run_child(world, "train", tmp_path, args=args, at=at, root=world.project)
        assert len(child.fired) == 1, child.text
    leftovers = sorted(p.name for p in world.project.glob(f".{OUT}.*"))
    if at.startswith("kill"):
        assert child.code == -signal.SIGKILL, child.text
        kept = out if out.exists() else next(world.project.glob(f".{OUT}.old-*"))  # "none": it is set aside whole
        assert {p.relative_to(kept): p.read_bytes() for p in kept.rglob("*") if p.is_file()} == previous
    else:
        assert child.code == 2, child.text
        assert "Traceback" not in child.text
        assert re.search(
            rf"^mlgate: error: cannot write the results folder \S*{OUT}: (No space left on device|File too large); it was left as it was",
            child.err,
            re.M,
        ), child.err
        assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == previous
        assert leftovers == []  # no half folder beside it either
