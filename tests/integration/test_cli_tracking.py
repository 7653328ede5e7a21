"""``tracking.mlflow``: ``mlgate train`` and ``check`` against a real ``mlflow server`` (SQLite store; a local
artifact root, and an S3 one on moto).

The runs are read back with MLflow's own client, their files on S3 with boto3. A server that is down, or one that refuses the credentials,
is a one-line warning on stderr and the command's usual exit code, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fakes.mlflow_server import MlflowServer, free_port
from gitrepo import Repo
from mlgate.cli import main
from schemas import schema_validator

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "churn"


def _project(tmp_path: Path, tracking: str) -> Path:
    """The churn data with two quick candidates and ``tracking`` appended to mlgate.yaml."""
    shutil.copytree(EXAMPLE / "data", tmp_path / "data")
    shutil.copy(EXAMPLE / "schema.yaml", tmp_path / "schema.yaml")
    path = tmp_path / "mlgate.yaml"
    path.write_text(
        "data: {schema: schema.yaml, train: data/train.csv, test: data/test.csv}\n"
        "task: classification\ntarget: churned\n"
        "models:\n"
        "  logistic: {estimator: sklearn.linear_model.LogisticRegression, params: {C: 0.5, max_iter: 200}}\n"
        "  tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}\n"
        "train: {latency_rows: 5, batch_rows: 50, seed_fits: 0}\n" + tracking,
        encoding="utf-8",
    )
    return path


def test_train_logs_one_run_per_candidate(
    tmp_path: Path, mlflow_server: MlflowServer, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = f"churn-{uuid.uuid4().hex[:8]}"
    config = _project(
        tmp_path, f"tracking: {{mlflow: {{tracking_uri: '{mlflow_server.url}', experiment: {experiment}}}}}\n"
    )
    out = tmp_path / "results"
    assert main(["train", "--config", str(config), "--out", str(out), "--format", "json"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)  # nothing of MLflow's on stdout
    assert f"logged 2 run(s) to MLflow at {mlflow_server.url}, experiment '{experiment}'" in captured.err
    client = mlflow_server.client()
    found = client.get_experiment_by_name(experiment)
    assert found is not None
    runs = {r.info.run_name: r for r in client.search_runs([found.experiment_id])}
    assert set(runs) == {"logistic", "tree"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name, run in runs.items():
        data = run.data
        assert run.info.status == "FINISHED"
        assert data.metrics["roc_auc"] == pytest.approx(document["models"][name]["metrics"]["roc_auc"])
        assert data.metrics["timing.fit_s"] >= 0
        assert data.params["estimator"] == document["models"][name]["estimator"]
        assert data.params["evaluation.kind"] == "holdout"
        assert data.params["evaluation.test_rows"] == "200"
        assert data.tags["mlgate.command"] == "train"
        assert data.tags["mlgate.model"] == name
        assert data.tags["mlgate.artifact_sha256"] == document["models"][name]["artifact"]["sha256"]
        assert data.tags["mlgate.data_sha256"] == manifest["evaluation"]["data_sha256"]
        assert all(f["sha256"] in data.tags["mlgate.data"] for f in manifest["data"])
        assert "mlgate.pr" not in data.tags  # not a pull request run
    assert runs["logistic"].data.params["model.C"] == "0.5"
    assert runs["tree"].data.params["model.max_depth"] == "3"
    stored_at = client.download_artifacts(runs["tree"].info.run_id, "mlgate/metrics.json", str(tmp_path))
    stored = json.loads(Path(stored_at).read_text(encoding="utf-8"))
    assert stored["models"] == {"tree": document["models"]["tree"]}
    schema_validator("metrics.schema.json").validate(document)
    schema_validator("manifest.schema.json").validate(manifest)
    for name, run in runs.items():  # the run ids, for tools: in train's JSON and in the manifest
        page = f"{mlflow_server.url}/#/experiments/{found.experiment_id}/runs/{run.info.run_id}"
        entry = {"run_id": run.info.run_id, "experiment_id": found.experiment_id, "url": page}
        assert document["mlflow_runs"][name] == entry | {"tracking_uri": mlflow_server.url}
        assert manifest["mlflow_runs"][name] == document["mlflow_runs"][name]


def test_each_runs_files_land_in_the_s3_artifact_root(
    tmp_path: Path, mlflow_server_s3: MlflowServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in mlflow_server_s3.environ.items():
        monkeypatch.setenv(name, value)
    experiment = f"s3-{uuid.uuid4().hex[:8]}"
    config = _project(
        tmp_path, f"tracking: {{mlflow: {{tracking_uri: '{mlflow_server_s3.url}', experiment: {experiment}}}}}\n"
    )
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "r"), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err.lower(), captured.err
    document = json.loads(captured.out)
    found = mlflow_server_s3.client().get_experiment_by_name(experiment)
    assert found is not None
    bucket = mlflow_server_s3.bucket
    assert bucket is not None
    s3 = mlflow_server_s3.s3()
    try:
        for run in mlflow_server_s3.client().search_runs([found.experiment_id]):
            folder = f"{mlflow_server_s3.prefix}/{found.experiment_id}/{run.info.run_id}/artifacts"
            assert run.info.artifact_uri == f"s3://{bucket}/{folder}"
            body = s3.get_object(Bucket=bucket, Key=f"{folder}/mlgate/metrics.json")["Body"].read()
            name = run.info.run_name
            assert json.loads(body)["models"] == {name: document["models"][name]}
    finally:
        s3.close()


def test_an_artifact_store_that_refuses_is_a_warning(
    tmp_path: Path,
    mlflow_server_s3: MlflowServer,
    refusing_server: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MLFLOW_S3_ENDPOINT_URL", refusing_server)  # S3 that answers 401 to everything
    experiment = f"s3-refused-{uuid.uuid4().hex[:8]}"
    config = _project(
        tmp_path, f"tracking: {{mlflow: {{tracking_uri: '{mlflow_server_s3.url}', experiment: {experiment}}}}}\n"
    )
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "r"), "--only", "tree"]) == 0
    err = capsys.readouterr().err
    (warning,) = [line for line in err.splitlines() if "MLflow tracking" in line]
    assert "was logged but its files could not be stored in its artifact store" in warning
    assert "0 of 1 run(s) logged" in warning
    assert "Traceback" not in err
    found = mlflow_server_s3.client().get_experiment_by_name(experiment)
    assert found is not None
    (run,) = mlflow_server_s3.client().search_runs([found.experiment_id])
    assert run.info.status == "FAILED"


def test_environment_names_the_server_and_the_pr(
    tmp_path: Path, mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = f"env-{uuid.uuid4().hex[:8]}"
    config = _project(
        tmp_path, f"tracking: {{mlflow: {{tracking_uri: 'http://127.0.0.1:9', experiment: {experiment}}}}}\n"
    )
    event = tmp_path / "event.json"
    sha = "a" * 40
    event.write_text(
        json.dumps({"number": 42, "pull_request": {"head": {"sha": sha}, "base": {"ref": "main", "sha": "b" * 40}}}),
        encoding="utf-8",
    )
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)  # wins over the file's (dead) address
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "r"), "--only", "tree"]) == 0
    assert "warning" not in capsys.readouterr().err.lower()
    client = mlflow_server.client()
    found = client.get_experiment_by_name(experiment)
    assert found is not None
    (run,) = client.search_runs([found.experiment_id])
    assert run.data.tags["mlgate.pr"] == "42"


def _repo_project(tmp_path: Path, tracking: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``_project`` committed in a git repository (the working folder), so that ``mlgate check`` has a merge-base."""
    repo = Repo(tmp_path / "project")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    config = _project(repo.path, tracking)
    (repo.path / ".gitignore").write_text(".mlgate/\n", encoding="utf-8")
    repo.git("add", "-A")
    repo.commit("project", {})
    monkeypatch.chdir(repo.path)
    return config


@pytest.mark.parametrize("command", ["train", "check"])
def test_a_server_that_is_down_is_a_warning(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # a closed loopback port
    config = _repo_project(tmp_path, f"tracking: {{mlflow: {{tracking_uri: '{dead}'}}}}\n", monkeypatch)
    only = ["--only", "tree"] if command == "train" else []
    assert main([command, "--config", str(config), "--out", str(tmp_path / "r"), *only]) == 0  # as untracked
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "MLflow tracking" in line]
    assert len(warnings) == 1, err
    assert f"MLflow tracking at {dead}: the MLflow server could not be used" in warnings[0]
    assert f"0 of {1 if command == 'train' else 2} run(s) logged" in warnings[0]
    assert "MLFLOW_TRACKING_URI" in warnings[0]
    assert "Traceback" not in err
    assert (tmp_path / "r" / ("metrics.json" if command == "train" else "report.json")).is_file()


class _Refusing(BaseHTTPRequestHandler):
    """An authenticating proxy in front of MLflow that refuses every request (wrong credentials)."""

    def _refuse(self) -> None:
        body = b"Unauthorized"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="mlflow"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def refusing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_refused_credentials_are_a_warning_naming_the_fix(
    tmp_path: Path, refusing_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _project(tmp_path, f"tracking: {{mlflow: {{tracking_uri: '{refusing_server}'}}}}\n")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "someone")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "wrong-password")
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "r"), "--only", "tree"]) == 0
    err = capsys.readouterr().err
    (warning,) = [line for line in err.splitlines() if "MLflow tracking" in line]
    assert f"MLflow tracking at {refusing_server}: the MLflow server refused the credentials" in warning
    assert "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD" in warning
    assert "wrong-password" not in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["train", "check"])
def test_without_the_client_the_command_warns_what_to_install_and_succeeds(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    config = _repo_project(tmp_path, "tracking: {mlflow: {tracking_uri: 'http://127.0.0.1:9'}}\n", monkeypatch)
    for name in [m for m in sys.modules if m == "mlflow" or m.startswith("mlflow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mlflow", None)  # what `import mlflow` sees when it is not installed
    only = ["--only", "tree"] if command == "train" else []
    assert main([command, "--config", str(config), "--out", str(tmp_path / "r"), *only]) == 0
    err = capsys.readouterr().err
    (warning,) = [line for line in err.splitlines() if "MLflow tracking" in line]
    assert "the MLflow client is not installed" in warning
    assert "(fix: pip install 'mlgate[mlflow]')" in warning
    assert "Traceback" not in err


def test_check_logs_the_comparison_and_the_comment_links_each_run(
    tmp_path: Path, mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = f"check-{uuid.uuid4().hex[:8]}"
    repo = Repo(tmp_path / "project")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    _project(repo.path, f"tracking: {{mlflow: {{experiment: {experiment}}}}}\n")
    (repo.path / ".gitignore").write_text(".mlgate/\n", encoding="utf-8")
    repo.git("add", "-A")
    head = repo.commit("project", {})
    monkeypatch.chdir(repo.path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    out = tmp_path / "check"
    code = main(["check", "--config", str(repo.path / "mlgate.yaml"), "--out", str(out), "--format", "markdown"])
    assert code == 0, capsys.readouterr()
    client = mlflow_server.client()
    found = client.get_experiment_by_name(experiment)
    assert found is not None
    runs = {r.info.run_name: r for r in client.search_runs([found.experiment_id])}
    assert set(runs) == {"logistic", "tree"}
    comment = (out / "comment.md").read_text(encoding="utf-8")
    for name, run in runs.items():
        assert run.data.tags["mlgate.command"] == "check"
        assert run.data.tags["mlgate.commit"] == head
        assert run.data.tags["mlgate.verdict"] == "pass"
        assert "roc_auc.diff" in run.data.metrics  # the comparison with the baseline (here: the merge-base itself)
        url = f"{mlflow_server.url}/#/experiments/{found.experiment_id}/runs/{run.info.run_id}"
        assert f"[{name}]({url})" in comment
        path = client.download_artifacts(run.info.run_id, "mlgate/comparison.json", str(tmp_path / name))
        comparison = json.loads(Path(path).read_text(encoding="utf-8"))
        assert comparison["verdict"] == "pass"
        assert {row["metric"] for row in comparison["rows"]} >= {"roc_auc"}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    schema_validator("check.schema.json").validate(report)
    assert {name: entry["run_id"] for name, entry in report["mlflow_runs"].items()} == {
        name: run.info.run_id for name, run in runs.items()
    }


def test_a_matrix_check_updates_the_legs_runs_instead_of_logging_twice(
    tmp_path: Path, mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = f"matrix-{uuid.uuid4().hex[:8]}"
    repo = Repo(tmp_path / "project")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    config = _project(repo.path, f"tracking: {{mlflow: {{experiment: {experiment}}}}}\n")
    (repo.path / ".gitignore").write_text(".mlgate/\n", encoding="utf-8")
    repo.git("add", "-A")
    repo.commit("project", {})
    monkeypatch.chdir(repo.path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    legs = tmp_path / "legs"
    for name in ("logistic", "tree"):  # one `mlgate train --only` per matrix leg
        assert main(["train", "--config", str(config), "--only", name, "--out", str(legs / name)]) == 0
    capsys.readouterr()
    leg_runs = {
        name: json.loads((legs / name / "manifest.json").read_text(encoding="utf-8"))["mlflow_runs"][name]["run_id"]
        for name in ("logistic", "tree")
    }
    out = tmp_path / "check"
    args = ["check", "--config", str(config), "--out", str(out), "--format", "json"]
    code = main([*args, "--candidate", str(legs / "logistic"), "--candidate", str(legs / "tree")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    client = mlflow_server.client()
    found = client.get_experiment_by_name(experiment)
    assert found is not None
    runs = {r.info.run_name: r for r in client.search_runs([found.experiment_id])}
    assert {name: run.info.run_id for name, run in runs.items()} == leg_runs  # one run per candidate, not two
    for run in runs.values():
        assert run.data.tags["mlgate.command"] == "check"
        assert run.data.tags["mlgate.verdict"] == "pass"
        assert "roc_auc.diff" in run.data.metrics
        assert run.data.params["estimator"]  # the leg's parameters stay
        assert [f.path for f in client.list_artifacts(run.info.run_id, "mlgate")] == [
            "mlgate/comparison.json",
            "mlgate/metrics.json",
        ]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {name: entry["run_id"] for name, entry in report["mlflow_runs"].items()} == leg_runs
