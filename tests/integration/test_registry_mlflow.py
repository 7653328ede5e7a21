"""The ``mlflow`` registry backend end to end against a real ``mlflow server`` (SQLite store, local artifacts).

Checked through MLflow's own state (a separate ``MlflowClient``), never the code's own account of what it did.
Each test uses its own registered model, so the session's one server needs no clean-up between tests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from fakes.mlflow_server import MlflowServer
from fakes.serve import running_server
from mlgate.cli import main
from mlgate.config import load_config
from mlgate.errors import InputError
from mlgate.registry import open_registry
from mlgate.registry.mlflow_registry import MlflowRegistry
from schemas import schema_validator
from unit.training.project import write_project

MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}
"""
EXTRA = "artifacts: {trusted_types: [sklearn.tree._tree.Tree]}\n"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a results folder of two models (trained once for the module)."""
    folder = tmp_path_factory.mktemp("project")
    config = write_project(folder, models=MODELS, extra=EXTRA)
    assert main(["train", "--config", str(config), "--out", str(folder / "results"), "--format", "json"]) == 0
    return folder


@pytest.fixture
def model_name() -> str:
    return f"churn-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def project(
    trained: Path,
    tmp_path: Path,
    mlflow_server: MlflowServer,
    model_name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Path:
    """A copy of the trained project whose registry is a fresh registered model on the real server."""
    capsys.readouterr()
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    shutil.copytree(trained, tmp_path / "p")
    config = tmp_path / "p" / "mlgate.yaml"
    settings = (
        f"registry: {{backend: mlflow, mlflow: {{tracking_uri: '{mlflow_server.url}', model_name: {model_name}}}}}\n"
    )
    config.write_text(config.read_text(encoding="utf-8") + settings, "utf-8")
    return tmp_path / "p"


def run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["registry", *args, "--config", str(project / "mlgate.yaml"), "--format", "json"])
    captured = capsys.readouterr()
    document = json.loads(captured.out) if captured.out.strip() else None
    if document is not None:
        schema_validator("registry.schema.json").validate(document)
    return code, document, captured.err


def register(project: Path, capsys: pytest.CaptureFixture[str], model: str) -> str:
    code, doc, err = run(project, capsys, "register", str(project / "results"), "--model", model, "--by", "ci")
    assert code == 0, err
    return str(doc["version"]["version"])


def test_register_creates_a_model_version_with_its_facts_and_verified_files(
    project: Path, capsys: pytest.CaptureFixture[str], mlflow_server: MlflowServer, model_name: str, tmp_path: Path
) -> None:
    code, doc, err = run(project, capsys, "register", str(project / "results"), "--model", "logistic", "--by", "ci")
    assert code == 0, err
    assert (doc["version"]["version"], doc["version"]["status"]) == ("1", "pending")
    client = mlflow_server.client()
    found = client.get_model_version(model_name, "1")
    assert found.run_id is not None
    assert found.tags["mlgate.sha256"] == doc["version"]["sha256"]
    assert found.tags["mlgate.status"] == "pending"
    assert found.tags["mlgate.registered_by"] == "ci"
    model = client.download_artifacts(found.run_id, "mlgate/model.skops", str(tmp_path))
    assert hashlib.sha256(Path(model).read_bytes()).hexdigest() == doc["version"]["sha256"]
    record = client.download_artifacts(found.run_id, "mlgate/record.json", str(tmp_path))
    assert hashlib.sha256(Path(record).read_bytes()).hexdigest() == found.tags["mlgate.record_sha256"]
    assert client.get_run(found.run_id).info.status == "FINISHED"
    history = [k for k in client.get_registered_model(model_name).tags if k.startswith("mlgate.history.")]
    assert len(history) == 1
    code, again, _ = run(project, capsys, "register", str(project / "results"), "--model", "logistic", "--by", "ci")
    assert (code, again["action"]) == (0, "unchanged")
    assert len(client.search_model_versions(f"name='{model_name}'")) == 1


def test_approve_and_reject_record_who_why_and_move_the_challenger(
    project: Path, capsys: pytest.CaptureFixture[str], mlflow_server: MlflowServer, model_name: str
) -> None:
    register(project, capsys, "logistic")
    register(project, capsys, "tree")
    client = mlflow_server.client()
    code, doc, err = run(project, capsys, "approve", "1", "--by", "alice", "--reason", "beats the baseline")
    assert code == 0, err
    assert doc["version"]["status"] == "approved"
    assert client.get_registered_model(model_name).aliases == {"challenger": "1"}
    code, doc, err = run(project, capsys, "approve", "v2", "--by", "bob", "--reason", "better recall")
    assert code == 0, err
    assert client.get_registered_model(model_name).aliases == {"challenger": "2"}
    code, doc, err = run(project, capsys, "reject", "2", "--by", "carol", "--reason", "leaks the label")
    assert code == 0, err
    assert client.get_registered_model(model_name).aliases == {"challenger": "1"}
    tags = client.get_model_version(model_name, "2").tags
    assert (tags["mlgate.status"], tags["mlgate.status_by"], tags["mlgate.status_reason"]) == (
        "rejected",
        "carol",
        "leaks the label",
    )
    code, listed, _ = run(project, capsys, "list")
    assert [(v["version"], v["status"]) for v in listed["versions"]] == [("1", "approved"), ("2", "rejected")]
    code, history, _ = run(project, capsys, "history")
    assert [(e["event"], e["version"], e["by"]) for e in history["events"]] == [
        ("registered", "1", "ci"),
        ("registered", "2", "ci"),
        ("approved", "1", "alice"),
        ("approved", "2", "bob"),
        ("rejected", "2", "carol"),
    ]


def test_unknown_and_foreign_versions_are_refused_without_changes(
    project: Path, capsys: pytest.CaptureFixture[str], mlflow_server: MlflowServer, model_name: str
) -> None:
    register(project, capsys, "logistic")
    client = mlflow_server.client()
    client.create_model_version(model_name, "s3://elsewhere/hand-made/model", tags={"note": "made by hand"})
    code, _, err = run(project, capsys, "approve", "9", "--by", "alice", "--reason", "x")
    assert code == 2
    assert "has no version 9" in err
    assert "known versions: 1" in err
    code, _, err = run(project, capsys, "approve", "2", "--by", "alice", "--reason", "x")
    assert code == 2
    assert "version 2 of MLflow registered model" in err
    assert "was not registered by mlgate" in err
    assert "mlgate.status" not in client.get_model_version(model_name, "2").tags
    code, listed, _ = run(project, capsys, "list")
    assert [v["version"] for v in listed["versions"]] == ["1"]


def test_hand_set_alias_and_status_tag_are_seen_and_refused_at_deploy(
    project: Path, capsys: pytest.CaptureFixture[str], mlflow_server: MlflowServer, model_name: str
) -> None:
    register(project, capsys, "logistic")
    client = mlflow_server.client()
    client.set_registered_model_alias(model_name, "champion", "1")
    client.set_model_version_tag(model_name, "1", "mlgate.status", "approved")
    code, shown, _ = run(project, capsys, "show", "1")
    assert code == 0
    assert shown["status"] == "pending"
    assert shown["extra"]["outside_mlgate"] == ["tag mlgate.status='approved'", "alias 'champion'"]
    config = project / "mlgate.yaml"
    code = main(["deploy", "1", "--config", str(config), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    outcome = json.loads(captured.out)
    assert outcome["outcome"] == "refused"
    gate = outcome["steps"][0]
    assert gate["name"] == "gate"
    assert "tag mlgate.status='approved' and alias 'champion' set outside mlgate" in gate["detail"]
    assert "mlgate's history has no approval of it: it is pending" in gate["detail"]
    assert "mlgate registry approve 1 --reason WHY" in gate["hint"]


def test_download_verifies_the_digest(
    project: Path, capsys: pytest.CaptureFixture[str], mlflow_server: MlflowServer, model_name: str, tmp_path: Path
) -> None:
    register(project, capsys, "logistic")
    registry = open_registry(load_config(project / "mlgate.yaml"))
    assert isinstance(registry, MlflowRegistry)
    stored = registry.get("1")
    path = registry.artifact_path(stored)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256
    client = mlflow_server.client()
    run_id = client.get_model_version(model_name, "1").run_id
    forged = tmp_path / "model.skops"
    forged.write_bytes(b"evil")
    client.log_artifact(run_id, str(forged), "mlgate")
    with pytest.raises(InputError, match="tampered artifact") as caught:
        registry.artifact_path(stored)
    assert caught.value.exit_code == 2


def test_deploy_and_rollback_move_the_champion_and_verify_the_downloaded_model(
    project: Path, capsys: pytest.CaptureFixture[str], mlflow_server: MlflowServer, model_name: str
) -> None:
    config = project / "mlgate.yaml"
    state = "deploy: {state: state/serve, timeout_s: 60, smoke: {latency_p95_ms: 500, requests: 10}}\n"
    config.write_text(config.read_text(encoding="utf-8") + state, "utf-8")
    for model in ("logistic", "tree"):
        register(project, capsys, model)
    for number in ("1", "2"):
        assert run(project, capsys, "approve", number, "--by", "alice", "--reason", "good")[0] == 0
    client = mlflow_server.client()
    with running_server(project / "state" / "serve") as server:
        for number in ("1", "2"):
            code = main(["deploy", number, "--config", str(config), "--by", "carol", "--format", "json"])
            outcome = json.loads(capsys.readouterr().out)
            assert (code, outcome["outcome"], outcome["live"]) == (0, "deployed", number), outcome
            assert client.get_registered_model(model_name).aliases == {"champion": number, "challenger": "2"}
        code = main(["rollback", "--config", str(config), "--by", "carol", "--format", "json"])
        outcome = json.loads(capsys.readouterr().out)
        assert (code, outcome["action"], outcome["live"]) == (0, "rollback", "1"), outcome
        assert server.wait_for_version("1")["version"] == "1"
    assert client.get_registered_model(model_name).aliases == {"champion": "1", "challenger": "2"}
    code, history, _ = run(project, capsys, "history")
    assert [e["event"] for e in history["events"]][-3:] == ["deployed", "deployed", "rolled-back"]
    code, shown, _ = run(project, capsys, "show", "1")
    assert "outside_mlgate" not in shown["extra"]
    assert shown["extra"]["mlflow"]["aliases"] == ["champion"]


def test_an_unreachable_server_is_exit_3_and_registers_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], mlflow_server: MlflowServer, model_name: str
) -> None:
    config = project / "mlgate.yaml"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    config.write_text(config.read_text(encoding="utf-8").replace(mlflow_server.url, f"http://127.0.0.1:{closed}"))
    code, _, err = run(project, capsys, "register", str(project / "results"), "--model", "logistic", "--by", "ci")
    assert code == 3
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert lines[0] == (
        f"mlgate: error: MLflow at http://127.0.0.1:{closed}: cannot read the registered model: "
        "the server cannot be reached (connection refused, after retries)"
    )
    assert len(lines) <= 2
    assert "Traceback" not in err
    assert mlflow_server.client().search_registered_models(f"name='{model_name}'") == []


def test_without_the_mlflow_client_the_backend_names_the_extra(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    code, _, err = run(project, capsys, "list")
    assert code == 2
    assert "registry.backend mlflow needs the MLflow client, which is not installed" in err
    assert "pip install 'mlgate[mlflow]'" in err


def test_on_an_s3_artifact_root_the_files_land_in_s3_and_are_verified(
    trained: Path,
    tmp_path: Path,
    mlflow_server_s3: MlflowServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same backend on a server whose artifact root is a bucket on moto: what lands there is checked with boto3."""
    for name, value in mlflow_server_s3.environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    shutil.copytree(trained, tmp_path / "p")
    project, name = tmp_path / "p", f"churn-{uuid.uuid4().hex[:8]}"
    settings = (
        f"registry: {{backend: mlflow, mlflow: {{tracking_uri: '{mlflow_server_s3.url}', model_name: {name}}}}}\n"
    )
    (project / "mlgate.yaml").write_text((project / "mlgate.yaml").read_text(encoding="utf-8") + settings, "utf-8")
    capsys.readouterr()
    number = register(project, capsys, "logistic")
    found = mlflow_server_s3.client().get_model_version(name, number)
    bucket = str(mlflow_server_s3.bucket)
    assert found.source is not None
    assert found.source.startswith(f"s3://{mlflow_server_s3.bucket}/{mlflow_server_s3.prefix}/")
    bucket_key = found.source.removeprefix(f"s3://{mlflow_server_s3.bucket}/")
    stored = mlflow_server_s3.s3().get_object(Bucket=bucket, Key=f"{bucket_key}/model.skops")
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == found.tags["mlgate.sha256"]
    registry = open_registry(load_config(project / "mlgate.yaml"))
    version = registry.get(number)
    assert hashlib.sha256(registry.artifact_path(version).read_bytes()).hexdigest() == version.sha256
    mlflow_server_s3.s3().put_object(Bucket=bucket, Key=f"{bucket_key}/model.skops", Body=b"evil")
    with pytest.raises(InputError, match="tampered artifact"):
        registry.artifact_path(version)
