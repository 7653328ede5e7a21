"""``mlgate deploy`` / ``mlgate rollback`` against the real local registry and a real ``mlgate serve``.

The models are trained and registered once per module (``mlgate train`` + ``mlgate registry register``);
each test works on a copy of that project with its own server. The failing version is real: a random
forest of 2,000 trees (about 0.25 s a row), approved, that breaches the latency SLO on the live endpoint while a
second thread keeps sending requests, none of which may fail.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from busy import busy_machine
from fakes.serve import ServerHandle, running_server
from mlgate.cli import main
from mlgate.registry import LocalRegistry
from mlgate.serve.state import read_pointer
from unit.training.project import write_project

MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 4}}
"""
FOREST = "forest: {estimator: sklearn.ensemble.RandomForestClassifier, params: {n_estimators: 2000, max_depth: 6, n_jobs: 1, random_state: 0}}"
EXTRA = """\
artifacts: {trusted_types: [sklearn.tree._tree.Tree]}
registry: {path: state/registry, golden_rows: 3}
deploy: {state: state/serve, timeout_s: 60, smoke: {latency_p95_ms: 150, requests: 20}}
"""


def mlgate(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``mlgate ARGS --config project/mlgate.yaml``: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main([*args, "--config", str(project / "mlgate.yaml")])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def deploy_json(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = mlgate(project, capsys, *args, "--by", "carol", "--format", "json")
    return code, json.loads(out), err


def build_project(folder: Path, models: str, names: list[str]) -> Path:
    """Train ``models`` and register ``names`` in that order (versions 1, 2, …), all pending."""
    config = str(write_project(folder, models=models, extra=EXTRA))
    assert main(["train", "--config", config, "--out", str(folder / "results"), "--format", "json"]) == 0
    for name in names:
        args = ["registry", "register", str(folder / "results"), "--model", name, "--by", "bob", "--format", "json"]
        assert main([*args, "--config", config]) == 0
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Versions 1 (logistic) and 2 (tree), pending; built once for the module."""
    return build_project(tmp_path_factory.mktemp("deploy-project"), MODELS, ["logistic", "tree"])


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built, tmp_path / "p")
    return tmp_path / "p"


@pytest.fixture
def server(project: Path) -> Iterator[ServerHandle]:
    with running_server(project / "state" / "serve") as handle:
        yield handle


def approve(project: Path, capsys: pytest.CaptureFixture[str], *versions: str) -> None:
    for version in versions:
        code, _, err = mlgate(
            project, capsys, "registry", "approve", version, "--reason", "looks good", "--by", "alice"
        )
        assert code == 0, err


def registry_of(project: Path) -> LocalRegistry:
    return LocalRegistry(project / "state" / "registry")


def github_outputs(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return {m[0]: m[2] for m in re.findall(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", text, flags=re.MULTILINE | re.DOTALL)}


def test_an_approved_version_is_deployed_and_served(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    approve(project, capsys, "1")
    outputs = project / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    summary = project / "summary.md"
    code, out, err = mlgate(project, capsys, "deploy", "--by", "carol", "--github-output", "--summary", str(summary))
    assert code == 0, out + err
    assert summary.read_text(encoding="utf-8").startswith(
        "### ✅ mlgate deploy: deployed: the endpoint serves version 1"
    )
    assert re.search(r"^▸ gate +version 1 is approved \(by alice, \d{4}-\d\d-\d\d: \"looks good\"\) +✓$", out, re.M)
    assert re.search(r"^ +golden: 3 golden rows reproduced \(tolerance 1e-06\) +✓$", out, re.M)
    assert re.search(r"^▸ result +deployed: the endpoint serves version 1 \(", out, re.M)
    assert server.wait_for_version("1")["version"] == "1"
    assert github_outputs(outputs) == {
        "outcome": "deployed",
        "version": "1",
        "live-version": "1",
        "previous-version": "",
        "switched": "true",
        "exit-code": "0",
    }
    event = registry_of(project).history()[-1]
    assert (event.event, event.version, event.by, event.detail["live"]) == ("deployed", "1", "carol", "1")


def test_a_pending_version_is_refused_and_the_pointer_is_untouched(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    approve(project, capsys, "1")
    assert deploy_json(project, capsys, "deploy", "1")[0] == 0
    before = (project / "state" / "serve" / "live.json").read_bytes()
    code, document, _ = deploy_json(project, capsys, "deploy", "2")
    assert (code, document["outcome"], document["live"]) == (1, "refused", "1")
    assert document["reason"].startswith("version 2 is pending, not approved")
    assert (project / "state" / "serve" / "live.json").read_bytes() == before
    assert server.wait_for_version("1")["version"] == "1"


def test_redeploying_the_live_version_is_a_no_op(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    approve(project, capsys, "1")
    assert deploy_json(project, capsys, "deploy", "1")[0] == 0
    events = len(registry_of(project).history())
    code, document, _ = deploy_json(project, capsys, "deploy", "1")
    assert (code, document["outcome"], document["live"]) == (0, "no-op", "1")
    assert len(registry_of(project).history()) == events


def test_a_tampered_artifact_is_refused_with_exit_2(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    approve(project, capsys, "1", "2")
    assert deploy_json(project, capsys, "deploy", "1")[0] == 0
    artifact = project / "state" / "registry" / "versions" / "2" / "model.skops"
    artifact.write_bytes(artifact.read_bytes() + b"\0")
    code, document, _ = deploy_json(project, capsys, "deploy", "2")
    assert (code, document["outcome"], document["live"]) == (2, "invalid", "1")
    assert document["reason"].startswith("tampered artifact")
    assert document["steps"][-1]["name"] == "artifact"
    pointer = read_pointer(project / "state" / "serve")
    assert pointer is not None
    assert pointer.version == "1"
    assert server.wait_for_version("1")["version"] == "1"


def test_manual_rollback_restores_the_previous_version_smoke_tested(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    approve(project, capsys, "1", "2")
    assert deploy_json(project, capsys, "deploy", "1")[0] == 0
    code, document, err = deploy_json(project, capsys, "deploy", "2")
    assert (code, document["previous"], document["live"]) == (0, "1", "2"), err
    code, document, err = deploy_json(project, capsys, "rollback", "--from", "1")
    assert (code, document["outcome"], document["live"]) == (0, "no-op", "2"), err
    code, document, err = deploy_json(project, capsys, "rollback")
    assert (code, document["action"], document["outcome"], document["live"]) == (0, "rollback", "deployed", "1"), err
    assert document["smoke"]["passed"]
    assert [c["name"] for c in document["smoke"]["checks"]] == ["ping", "golden", "schema", "latency"]
    assert server.wait_for_version("1")["version"] == "1"
    assert registry_of(project).history()[-1].event == "rolled-back"
    assert registry_of(project).get("2").status == "approved"  # a manual rollback rejects nothing


def test_a_failed_switch_back_needs_a_person(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    approve(project, capsys, "1", "2")
    assert deploy_json(project, capsys, "deploy", "1")[0] == 0
    (project / "state" / "registry" / "versions" / "1" / "model.skops").unlink()  # the recorded rollback target
    record = project / "state" / "registry" / "versions" / "2" / "version.json"
    document = json.loads(record.read_text(encoding="utf-8"))  # golden predictions version 2 cannot reproduce
    document["golden"] = [{**row, "prediction": f"not {row['prediction']}"} for row in document["golden"]]
    record.write_text(json.dumps(document), encoding="utf-8")
    code, document, _ = deploy_json(project, capsys, "deploy", "2")
    assert (code, document["outcome"], document["live"]) == (5, "needs-person", "2")
    assert re.search(r"could not return to version 1: .*versions/1/model\.skops", document["reason"])
    assert document["rejected"]
    assert server.wait_for_version("2")["version"] == "2"
    assert registry_of(project).get("2").status == "rejected"


def test_a_row_copied_from_the_data_file_is_served_as_training_read_it(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    """The test split's header and rows, verbatim (a date, booleans, text, the target too): 200, the model's answer."""
    approve(project, capsys, "1")
    assert deploy_json(project, capsys, "deploy", "1")[0] == 0
    pointer = read_pointer(project / "state" / "serve")
    assert pointer is not None
    assert pointer.feature_schema is not None
    assert [(f["name"], f["type"]) for f in pointer.feature_schema["fields"]][5] == ("day", "date")
    lines = (project / "data" / "test.csv").read_text(encoding="utf-8").splitlines()
    assert re.search(r",\d{4}-\d\d-\d\d,", lines[1])  # a date, as text
    expected = predict_test_rows(project, 3)
    answer = httpx.post(
        f"{server.url}/invocations",
        content="\n".join(lines[:4]).encode(),
        headers={"Content-Type": "text/csv"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"predictions": expected, "version": "1"}
    header = lines[0].split(",")
    record = {name: cell for name, cell in zip(header, lines[1].split(","), strict=True) if name != "label"}
    answer = httpx.post(f"{server.url}/invocations", json={"instances": [record]}, timeout=30)
    assert (answer.status_code, answer.json()["predictions"]) == (200, expected[:1]), answer.text
    answer = httpx.post(f"{server.url}/invocations", json={"instances": [{**record, "day": "2024-13-01"}]}, timeout=30)
    assert answer.status_code == 422
    assert answer.json()["error"] == "instances[0], feature 'day': '2024-13-01' is not a date"


def test_a_pointer_without_feature_schema_is_served_as_before_and_422_names_the_column(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    record = project / "state" / "registry" / "versions" / "1" / "version.json"
    document = json.loads(record.read_text(encoding="utf-8"))
    del document["feature_schema"]  # a version registered before mlgate recorded it
    record.write_text(json.dumps(document), encoding="utf-8")
    approve(project, capsys, "1")
    assert deploy_json(project, capsys, "deploy", "1")[0] == 0  # golden rows pass: they hold day numbers
    assert "feature_schema" not in json.loads((project / "state" / "serve" / "live.json").read_text(encoding="utf-8"))
    version = registry_of(project).get("1")
    golden = version.golden[0]
    answer = httpx.post(f"{server.url}/invocations", json={"instances": [golden.features]}, timeout=30)
    assert (answer.status_code, answer.json()["predictions"]) == (200, [golden.prediction])  # day numbers still work
    day = dt.date(1970, 1, 1) + dt.timedelta(days=int(golden.features["day"]))
    answer = httpx.post(
        f"{server.url}/invocations", json={"instances": [{**golden.features, "day": day.isoformat()}]}, timeout=30
    )
    assert answer.status_code == 422
    assert answer.json()["error"].startswith(
        f"version 1 cannot predict on this input: feature 'day' = '{day.isoformat()}': "
    )
    assert f"could not convert string to float: '{day.isoformat()}'" in answer.json()["error"]


def predict_test_rows(project: Path, count: int) -> list[Any]:
    """What version 1's model predicts for the first ``count`` rows of data.test as training read them."""
    from mlgate.artifacts import load_model
    from mlgate.config import load_config
    from mlgate.training.dataset import load_training_data

    data = load_training_data(load_config(project / "mlgate.yaml"))
    assert data.test is not None
    version = registry_of(project).get("1")
    model = load_model(Path(version.artifact), sha256=version.sha256, trusted=version.trusted_types)
    return list(model.predict(data.test.X.head(count)).tolist())


def test_no_running_server_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    approve(project, capsys, "1")
    monkeypatch.setenv("GITHUB_OUTPUT", str(project / "github_output"))
    code, _, err = mlgate(project, capsys, "deploy", "1", "--by", "carol", "--github-output")
    assert code == 3
    assert "mlgate: error: no local server for" in err
    assert not (project / "state" / "serve" / "live.json").exists()
    assert github_outputs(project / "github_output") == {
        "previous-version": "",
        "outcome": "error",
        "version": "1",
        "live-version": "",
        "exit-code": "3",
    }


def test_a_failed_redeploy_of_the_live_version_is_never_rolled_back(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """v1 then v2 deployed; `deploy 2` again while the endpoint is unreachable: it switched nothing, so what
    deploy.yml's rollback job would run (`rollback --from 2 --live-before 2`) leaves version 2 live and approved."""
    approve(project, capsys, "1", "2")
    with running_server(project / "state" / "serve"):
        assert deploy_json(project, capsys, "deploy", "1")[0] == 0
        assert deploy_json(project, capsys, "deploy", "2")[0] == 0
    outputs = project / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    code, _, err = mlgate(project, capsys, "deploy", "2", "--by", "carol", "--github-output")
    assert code == 3, err
    written = github_outputs(outputs)
    assert (written["previous-version"], written["outcome"], "switched" in written) == ("2", "error", False)
    events = len(registry_of(project).history())
    args = ("rollback", "--from", "2", "--live-before", written["previous-version"])
    code, document, err = deploy_json(project, capsys, *args)
    assert (code, document["outcome"], document["live"]) == (0, "no-op", "2"), err
    assert document["reason"] == "version 2 was already live before the deploy started: no switch of it to undo"
    pointer = read_pointer(project / "state" / "serve")
    assert pointer is not None
    assert pointer.version == "2"
    assert registry_of(project).get("2").status == "approved"
    assert len(registry_of(project).history()) == events


@dataclass
class Load:
    """A thread sending single-row requests one after another (steadily), recording every answer."""

    url: str
    row: dict[str, Any]
    versions: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stop.wait(0.02):  # a steady 50 requests/s at most
                try:
                    response = client.post(f"{self.url}/invocations", json={"instances": [self.row]})
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                    continue
                if response.status_code != 200:
                    self.failures.append(f"{response.status_code}: {response.text[:200]}")
                version = response.headers.get("X-Mlgate-Version", "none")
                self.versions[version] = self.versions.get(version, 0) + 1


@pytest.mark.slow
def test_a_slow_approved_version_is_rolled_back_under_load_with_no_failed_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLGATE_DEPLOY__SMOKE__REQUESTS", "10")  # each forest request takes ~0.25 s
    project = build_project(tmp_path / "p", MODELS + FOREST, ["logistic", "forest"])
    approve(project, capsys, "1", "2")
    with running_server(project / "state" / "serve") as server:
        assert deploy_json(project, capsys, "deploy", "1")[0] == 0
        load = Load(server.url, dict(registry_of(project).get("1").golden[0].features))
        thread = threading.Thread(target=load.run)
        thread.start()
        try:
            code, out, err = mlgate(project, capsys, "deploy", "2", "--by", "carol")
        finally:
            load.stop.set()
            thread.join(60)
        assert code == 1, out + err + server.log()
        latency = r"p95 [\d.]+ ms > 150 ms over 20 requests, and [\d.]+ ms in a second measurement"
        own = r"the endpoint's own time \(Server-Timing\): p95 [\d.]+ ms, version 1's [\d.]+ ms in the same window"
        assert re.search(rf"^ +latency: {latency}; {own} +✗$", out, re.M), out
        assert re.search(r"^▸ switch-back pointer → version 1 +✓$", out, re.M), out
        assert re.search(r"^▸ verify +ping: 200, version 1 +✓$", out, re.M), out
        assert "the endpoint serves version 1 again; version 2 marked rejected" in out
        assert load.failures == []
        assert load.versions.get("2", 0) > 0, load.versions  # the forest really served the load thread
        assert load.versions.get("1", 0) > 0, load.versions
        assert server.wait_for_version("1")["version"] == "1"
    rejected = registry_of(project).get("2")
    assert rejected.status == "rejected"
    assert "latency: p95" in rejected.history[-1].reason
    assert registry_of(project).history()[-1].detail["outcome"] == "rolled-back"


@pytest.mark.slow
def test_on_a_busy_machine_healthy_versions_deploy_and_a_slow_one_is_still_rolled_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two busy loops keep both cores loaded: warm-up, two measurements and the previous version timed in the
    same window keep the healthy deploys (first with nothing live, then over version 1) from a spurious
    rollback, while the 2,000-tree forest, many times slower than the version it replaces, is still caught."""
    project = build_project(tmp_path / "p", MODELS + FOREST, ["logistic", "tree", "forest"])
    approve(project, capsys, "1", "2", "3")
    with running_server(project / "state" / "serve") as server, busy_machine(seconds=300):
        for version in ("1", "2"):
            code, out, err = mlgate(project, capsys, "deploy", version, "--by", "carol")
            assert code == 0, out + err + server.log()
            assert re.search(r"^ +latency: p95 [\d.]+ ms .* over 20 requests", out, re.M), out
        assert "version 1's" in out  # the second deploy compared with the version it replaced (own times)
        code, out, err = mlgate(project, capsys, "deploy", "3", "--by", "carol")
        assert code == 1, out + err + server.log()
        own = r"the endpoint's own time \(Server-Timing\): p95 [\d.]+ ms, version 2's [\d.]+ ms in the same window"
        latency = r"latency: p95 [\d.]+ ms > 150 ms over 20 requests, and [\d.]+ ms in a second measurement"
        assert re.search(rf"{latency}; {own} +✗$", out, re.M), out
        assert server.wait_for_version("2")["version"] == "2"
    assert registry_of(project).get("3").status == "rejected"
    assert "Traceback" not in server.log()
