from __future__ import annotations

import pytest

from mlgate.mlflow_api import shown_uri
from mlgate.tracking.client import TrackedRun, read_runs, run_url, runs_data


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("https://mlflow.example.com", "https://mlflow.example.com"),
        ("https://user:secret@mlflow.example.com/base?token=x#y", "https://mlflow.example.com/base"),
        ("http://token@127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("databricks", "databricks"),
        ("file:///tmp/mlruns?x=1", "file:///tmp/mlruns"),
    ],
)
def test_shown_uri_drops_credentials_query_and_fragment(uri: str, shown: str) -> None:
    assert shown_uri(uri) == shown


def test_run_url_is_the_run_page_without_credentials() -> None:
    url = run_url("https://u:p@mlflow.example.com/base/", "7", "abc123")
    assert url == "https://mlflow.example.com/base/#/experiments/7/runs/abc123"


@pytest.mark.parametrize("uri", ["databricks", "file:///tmp/mlruns", "sqlite:///m.db", "https://h/a b"])
def test_run_url_is_none_without_a_safe_web_page(uri: str) -> None:
    assert run_url(uri, "1", "r") is None


def test_run_url_quotes_the_ids() -> None:
    assert run_url("http://127.0.0.1:5000", "1)", "r](x") == "http://127.0.0.1:5000/#/experiments/1%29/runs/r%5D%28x"


def test_runs_read_back_as_they_were_written() -> None:
    runs = {
        "a": TrackedRun("a", "1", "r1", "http://127.0.0.1:5000/#/experiments/1/runs/r1", "http://127.0.0.1:5000"),
        "b": TrackedRun("b", "1", "r2", None, "databricks"),
    }
    assert read_runs(runs_data(runs)) == runs
    assert runs_data({}) is None


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {"a": "r1"},
        {"a": {"run_id": "r1", "experiment_id": "1"}},  # no server: it could be any
        {"a": {"run_id": "", "experiment_id": "1", "tracking_uri": "databricks", "url": None}},
        {"a": {"run_id": 5, "experiment_id": "1", "tracking_uri": "databricks", "url": None}},
        {"a": {"run_id": "r1", "experiment_id": "1", "tracking_uri": "databricks", "url": 3}},
    ],
)
def test_an_entry_that_is_not_a_run_is_left_out(document: object) -> None:
    assert read_runs(document) == {}
