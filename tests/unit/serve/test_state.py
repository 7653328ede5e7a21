"""mlgate.serve.state: live.json parsing, the port file and server.json."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from mlgate.errors import InputError
from mlgate.serve.state import (
    LIVE_FILE,
    PORT_FILE,
    SERVER_FILE,
    LivePointer,
    ServerInfo,
    format_timing,
    read_pointer,
    read_port,
    read_server_info,
    read_timing,
    remove_server_files,
    write_pointer,
    write_server_files,
)

POINTER = LivePointer(
    version="3",
    model="logistic",
    artifact="/registry/versions/3/model.skops",
    sha256="ab" * 32,
    trusted_types=("sklearn.tree._tree.Tree",),
    features=("a", "b"),
    switched_at="2026-01-02T03:04:05+00:00",
)


def test_pointer_round_trips_through_the_contract_document(tmp_path: Path) -> None:
    write_pointer(tmp_path, POINTER)
    document = json.loads((tmp_path / LIVE_FILE).read_text(encoding="utf-8"))
    assert document == {
        "version": "3",
        "model": "logistic",
        "artifact": "/registry/versions/3/model.skops",
        "sha256": "ab" * 32,
        "trusted_types": ["sklearn.tree._tree.Tree"],
        "features": ["a", "b"],
        "switched_at": "2026-01-02T03:04:05+00:00",
    }
    assert read_pointer(tmp_path) == POINTER


def test_a_feature_schema_round_trips_and_its_absence_is_none(tmp_path: Path) -> None:
    typed = replace(POINTER, feature_schema={"fields": [{"name": "a", "type": "date"}], "missingValues": [""]})
    write_pointer(tmp_path, typed)
    assert (
        json.loads((tmp_path / LIVE_FILE).read_text(encoding="utf-8"))["feature_schema"]["fields"][0]["type"] == "date"
    )
    assert read_pointer(tmp_path) == typed
    assert not typed.same_model(POINTER)  # a pointer read another way loads anew
    write_pointer(tmp_path, POINTER)  # as an older mlgate wrote it: no key at all
    assert "feature_schema" not in json.loads((tmp_path / LIVE_FILE).read_text(encoding="utf-8"))
    assert read_pointer(tmp_path) == POINTER


def test_no_live_json_is_no_pointer(tmp_path: Path) -> None:
    assert read_pointer(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{", r"live\.json:1:2: not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"version": "1"}', "missing model, artifact, sha256, trusted_types, features, switched_at"),
        (json.dumps({**json.loads(POINTER.to_json()), "version": 3}), "'version' must be a non-empty string, not 3"),
        (json.dumps({**json.loads(POINTER.to_json()), "features": "a,b"}), "'features' must be a list of strings"),
        (json.dumps({**json.loads(POINTER.to_json()), "sha256": ""}), "'sha256' must be a non-empty string"),
        (
            json.dumps({**json.loads(POINTER.to_json()), "feature_schema": []}),
            "'feature_schema' must be an object or null",
        ),
    ],
)
def test_malformed_pointers_say_what_is_wrong(tmp_path: Path, text: str, match: str) -> None:
    (tmp_path / LIVE_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_pointer(tmp_path)


def test_same_model_ignores_only_the_switch_time() -> None:
    assert POINTER.same_model(replace(POINTER, switched_at="2027-01-01T00:00:00+00:00"))
    assert not POINTER.same_model(replace(POINTER, sha256="cd" * 32))
    assert not POINTER.same_model(replace(POINTER, trusted_types=()))
    assert not POINTER.same_model(replace(POINTER, version="4"))


def test_server_files_are_written_and_read_back(tmp_path: Path) -> None:
    info = ServerInfo(pid=1234, port=8181, host="127.0.0.1", started_at="2026-01-01T00:00:00+00:00")
    write_server_files(tmp_path, info)
    assert (tmp_path / PORT_FILE).read_text(encoding="utf-8") == "8181\n"
    assert json.loads((tmp_path / SERVER_FILE).read_text(encoding="utf-8"))["url"] == "http://127.0.0.1:8181"
    assert read_port(tmp_path) == 8181
    assert read_server_info(tmp_path) == info


def test_ipv6_hosts_are_bracketed_in_the_url() -> None:
    assert ServerInfo(pid=1, port=80, host="::1", started_at="x").url == "http://[::1]:80"


def test_missing_or_garbled_server_files_read_as_none(tmp_path: Path) -> None:
    assert read_port(tmp_path) is None
    assert read_server_info(tmp_path) is None
    (tmp_path / PORT_FILE).write_text("not a port", encoding="utf-8")
    (tmp_path / SERVER_FILE).write_text('{"pid": "x"}', encoding="utf-8")
    assert read_port(tmp_path) is None
    assert read_server_info(tmp_path) is None


def test_remove_server_files_leaves_another_process_files_alone(tmp_path: Path) -> None:
    write_server_files(tmp_path, ServerInfo(pid=1234, port=8181, host="127.0.0.1", started_at="t"))
    remove_server_files(tmp_path, pid=999)
    assert read_port(tmp_path) == 8181
    remove_server_files(tmp_path, pid=1234)
    assert not (tmp_path / PORT_FILE).exists()
    assert not (tmp_path / SERVER_FILE).exists()
    remove_server_files(tmp_path)  # nothing left: no error


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        (format_timing(0.0123), 12.3),
        ("predict;dur=4.5", 4.5),
        ('db;dur=9, predict;desc="model";dur=7', 7.0),
        ("predict", None),
        ("predict;dur=fast", None),
        ("predict;dur=-1", None),
        ("predict;dur=inf", None),
        ("total;dur=3", None),
        ("", None),
        (None, None),
    ],
)
def test_the_servers_own_time_is_read_from_server_timing(value: str | None, ms: float | None) -> None:
    assert read_timing(value) == (pytest.approx(ms) if ms is not None else None)
