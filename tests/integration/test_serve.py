"""``mlgate serve`` for real: a subprocess on a loopback port serving skops models named by live.json.

Two tiny pipelines are trained here with opposite labels, so every answer shows which model produced it;
the hot-swap test checks that the version header always matches the predictions, with zero failures.
"""

from __future__ import annotations

import fcntl
import json
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from fakes.serve import ServerHandle, running_server
from mlgate.artifacts import SavedModel, save_model
from mlgate.cli import main
from mlgate.serve.run import LocalServer, ServeOptions
from mlgate.serve.state import LOCK_FILE, PORT_FILE, SERVER_FILE, LivePointer, ServerInfo, write_pointer

FEATURES = ("a", "b", "c")
PICKY = "sklearn.feature_selection._univariate_selection.f_classif"  # a function reference: opt-in
ROW = {"a": 1.0, "b": 1.0, "c": "x"}  # model 1 says 1, model 2 says 0


def training_frame() -> tuple[pd.DataFrame, Any]:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=120),
            "b": rng.normal(size=120),
            "c": pd.Series(rng.choice(["x", "y", "z"], size=120), dtype=object),
        }
    )
    return frame, (frame["a"] + frame["b"] > 0).astype(int).to_numpy()


def pipeline(final: Any) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["a", "b"]),
            (
                "cat",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
                ["c"],
            ),
        ]
    )
    return Pipeline([("prep", columns), ("model", final)])


@dataclass
class Models:
    folder: Path
    fitted: dict[str, Any] = field(default_factory=dict)
    saved: dict[str, SavedModel] = field(default_factory=dict)

    def pointer(self, version: str, name: str, *, trusted: tuple[str, ...] = (), sha: str | None = None) -> LivePointer:
        saved = self.saved[name]
        return LivePointer(
            version=version,
            model=name,
            artifact=str(saved.path),
            sha256=sha or saved.sha256,
            trusted_types=trusted,
            features=FEATURES,
            switched_at="2026-01-01T00:00:00+00:00",
        )

    def expected(self, name: str, rows: pd.DataFrame) -> list[Any]:
        return list(self.fitted[name].predict(rows).tolist())


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Models:
    from sklearn.feature_selection import SelectKBest
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeClassifier

    frame, y = training_frame()
    found = Models(tmp_path_factory.mktemp("models"))
    for name, estimator, labels in [
        ("logistic", LogisticRegression(), y),
        ("flipped", LogisticRegression(), 1 - y),
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0), y),  # scikit-learn's own: trusted by default
        ("picky", make_pipeline(SelectKBest(k=2), LogisticRegression()), y),
    ]:
        found.fitted[name] = pipeline(estimator).fit(frame, labels)
        found.saved[name] = save_model(found.fitted[name], found.folder / f"{name}.skops")
    return found


@pytest.fixture(scope="module")
def served(models: Models, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """One server for the read-only tests, serving the logistic model as version 1."""
    state = tmp_path_factory.mktemp("served") / "state"
    state.mkdir()
    write_pointer(state, models.pointer("1", "logistic"))
    with running_server(state) as server:
        server.wait_for_version("1")
        yield server


def test_ping_reports_the_version_in_body_and_header(served: ServerHandle) -> None:
    response = httpx.get(f"{served.url}/ping")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "1"}
    assert response.headers["X-Mlgate-Version"] == "1"


def test_json_invocations_match_the_model(served: ServerHandle, models: Models) -> None:
    frame, _ = training_frame()
    rows = frame.iloc[:25]
    instances = [dict(zip(FEATURES, values, strict=True)) for values in rows.itertuples(index=False)]
    response = httpx.post(f"{served.url}/invocations", json={"instances": instances})
    assert response.status_code == 200, response.text
    assert response.json() == {"predictions": models.expected("logistic", rows), "version": "1"}
    as_lists = httpx.post(f"{served.url}/invocations", json={"instances": [list(i.values()) for i in instances]})
    assert as_lists.json() == response.json()


def test_csv_invocations_answer_in_csv_or_json(served: ServerHandle, models: Models) -> None:
    frame, _ = training_frame()
    rows = frame.iloc[:10]
    body = rows.to_csv(header=False, index=False).encode()
    response = httpx.post(
        f"{served.url}/invocations", content=body, headers={"Content-Type": "text/csv", "Accept": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["X-Mlgate-Version"] == "1"
    assert response.text.splitlines() == [str(p) for p in models.expected("logistic", rows)]
    as_json = httpx.post(f"{served.url}/invocations", content=body, headers={"Content-Type": "text/csv"})
    assert as_json.json()["predictions"] == models.expected("logistic", rows)


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [
        ({"json": {"instances": [{"a": 1, "b": 2}]}}, 400, "instances[0]: missing c"),
        ({"json": {"instances": [{"a": 1, "b": 2, "c": "x", "d": 0}]}}, 400, "instances[0]: unknown d"),
        ({"json": {"instances": [[1, 2]]}}, 400, "instances[0] has 2 values, expected 3"),
        ({"content": b"1,2\n", "headers": {"Content-Type": "text/csv"}}, 400, "CSV line 1: 2 values, expected 3"),
        ({"content": b'{"instances": [1,', "headers": {"Content-Type": "application/json"}}, 400, "invalid JSON"),
        ({"content": b"", "headers": {"Content-Type": "application/json"}}, 400, "empty request body"),
        ({"content": b"1,2,x", "headers": {"Content-Type": "text/plain"}}, 415, "unsupported media type"),
        ({"json": ROW, "headers": {"Accept": "text/html"}}, 406, "cannot answer in 'text/html'"),
        ({"json": {"instances": [{"a": "one", "b": 2, "c": "x"}]}}, 422, "version 1 cannot predict on this input"),
    ],
)
def test_bad_requests_get_4xx_with_a_message(
    served: ServerHandle, kwargs: dict[str, Any], status: int, error: str
) -> None:
    response = httpx.post(f"{served.url}/invocations", **kwargs)
    assert response.status_code == status
    assert error in response.json()["error"]
    assert response.headers["X-Mlgate-Version"] == "1"
    assert httpx.get(f"{served.url}/ping").status_code == 200  # still up


def test_wrong_method_and_path_are_json_errors(served: ServerHandle) -> None:
    assert httpx.get(f"{served.url}/invocations").json() == {"error": "Method Not Allowed"}
    missing = httpx.get(f"{served.url}/predict")
    assert (missing.status_code, missing.json()) == (404, {"error": "Not Found"})


def test_status_and_state_files(served: ServerHandle, models: Models) -> None:
    status = served.status()
    assert status["version"] == status["pointer_version"] == "1"
    assert status["loading_error"] is None
    assert status["sha256"] == models.saved["logistic"].sha256
    info = json.loads((served.state / SERVER_FILE).read_text(encoding="utf-8"))
    assert (info["pid"], info["port"], info["url"]) == (served.pid, served.port, served.url)
    assert (served.state / PORT_FILE).read_text(encoding="utf-8") == f"{served.port}\n"


@dataclass
class Load:
    """A steady stream of single-row requests from another thread, recording every outcome."""

    url: str
    results: list[tuple[int, str | None, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                try:
                    response = client.post(f"{self.url}/invocations", json={"instances": [ROW]})
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                    continue
                body: Any = response.json() if response.status_code == 200 else response.text
                prediction = body["predictions"][0] if response.status_code == 200 else body
                self.results.append((response.status_code, response.headers.get("X-Mlgate-Version"), prediction))

    def versions(self) -> list[str | None]:
        return [version for _, version, _ in self.results]

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.results) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.results) >= count, f"only {len(self.results)} requests answered; errors {self.errors[:3]}"


def test_hot_swap_under_load_fails_no_request(models: Models, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with running_server(state) as server:
        empty = httpx.get(f"{server.url}/ping")
        assert empty.status_code == 503
        assert "X-Mlgate-Version" not in empty.headers
        write_pointer(state, models.pointer("1", "logistic"))
        server.wait_for_version("1")
        load = Load(server.url)
        worker = threading.Thread(target=load.run)
        worker.start()
        try:
            load.wait_for(30)
            write_pointer(state, models.pointer("2", "flipped"))
            swapped_at = len(load.results)
            server.wait_for_version("2")
            load.wait_for(len(load.results) + 30)
        finally:
            load.stop.set()
            worker.join(10)
        assert load.errors == []
        assert [status for status, _, _ in load.results if status != 200] == []
        expected = {
            "1": models.expected("logistic", pd.DataFrame([ROW]))[0],
            "2": models.expected("flipped", pd.DataFrame([ROW]))[0],
        }
        assert expected["1"] != expected["2"]
        assert all(prediction == expected[str(version)] for _, version, prediction in load.results)
        versions = load.versions()
        first_new = versions.index("2")
        assert first_new >= swapped_at - 1
        assert set(versions[:first_new]) == {"1"}
        assert set(versions[first_new:]) == {"2"}
        assert server.stop() == 0
    assert not (state / PORT_FILE).exists()
    assert not (state / SERVER_FILE).exists()
    assert "Traceback" not in server.log()


@contextmanager
def in_process_server(state: Path) -> Iterator[tuple[LocalServer, ServerInfo]]:
    """The same server in a thread of this process (models load fast: sklearn is already imported)."""
    server = LocalServer(ServeOptions(state=state, port=0, poll_interval=0.05))
    ready: list[ServerInfo] = []
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(server.run(on_ready=ready.append)))
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not ready:
            assert thread.is_alive(), "the in-process server stopped before listening"
            assert time.monotonic() < deadline, "the in-process server did not start"
            time.sleep(0.02)
        yield server, ready[0]
    finally:
        server.request_stop()
        thread.join(20)
    assert result == [0]
    assert not (state / PORT_FILE).exists()
    assert not (state / SERVER_FILE).exists()


def wait_for_status(url: str, predicate: Any, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = httpx.get(f"{url}/status").json()
        if predicate(status) or time.monotonic() > deadline:
            return status
        time.sleep(0.02)


def test_a_model_that_cannot_load_keeps_the_old_one_serving(
    models: Models, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "state"
    write_pointer(state, models.pointer("1", "logistic"))
    with in_process_server(state) as (_, info):
        assert (state / PORT_FILE).read_text(encoding="utf-8") == f"{info.port}\n"
        assert wait_for_status(info.url, lambda s: s["version"] == "1")["version"] == "1"

        write_pointer(state, models.pointer("2", "flipped", sha="0" * 64))
        status = wait_for_status(info.url, lambda s: s["pointer_version"] == "2" and s["loading_error"])
        assert status["version"] == "1"
        assert status["loading_error"].startswith("version 2: tampered artifact")
        answer = httpx.post(f"{info.url}/invocations", json={"instances": [ROW]})
        assert (answer.status_code, answer.json()["version"]) == (200, "1")

        write_pointer(state, models.pointer("3", "picky"))
        status = wait_for_status(info.url, lambda s: s["pointer_version"] == "3" and s["loading_error"])
        assert f"types skops does not trust by default: {PICKY}" in status["loading_error"]
        assert httpx.get(f"{info.url}/ping").json()["version"] == "1"

        write_pointer(state, models.pointer("3", "picky", trusted=(PICKY,)))
        status = wait_for_status(info.url, lambda s: s["version"] == "3")
        assert (status["version"], status["loading_error"]) == ("3", None)

        write_pointer(state, models.pointer("4", "tree"))  # no trusted_types needed for scikit-learn's tree
        status = wait_for_status(info.url, lambda s: s["version"] == "4")
        assert (status["version"], status["loading_error"]) == ("4", None)

        write_pointer(state, models.pointer("1", "logistic"))  # a rollback loads the old model again
        assert wait_for_status(info.url, lambda s: s["version"] == "1")["version"] == "1"
    assert "version 2 not loaded, still serving version 1" in caplog.text


def test_sigint_stops_the_server_gracefully(tmp_path: Path) -> None:
    with running_server(tmp_path / "state") as server:
        assert httpx.get(f"{server.url}/ping").status_code == 503
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(20) == 0
    assert not (tmp_path / "state" / PORT_FILE).exists()
    assert "stopped by SIGINT" in server.log()
    assert "Traceback" not in server.log()


def test_a_busy_port_is_refused_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port), "--state", str(tmp_path / "state")]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert "--port 0 for a free one" in err


def test_a_second_server_on_the_same_state_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    state.mkdir()
    with (state / LOCK_FILE).open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert main(["serve", "--port", "0", "--state", str(state)]) == 2
    assert f"another `mlgate serve` already serves the state folder {state}" in capsys.readouterr().err


def test_the_state_folder_defaults_to_deploy_state_in_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mlgate.yaml").write_text("version: 1\ndeploy:\n  state: run/serve\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with socket.socket() as busy:  # stop right after the state folder is claimed
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["serve", "--port", str(busy.getsockname()[1])]) == 2
    assert (tmp_path / "run" / "serve" / LOCK_FILE).exists()
    assert "already in use" in capsys.readouterr().err


def test_serve_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--port", "--host", "--state", "--access-log"):
        assert option in out
