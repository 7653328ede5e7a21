"""``mlgate registry`` end to end: register, approve, reject, list, show, history; refusals; concurrent writers."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mlgate.cli import main
from mlgate.registry import LocalRegistry
from schemas import schema_validator
from unit.training.project import F_CLASSIF, PICKY, write_project

ROOT = Path(__file__).resolve().parents[2]
MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}
"""
EXTRA = "registry: {path: state/registry}\n"


def validate(document: dict[str, Any]) -> None:
    schema_validator("registry.schema.json").validate(document)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder with a results folder of two models (trained once for the module)."""
    folder = tmp_path_factory.mktemp("project")
    config = write_project(folder, models=MODELS, extra=EXTRA)
    assert main(["train", "--config", str(config), "--out", str(folder / "results"), "--format", "json"]) == 0
    return folder


@pytest.fixture
def project(trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A fresh copy of the trained project (its own empty registry)."""
    capsys.readouterr()
    shutil.copytree(trained, tmp_path / "p")
    return tmp_path / "p"


def run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    """Run ``mlgate registry ARGS --config ... --format json``: exit code, parsed stdout, stderr."""
    code = main(["registry", *args, "--config", str(project / "mlgate.yaml"), "--format", "json"])
    captured = capsys.readouterr()
    document = json.loads(captured.out) if captured.out.strip() else None
    if document is not None:
        validate(document)
    return code, document, captured.err


def test_register_approve_reject_and_read_back(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, doc, err = run(project, capsys, "register", "--best", str(project / "results"), "--by", "alice")
    assert code == 0, err
    assert (doc["action"], doc["version"]["version"], doc["version"]["status"]) == ("registered", "1", "pending")
    assert doc["version"]["registered_by"] == "alice"
    uncertainty = doc["version"]["uncertainty"]  # each metric's rows and standard error, for the monitor
    assert set(uncertainty) == {"accuracy", "f1_macro", "roc_auc"}
    assert all(item["n"] > 0 and 0 < item["se"] < 0.2 for item in uncertainty.values())
    assert (project / "state" / "registry" / "versions" / "1" / "model.skops").is_file()

    monkeypatch.setenv("GITHUB_ACTOR", "octocat")
    code, doc, _ = run(project, capsys, "approve", "v1", "--reason", "beats v0 on recall")
    assert (code, doc["action"], doc["version"]["status"]) == (0, "approved", "approved")
    assert doc["version"]["history"][-1] | {"at": "-"} == {
        "status": "approved",
        "by": "octocat",
        "reason": "beats v0 on recall",
        "at": "-",
    }
    code, doc, _ = run(project, capsys, "approve", "1", "--reason", "again", "--by", "carol")
    assert (code, doc["action"]) == (0, "unchanged")
    assert doc["note"].startswith("version 1 is already approved (by octocat at ")
    code, doc, _ = run(project, capsys, "reject", "1", "--reason", "p95 latency 310 ms > 250 ms", "--by", "ci")
    assert (code, doc["version"]["status"]) == (0, "rejected")

    code, shown, _ = run(project, capsys, "show", "1")
    assert code == 0
    assert [c["status"] for c in shown["history"]] == ["pending", "approved", "rejected"]
    assert len(shown["golden"]) == 5
    assert shown["reference_stats"]["rows"] == 120
    assert Path(shown["artifact"]).is_absolute()
    code, listed, _ = run(project, capsys, "list", "--status", "rejected")
    assert [v["version"] for v in listed["versions"]] == ["1"]
    code, history, _ = run(project, capsys, "history", "1")
    assert [(e["event"], e["by"]) for e in history["events"]] == [
        ("registered", "alice"),
        ("approved", "octocat"),
        ("rejected", "ci"),
    ]


def test_text_output_for_people(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = ["--config", str(project / "mlgate.yaml")]
    assert main(["registry", "register", "--model", "tree", str(project / "results"), "--by", "alice", *config]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("registered version 1: tree (sha256 ")
    assert "approve it with: mlgate registry approve 1 --reason TEXT" in captured.out
    assert "… verifying " in captured.err  # progress goes to stderr
    assert main(["registry", "list", *config]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:3] == ["1", "tree", "pending"]
    assert main(["registry", "show", "1", *config]) == 0
    assert "trusts      (the defaults only)" in capsys.readouterr().out  # scikit-learn's tree is trusted by default
    assert main(["registry", "history", *config]) == 0
    assert "registered" in capsys.readouterr().out


def test_the_same_artifact_is_registered_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = str(project / "results")
    assert run(project, capsys, "register", "--model", "tree", results, "--by", "a")[1]["action"] == "registered"
    code, doc, _ = run(project, capsys, "register", "--model", "tree", results, "--by", "b")
    assert (code, doc["action"], doc["version"]["version"]) == (0, "unchanged", "1")
    assert doc["note"] == "this artifact is already registered as version 1; nothing was added"
    assert run(project, capsys, "register", "--model", "logistic", results)[1]["version"]["version"] == "2"


def test_github_output_names_the_version(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    outputs = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    code, _, _ = run(project, capsys, "register", "--best", str(project / "results"), "--by", "a", "--github-output")
    assert code == 0
    assert read_outputs(outputs) == {"version": "1", "status": "pending", "created": "true"}


def read_outputs(path: Path) -> dict[str, str]:
    """Parse ``NAME<<DELIMITER`` blocks of a GITHUB_OUTPUT file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: dict[str, str] = {}
    while lines:
        name, delimiter = lines.pop(0).split("<<", 1)
        end = lines.index(delimiter)
        found[name], lines = "\n".join(lines[:end]), lines[end + 1 :]
    return found


def test_a_tampered_artifact_is_refused_with_exit_2_and_nothing_is_stored(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = project / "results" / "models" / "logistic" / "model.skops"
    model.write_bytes(model.read_bytes() + b"\0")
    code, doc, err = run(project, capsys, "register", "--model", "logistic", str(project / "results"))
    assert (code, doc) == (2, None)
    assert "mlgate: error: tampered artifact: " in err
    assert LocalRegistry(project / "state" / "registry").list() == []


def test_an_untrusted_artifact_is_refused_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_project(tmp_path, models=PICKY, extra=f"artifacts: {{trusted_types: [{F_CLASSIF}]}}\n{EXTRA}")
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "results")]) == 0
    capsys.readouterr()
    with monkeypatch.context() as env:
        env.setenv("MLGATE_ARTIFACTS__TRUSTED_TYPES", "[]")
        code, _, err = run(tmp_path, capsys, "register", "--model", "picky", str(tmp_path / "results"))
    assert code == 2
    assert f"holds types skops does not trust by default: {F_CLASSIF}" in err
    code, doc, _ = run(tmp_path, capsys, "register", "--model", "picky", str(tmp_path / "results"))
    assert (code, doc["version"]["trusted_types"]) == (0, [F_CLASSIF])  # recorded: a server must trust it too


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["approve", "7", "--reason", "ok"], "has no version 7"),
        (["reject", "7", "--reason", "no"], "has no version 7"),
        (["show", "7"], "has no version 7"),
        (["history", "7"], "has no version 7"),
        (["approve", "latest", "--reason", "ok"], "'latest' is not a version number"),
        (["approve", "1"], "Missing option '--reason'"),
        (["approve", "1", "--reason", " "], "a reason is required to mark version 1 approved"),
        (["register", str(Path("missing-results"))], "results: missing-results not found"),
    ],
)
def test_unusable_input_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(project, capsys, "register", "--model", "tree", str(project / "results"), "--by", "a")[0] == 0
    code, _, err = run(project, capsys, *args)
    assert code == 2
    assert message in err


WRITER = textwrap.dedent(
    """
    import hashlib, sys
    from pathlib import Path
    from mlgate.registry import HistoryEvent, LocalRegistry, ModelVersion

    root, worker, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    store = LocalRegistry(root, lock_timeout_s=60)
    for n in range(count):
        data = f"model {worker}-{n}".encode() * 1000
        path = root.parent / f"artifact-{worker}-{n}.skops"
        path.write_bytes(data)
        version = ModelVersion(
            version="", model=f"m{worker}", estimator="e", artifact=str(path), sha256=hashlib.sha256(data).hexdigest(),
            metrics={}, params={}, data_sha256=None, schema_sha256=None, commit=None,
            registered_by=f"w{worker}", registered_at="2026-11-20T09:00:00+00:00",
        )
        stored = store.register(version, path)
        store.set_status(stored.version, "approved" if n % 2 else "rejected", by=f"w{worker}", reason=f"n={n}")
        store.record(HistoryEvent(at="2026-11-20T09:00:00+00:00", event="deployed", version=stored.version,
                                  by=f"w{worker}"))
    """
)


def test_concurrent_writers_never_corrupt_the_registry(tmp_path: Path) -> None:
    root = tmp_path / "registry"
    workers, count = 6, 5
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(w), str(count)], stderr=subprocess.PIPE, text=True
        )
        for w in range(workers)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    store = LocalRegistry(root)
    versions = store.list()
    total = workers * count
    assert [v.version for v in versions] == [str(n) for n in range(1, total + 1)]  # none lost, none reused
    for v in versions:
        copy = store.artifact_path(v)
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == v.sha256
        assert [c.status for c in v.history] == ["pending", v.status]
    assert len({v.sha256 for v in versions}) == total
    events = store.history()
    assert len(events) == 3 * total
    assert sorted(e.event for e in events) == sorted(["registered", "deployed"] * total + [v.status for v in versions])
    for v in versions:
        mine = [e.event for e in store.history(v.version)]
        assert mine == ["registered", v.status, "deployed"]
    assert [p.name for p in (root / "versions").iterdir() if not p.name.isdigit()] == []


def test_concurrent_cli_approvals_all_land(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = str(project / "results")
    run(project, capsys, "register", "--model", "tree", results, "--by", "a")
    run(project, capsys, "register", "--model", "logistic", results, "--by", "a")
    config = str(project / "mlgate.yaml")
    commands = [
        ["approve", "1", "--reason", "r1", "--by", "p1"],
        ["reject", "2", "--reason", "r2", "--by", "p2"],
        ["approve", "2", "--reason", "r3", "--by", "p3"],
        ["reject", "1", "--reason", "r4", "--by", "p4"],
    ]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "mlgate", "registry", *c, "--config", config, "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in commands
    ]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        validate(json.loads(out))
    store = LocalRegistry(project / "state" / "registry")
    for v in store.list():
        changes = [(c.status, c.by) for c in v.history[1:]]
        events = [(e.event, e.by) for e in store.history(v.version)[1:]]
        assert changes == events  # the record and the log agree on every change
        assert v.status == changes[-1][0]
    assert len(store.history()) == 2 + len(commands)
    assert {e.by for e in store.history()[2:]} == {"p1", "p2", "p3", "p4"}
