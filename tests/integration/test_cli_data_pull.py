"""``mlgate data pull`` with the real ``dvc`` command: a local DVC remote, and an S3 remote on the moto server.

Each project is a git repository whose datasets ``dvc add`` tracked and ``dvc push`` sent to the remote; the
workspace copies and the DVC cache are then removed, as a fresh CI checkout has them.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from gitrepo import Repo
from mlgate.cli import main

pytestmark = pytest.mark.slow
CONFIG = "version: 1\ndata: {train: data/train.csv, test: data/test.csv, datasets: [data/notes.csv]}\n"
TRAIN = "id,x\n1,0.5\n2,0.7\n"
TEST = "id,x\n3,0.1\n"


def dvc(dvc_bin: Path, cwd: Path, *args: str) -> None:
    done = subprocess.run([str(dvc_bin), *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"dvc {' '.join(args)}: {done.stderr}"


@pytest.fixture
def on_path(dvc_bin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``dvc`` (only it) on PATH, as `pip install 'mlgate[dvc]'` leaves it."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "dvc").symlink_to(dvc_bin)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    return dvc_bin


def make_project(tmp_path: Path, dvc_bin: Path, *remote: str) -> Repo:
    """train.csv and test.csv tracked by DVC and pushed to ``remote`` (dvc remote add -d ARGS); notes.csv in git."""
    repo = Repo(tmp_path / "project")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.commit("project", {"mlgate.yaml": CONFIG, "data/notes.csv": "n\n1\n"})
    dvc(dvc_bin, repo.path, "init", "-q")
    (repo.path / "data" / "train.csv").write_text(TRAIN)
    (repo.path / "data" / "test.csv").write_text(TEST)
    dvc(dvc_bin, repo.path, "add", "-q", "data/train.csv", "data/test.csv")
    dvc(dvc_bin, repo.path, "remote", "add", "-d", *remote)
    return repo


def fresh_checkout(repo: Repo) -> None:
    """What a CI checkout has: the .dvc files, no data, no DVC cache."""
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "data under DVC")
    for name in ("train.csv", "test.csv"):
        (repo.path / "data" / name).unlink()
    shutil.rmtree(repo.path / ".dvc" / "cache")


@pytest.fixture
def local(tmp_path: Path, on_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo = make_project(tmp_path, on_path, "local", str(tmp_path / "remote"))
    dvc(on_path, repo.path, "push", "-q")
    fresh_checkout(repo)
    monkeypatch.chdir(repo.path)
    return repo


def test_pull_materialises_the_declared_datasets(local: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "pull"]) == 0
    assert (local.path / "data" / "train.csv").read_text() == TRAIN
    assert (local.path / "data" / "test.csv").read_text() == TEST
    out = capsys.readouterr().out
    assert "data/train.csv: md5 " in out
    assert "(data/train.csv.dvc)" in out
    assert "notes.csv" not in out  # in git, not DVC: left alone
    capsys.readouterr()
    assert main(["data", "pull"]) == 0  # again: nothing to fetch, still fine
    assert "dvc pull: " in capsys.readouterr().out


def test_data_missing_from_the_remote_is_unusable_input(
    local: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(tmp_path / "remote")
    assert main(["data", "pull"]) == 2
    err = capsys.readouterr().err
    assert "data/train.csv, data/test.csv: the data (md5 " in err
    assert f"is neither in the DVC cache nor on DVC remote 'local' ({tmp_path / 'remote'})" in err
    assert "hint: push it from the machine that made it: `dvc push`" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 2
    assert sorted(p.name for p in (local.path / "data").iterdir()) == [
        ".gitignore",
        "notes.csv",
        "test.csv.dvc",
        "train.csv.dvc",
    ]


def test_no_dvc_on_path_names_the_extra(local: Repo, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert shutil.which("dvc") is None
    assert main(["data", "pull"]) == 2
    err = capsys.readouterr().err
    assert "mlgate: error: the `dvc` command is not installed (no `dvc` on PATH)" in err
    assert "pip install 'mlgate[dvc]'" in err


def test_no_remote_says_how_to_add_one(local: Repo, on_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dvc(on_path, local.path, "remote", "remove", "local")
    assert main(["data", "pull"]) == 2
    err = capsys.readouterr().err
    assert "data/train.csv, data/test.csv: not in the DVC cache and no DVC remote is set" in err
    assert "dvc remote add -d NAME URL" in err


def test_nothing_tracked_is_nothing_to_pull(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "mlgate.yaml").write_text("version: 1\ndata: {train: train.csv}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no dvc needed when there is nothing to pull
    assert main(["data", "pull"]) == 0
    assert "nothing to pull" in capsys.readouterr().out


@pytest.fixture
def on_s3(tmp_path: Path, on_path: Path, s3_env, s3_bucket: str, moto_server: str, monkeypatch) -> Repo:
    """The datasets pushed to an S3 remote on the moto server (dvc-s3 reads the remote's endpointurl)."""
    repo = make_project(tmp_path, on_path, "store", f"s3://{s3_bucket}/dvc")
    dvc(on_path, repo.path, "remote", "modify", "store", "endpointurl", moto_server)
    dvc(on_path, repo.path, "push", "-q")
    fresh_checkout(repo)
    monkeypatch.chdir(repo.path)
    return repo


def test_pull_from_s3(on_s3: Repo, s3_env, s3_bucket: str) -> None:
    listed = s3_env.list_objects_v2(Bucket=s3_bucket, Prefix="dvc/files/md5/")
    assert listed["KeyCount"] == 2
    assert main(["data", "pull"]) == 0
    assert (on_s3.path / "data" / "train.csv").read_text() == TRAIN


def test_s3_without_credentials_is_a_clear_error(on_s3: Repo, s3_bucket: str, monkeypatch, capsys) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    assert main(["data", "pull"]) == 2
    err = capsys.readouterr().err
    assert f"data/train.csv, data/test.csv: DVC remote 'store' (s3://{s3_bucket}/dvc) has no usable credentials" in err
    assert "Unable to locate credentials" in err
    assert "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an OIDC role" in err
    assert len(err.strip().splitlines()) == 2
    assert not (on_s3.path / "data" / "train.csv").exists()


def test_an_unreachable_remote_is_a_service_failure(on_s3: Repo, on_path: Path, capsys) -> None:
    dvc(on_path, on_s3.path, "remote", "modify", "store", "endpointurl", "http://127.0.0.1:9")
    assert main(["data", "pull"]) == 3
    err = capsys.readouterr().err
    assert "DVC remote 'store'" in err
    assert "failed: failed to connect to s3" in err
    assert "Could not connect to the endpoint URL" in err
    assert not (on_s3.path / "data" / "train.csv").exists()


def credentials_script() -> str:
    """The run: script of the workflows' "Give DVC the remote's credentials" step (the same in every job)."""
    import yaml

    root = Path(__file__).resolve().parents[2] / ".github" / "workflows"
    scripts = {
        step["run"]
        for name in ("pr-check.yml", "main-results.yml", "register.yml", "retrain.yml")
        for job in yaml.safe_load((root / name).read_text(encoding="utf-8"))["jobs"].values()
        for step in job["steps"]
        if step.get("name", "").startswith("Give DVC the remote's credentials")
    }
    assert len(scripts) == 1
    return str(scripts.pop())


def test_the_workflows_secret_gives_dvc_a_remote_only_it_names(
    tmp_path: Path, on_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The step's script, run by bash in a checkout whose remote is defined only by the secret DVC_REMOTE_CONFIG."""
    repo = make_project(tmp_path, on_path, "local", str(tmp_path / "remote"))
    dvc(on_path, repo.path, "push", "-q")
    dvc(on_path, repo.path, "remote", "remove", "local")  # the committed config names no remote
    fresh_checkout(repo)
    script = credentials_script()
    secret = f"['remote \"vault\"']\n    url = {tmp_path / 'remote'}\n[core]\n    remote = vault"
    for value, expected in (("", "no DVC_REMOTE_CONFIG secret"), (secret, "")):
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            cwd=repo.path,
            env={**os.environ, "DVC_REMOTE_CONFIG": value},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert expected in done.stdout
    local_config = repo.path / ".dvc" / "config.local"
    assert stat.S_IMODE(local_config.stat().st_mode) == 0o600
    assert "vault" not in repo.git("status", "--porcelain", "--ignored=no")  # never committed by accident
    monkeypatch.chdir(repo.path)
    assert main(["data", "pull"]) == 0, capsys.readouterr().err
    assert (repo.path / "data" / "train.csv").read_text() == TRAIN
