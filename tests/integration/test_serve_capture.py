"""``mlgate serve`` with capture on, for real: a subprocess on a loopback port, files read back per the contract.

The model reads ``a`` and ``b`` and ignores ``email`` (a ColumnTransformer drops it), so ``email`` can be hashed
and ``b`` dropped from the captured inputs while predictions stay checkable.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from fakes.serve import running_server
from mlgate.artifacts import save_model
from mlgate.serve.state import LivePointer, write_pointer

FEATURES = ("a", "b", "email")
TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
NAME = re.compile(r"capture-\d{8}T\d{12}Z-\d+-\d{4}\.(jsonl|parquet)")


@pytest.fixture(scope="module")
def pointer(tmp_path_factory: pytest.TempPathFactory) -> LivePointer:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80), "email": ["u@x.org"] * 80})
    labels = (frame["a"] > frame["b"]).astype(int).to_numpy()
    model = Pipeline([("cols", ColumnTransformer([("num", "passthrough", ["a", "b"])])), ("lr", LogisticRegression())])
    saved = save_model(model.fit(frame, labels), tmp_path_factory.mktemp("model") / "model.skops")
    return LivePointer(
        version="1",
        model="lr",
        artifact=str(saved.path),
        sha256=saved.sha256,
        trusted_types=(),
        features=FEATURES,
        switched_at="2026-01-01T00:00:00+00:00",
    )


def project(tmp_path: Path, pointer: LivePointer, capture: dict[str, Any]) -> Path:
    (tmp_path / "mlgate.yaml").write_text(json.dumps({"capture": capture}), encoding="utf-8")  # JSON is YAML
    state = tmp_path / "state"
    state.mkdir()
    write_pointer(state, pointer)
    return state


def captured(folder: Path, suffix: str) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file() and path.name.endswith(suffix))


def test_served_requests_are_captured_with_their_request_ids(tmp_path: Path, pointer: LivePointer) -> None:
    state = project(
        tmp_path,
        pointer,
        {"enabled": True, "path": "cap", "drop": ["b"], "hash": ["email"], "salt_env": "CAPTURE_SALT"},
    )
    env = {**os.environ, "CAPTURE_SALT": "pepper"}
    sent: list[tuple[str, list[dict[str, Any]], list[Any]]] = []
    with running_server(state, env=env) as server, httpx.Client(base_url=server.url, trust_env=False) as http:
        server.wait_for_version("1")
        for number in range(12):
            rows = [{"a": number * 0.5, "b": 1.0 - number, "email": f"u{number}@x.org"}] * (1 + number % 3)
            headers = {"X-Request-Id": f"order-{number}"} if number % 2 else {}
            answer = http.post("/invocations", json={"instances": rows}, headers=headers)
            assert answer.status_code == 200, answer.text
            if number % 2:
                assert answer.headers["X-Request-Id"] == f"order-{number}"
            sent.append((answer.headers["X-Request-Id"], rows, answer.json()["predictions"]))
        refused = http.post("/invocations", json={"instances": [[1]]}, headers={"X-Request-Id": "bad request!"})
        assert refused.status_code == 400
        assert re.fullmatch(r"[0-9a-f]{32}", refused.headers["X-Request-Id"])
        total = sum(len(rows) for _, rows, _ in sent)
        status = server.wait_for_status(lambda doc: doc["capture"]["captured_rows"] == total, timeout=10)
        assert status["capture"]["dropped_rows"] == status["capture"]["write_errors"] == 0
        assert server.stop() == 0
    assert captured(tmp_path / "cap", ".partial") == []
    files = captured(tmp_path / "cap", ".jsonl")
    assert [bool(NAME.fullmatch(path.name)) for path in files] == [True]
    records = [json.loads(line) for line in files[0].read_text(encoding="utf-8").splitlines()]
    assert {record["ts"][:10] for record in records} == {files[0].parent.name}
    assert all(TS.fullmatch(record["ts"]) for record in records)
    expected = [
        {
            "schema_version": 1,
            "request_id": request_id,
            "row": index,
            "version": "1",
            "inputs": {
                "a": row["a"],
                "email": "sha256:" + hashlib.sha256(f'pepper\0"{row["email"]}"'.encode()).hexdigest(),
            },
            "prediction": prediction,
        }
        for request_id, rows, predictions in sent
        for index, (row, prediction) in enumerate(zip(rows, predictions, strict=True))
    ]
    assert [{key: value for key, value in record.items() if key != "ts"} for record in records] == expected
    assert f"capture: {total} rows captured, 0 dropped, 1 files written" in server.log()


def test_capture_flag_overrides_the_config_and_writes_parquet(tmp_path: Path, pointer: LivePointer) -> None:
    import pyarrow.parquet as pq

    state = project(tmp_path, pointer, {"enabled": False, "path": "cap", "format": "parquet"})
    with running_server(state, args=["--capture"]) as server:
        server.wait_for_version("1")
        body = b"0.5,0.25,a@x.org\n-1,2,b@x.org\n"
        answer = httpx.post(f"{server.url}/invocations", content=body, headers={"Content-Type": "text/csv"})
        assert answer.status_code == 200, answer.text
        assert server.stop() == 0
    files = captured(tmp_path / "cap", ".parquet")
    assert len(files) == 1
    rows = pq.read_table(files[0]).to_pylist()
    assert [(row["request_id"], row["row"], row["inputs"]) for row in rows] == [
        (answer.headers["X-Request-Id"], 0, {"a": 0.5, "b": 0.25, "email": "a@x.org"}),
        (answer.headers["X-Request-Id"], 1, {"a": -1.0, "b": 2.0, "email": "b@x.org"}),
    ]
    assert [row["prediction"] for row in rows] == answer.json()["predictions"]


def test_no_capture_overrides_an_enabled_config(tmp_path: Path) -> None:
    (tmp_path / "mlgate.yaml").write_text(json.dumps({"capture": {"enabled": True, "path": "cap"}}), encoding="utf-8")
    with running_server(tmp_path / "state", args=["--no-capture"]) as server:  # no model needed: /status answers
        assert server.status()["capture"] == {"enabled": False}
        ping = httpx.get(f"{server.url}/ping", headers={"X-Request-Id": "probe-1"})
        assert (ping.status_code, ping.headers["X-Request-Id"]) == (503, "probe-1")
        assert server.stop() == 0
    assert not (tmp_path / "cap").exists()
