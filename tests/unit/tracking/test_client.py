from __future__ import annotations

import pytest

from mlgate.tracking.client import run_url, shown_uri


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
