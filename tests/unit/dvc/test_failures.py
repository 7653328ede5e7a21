"""DVC's failure messages (as dvc 3 prints them) -> one mlgate error naming the datasets, the remote and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.dvc.failures import explain_failure
from mlgate.dvc.run import TIMED_OUT, DvcRun
from mlgate.dvc.settings import Remote
from mlgate.errors import ExitCode

S3 = Remote("store", "s3://bucket/dvc")
ROOT = Path("/work/project")
MISSING = """\
WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:
md5: e5ebd4c02cefbe7955977c67ada242b7
ERROR: failed to pull data from the cloud - Checkout failed for following targets:
data/train.csv
Is your cache up to date?
<https://error.dvc.org/missing-files>
"""
NO_CREDENTIALS = """\
ERROR: failed to connect to s3 (bucket/dvc/files/md5) - Unable to locate credentials
ERROR: failed to pull data from the cloud - 1 files failed to download
"""
UNREACHABLE = """\
ERROR: failed to connect to s3 (bucket/dvc/files/md5) - Could not connect to the endpoint URL: "http://127.0.0.1:9/bucket"
ERROR: failed to pull data from the cloud - 1 files failed to download
"""
NO_REMOTE = "No remote provided and no default remote set.\n" + MISSING.split("\n", 2)[2]
PLUGIN = "ERROR: unexpected error - s3 is supported, but requires 'dvc-s3' to be installed: No module named 'dvc_s3'\n"
CHECKOUT = "ERROR: Checkout failed for following targets:\ndata/train.csv\nIs your cache up to date?\n"


def explain(stderr: str, remote: Remote | None = S3, *, code: int = 1, verb: str = "pull") -> tuple[int, str, str]:
    error = explain_failure(DvcRun(code, "", stderr), datasets=["data/train.csv"], remote=remote, root=ROOT, verb=verb)
    return error.exit_code, error.message, error.hint or ""


def test_data_pushed_nowhere() -> None:
    code, message, hint = explain(MISSING)
    assert code == ExitCode.BAD_INPUT
    assert message == (
        "data/train.csv: the data (md5 e5ebd4c02cef) is neither in the DVC cache nor on DVC remote 'store' (s3://bucket/dvc)"
    )
    assert "`dvc push`" in hint


def test_no_credentials() -> None:
    code, message, hint = explain(NO_CREDENTIALS)
    assert code == ExitCode.BAD_INPUT
    assert message == (
        "data/train.csv: DVC remote 'store' (s3://bucket/dvc) has no usable credentials: "
        "failed to connect to s3 (bucket/dvc/files/md5) - Unable to locate credentials"
    )
    assert "OIDC role" in hint


def test_unreachable_remote_is_a_service_failure() -> None:
    code, message, _ = explain(UNREACHABLE)
    assert code == ExitCode.SERVICE_FAILED
    assert message.startswith("data/train.csv: DVC remote 'store' (s3://bucket/dvc) failed: failed to connect to s3")


def test_no_remote() -> None:
    code, message, hint = explain(NO_REMOTE, None)
    assert code == ExitCode.BAD_INPUT
    assert message == "data/train.csv: not in the DVC cache and no DVC remote is set (/work/project/.dvc/config)"
    assert "dvc remote add -d" in hint


def test_missing_plugin() -> None:
    code, message, hint = explain(PLUGIN)
    assert code == ExitCode.BAD_INPUT
    assert (
        message
        == "data/train.csv: DVC remote 'store' (s3://bucket/dvc) needs the DVC plugin dvc-s3, which is not installed"
    )
    assert hint.startswith("pip install dvc-s3")


def test_timeout() -> None:
    code, message, _ = explain("ERROR: timed out after 60s", code=TIMED_OUT)
    assert code == ExitCode.SERVICE_FAILED
    assert message == "data/train.csv: pulling from DVC remote 'store' (s3://bucket/dvc) timed out after 60s"


def test_checkout_without_the_cache_says_pull() -> None:
    code, message, hint = explain(CHECKOUT, verb="checkout")
    assert code == ExitCode.BAD_INPUT
    assert message == "data/train.csv: the data is not in the DVC cache (Checkout failed for following targets:)"
    assert "mlgate data pull" in hint


@pytest.mark.parametrize("stderr", ["", "ERROR: " + "x" * 400])
def test_anything_else_is_a_service_failure_with_dvcs_words(stderr: str) -> None:
    code, message, _ = explain(stderr, code=251)
    assert code == ExitCode.SERVICE_FAILED
    assert message.startswith("data/train.csv: dvc failed (exit 251): ")
    assert len(message) < 360
