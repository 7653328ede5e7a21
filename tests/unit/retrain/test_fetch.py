"""The fetch hook: a command (runner injected), an s3:// prefix (client injected), or nothing."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from mlgate.config import load_config
from mlgate.errors import ConfigError, DataError, InputError, ServiceError
from mlgate.retrain.command import CommandResult, Emit
from mlgate.retrain.fetch import fetch_data

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def project(folder: Path, fetch: str | None, *, test: bool = True) -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "train.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    if test:
        (folder / "data" / "test.csv").write_text("a,b\n3,4\n", encoding="utf-8")
    lines = ["data: {train: data/train.csv" + (", test: data/test.csv}" if test else "}")]
    if fetch is not None:
        lines.append(f"retrain: {{fetch: {fetch!r}, timeout_s: 12}}")
    path = folder / "mlgate.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class FakeRunner:
    """Records the call; writes ``writes`` into the project folder and ends as ``result``."""

    def __init__(self, result: CommandResult, writes: dict[str, str] | None = None, output: Sequence[str] = ()) -> None:
        self.result, self.writes, self.output = result, writes or {}, output
        self.calls: list[tuple[list[str], Path, float]] = []

    def __call__(self, argv: Sequence[str], cwd: Path, timeout_s: float, emit: Emit) -> CommandResult:
        self.calls.append((list(argv), cwd, timeout_s))
        for line in self.output:
            emit(line)
        for name, text in self.writes.items():
            (cwd / name).write_text(text, encoding="utf-8")
        return self.result


def test_the_command_is_split_run_in_the_project_folder_and_its_output_logged(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "python export.py --since '7 days'"), cwd=tmp_path)
    runner = FakeRunner(CommandResult(0), writes={"data/train.csv": "a,b\n5,6\n"}, output=["exported 1 row"])
    said: list[str] = []
    result = fetch_data(config, enabled=True, runner=runner, say=said.append)
    assert runner.calls == [(["python", "export.py", "--since", "7 days"], tmp_path, 12.0)]
    assert "fetch | exported 1 row" in said
    assert (result.kind, result.source) == ("command", "python export.py --since '7 days'")
    train = result.files[0]
    assert train.sha256 == hashlib.sha256(b"a,b\n5,6\n").hexdigest()
    assert (Path(train.path).name, train.bytes) == ("train.csv", 8)
    assert len(result.files) == 2


def test_a_fetch_that_leaves_the_test_file_stale_is_named(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "python export.py"), cwd=tmp_path)
    said: list[str] = []
    result = fetch_data(
        config,
        enabled=True,
        runner=FakeRunner(CommandResult(0), writes={"data/train.csv": "a,b\n5,6\n"}),
        say=said.append,
    )
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(
        "the fetch rewrote data.train (data/train.csv) but left data.test (data/test.csv) as it was (same SHA-256)"
    )
    assert f"warning: {result.warnings[0]}" in said


def test_a_fetch_that_writes_both_files_or_neither_has_no_warning(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "python export.py"), cwd=tmp_path)
    both = {"data/train.csv": "a,b\n5,6\n", "data/test.csv": "a,b\n7,8\n"}
    assert fetch_data(config, enabled=True, runner=FakeRunner(CommandResult(0), writes=both)).warnings == ()
    assert fetch_data(config, enabled=True, runner=FakeRunner(CommandResult(0))).warnings == ()  # nothing new
    only_test = {"data/test.csv": "a,b\n1,1\n"}
    assert fetch_data(config, enabled=True, runner=FakeRunner(CommandResult(0), writes=only_test)).warnings == ()


def test_a_fetch_that_creates_the_files_has_no_warning(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "python export.py"), cwd=tmp_path)
    (tmp_path / "data" / "train.csv").unlink()
    (tmp_path / "data" / "test.csv").unlink()
    both = {"data/train.csv": "a,b\n5,6\n", "data/test.csv": "a,b\n7,8\n"}
    assert fetch_data(config, enabled=True, runner=FakeRunner(CommandResult(0), writes=both)).warnings == ()


def test_an_s3_prefix_with_an_unchanged_test_object_is_named(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "s3://fresh-data/churn/"), cwd=tmp_path)
    s3 = FakeS3({"churn/train.csv": b"a,b\n7,8\n", "churn/test.csv": b"a,b\n3,4\n"})  # test.csv as it was
    result = fetch_data(config, enabled=True, s3=lambda: cast("S3Client", s3))
    assert "left data.test (data/test.csv) as it was" in result.warnings[0]


def test_a_failing_command_names_itself_and_its_last_stderr_lines(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "./export.sh"), cwd=tmp_path)
    runner = FakeRunner(CommandResult(1, ("connecting to db", "ERROR: relation churn does not exist")))
    with pytest.raises(
        InputError, match=r"`./export.sh` failed \(exit 1\): connecting to db; ERROR: relation churn"
    ) as info:
        fetch_data(config, enabled=True, runner=runner)
    assert info.value.hint is not None


def test_a_command_that_timed_out_names_the_limit(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "./export.sh"), cwd=tmp_path)
    with pytest.raises(InputError, match=r"did not finish within 12 s") as info:
        fetch_data(config, enabled=True, runner=FakeRunner(CommandResult(None, (), timed_out=True)))
    assert "retrain.timeout_s" in str(info.value.hint)


def test_a_command_that_wrote_nothing_is_an_error(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "./export.sh", test=False), cwd=tmp_path)
    (tmp_path / "data" / "train.csv").unlink()
    with pytest.raises(InputError, match=r"exited 0 but did not write .*train.csv"):
        fetch_data(config, enabled=True, runner=FakeRunner(CommandResult(0)))


def test_unbalanced_quotes_are_a_config_error(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "python 'export.py"), cwd=tmp_path)
    with pytest.raises(ConfigError, match="cannot be split into arguments"):
        fetch_data(config, enabled=True, runner=FakeRunner(CommandResult(0)))


def test_no_fetch_and_no_hook_use_the_data_in_place(tmp_path: Path) -> None:
    runner = FakeRunner(CommandResult(0))
    config = load_config(project(tmp_path, "./export.sh"), cwd=tmp_path)
    skipped = fetch_data(config, enabled=False, runner=runner)
    assert (skipped.kind, skipped.note, runner.calls) == ("none", "--no-fetch: the data in place is used", [])
    unset = fetch_data(load_config(project(tmp_path / "b", None), cwd=tmp_path / "b"), enabled=True, runner=runner)
    assert (unset.kind, unset.note, runner.calls) == ("none", "retrain.fetch is not set: data in place", [])


def test_missing_data_without_a_fetch_is_a_data_error(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, None), cwd=tmp_path)
    (tmp_path / "data" / "test.csv").unlink()
    with pytest.raises(DataError, match=r"cannot read data file .*test\.csv"):
        fetch_data(config, enabled=False)


class FakeS3:
    """``get_object`` over a dict of keys; a missing key raises NoSuchKey, ``failing`` keys AccessDenied."""

    def __init__(self, objects: dict[str, bytes], failing: tuple[str, ...] = ()) -> None:
        self.objects, self.failing = objects, failing
        self.asked: list[tuple[str, str]] = []

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        self.asked.append((Bucket, Key))
        if Key in self.failing:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "GetObject")
        if Key not in self.objects:
            raise ClientError({"Error": {"Code": "NoSuchKey", "Message": "missing"}}, "GetObject")
        return {"Body": io.BytesIO(self.objects[Key])}


def test_an_s3_prefix_is_copied_over_the_data_files(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "s3://fresh-data/churn/2026-11-22/"), cwd=tmp_path)
    s3 = FakeS3({"churn/2026-11-22/train.csv": b"a,b\n7,8\n", "churn/2026-11-22/test.csv": b"a,b\n9,9\n"})
    result = fetch_data(config, enabled=True, s3=lambda: cast("S3Client", s3))
    assert s3.asked == [("fresh-data", "churn/2026-11-22/train.csv"), ("fresh-data", "churn/2026-11-22/test.csv")]
    assert (tmp_path / "data" / "train.csv").read_bytes() == b"a,b\n7,8\n"
    assert (tmp_path / "data" / "test.csv").read_bytes() == b"a,b\n9,9\n"
    assert (result.kind, result.source) == ("s3", "s3://fresh-data/churn/2026-11-22/")
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["test.csv", "train.csv"]


def test_a_missing_object_changes_no_data_file(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "s3://fresh-data/churn"), cwd=tmp_path)
    s3 = FakeS3({"churn/train.csv": b"new\n"})
    with pytest.raises(InputError, match=r"s3://fresh-data/churn/test.csv does not exist \(NoSuchKey\)"):
        fetch_data(config, enabled=True, s3=lambda: cast("S3Client", s3))
    assert (tmp_path / "data" / "train.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"  # all or nothing
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["test.csv", "train.csv"]


def test_an_s3_failure_is_a_service_error(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, "s3://fresh-data/churn/"), cwd=tmp_path)
    with pytest.raises(ServiceError, match=r"AWS GetObject s3://fresh-data/churn/train\.csv failed: AccessDenied"):
        fetch_data(config, enabled=True, s3=lambda: cast("S3Client", FakeS3({}, failing=("churn/train.csv",))))


def test_remote_data_files_cannot_be_fetched_over(tmp_path: Path) -> None:
    path = project(tmp_path, "./export.sh")
    path.write_text("data: {train: 's3://b/train.csv'}\nretrain: {fetch: ./export.sh}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"retrain\.fetch replaces local data files"):
        fetch_data(load_config(path, cwd=tmp_path), enabled=True, runner=FakeRunner(CommandResult(0)))


def test_data_files_with_the_same_name_cannot_share_a_prefix(tmp_path: Path) -> None:
    path = project(tmp_path, "s3://fresh-data/churn/")
    path.write_text(
        "data: {train: a/data.csv, test: b/data.csv}\nretrain: {fetch: 's3://fresh-data/churn/'}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="have the same file name"):
        fetch_data(load_config(path, cwd=tmp_path), enabled=True, s3=lambda: cast("S3Client", FakeS3({})))


def test_remote_data_files_are_described_as_they_are_without_a_fetch(tmp_path: Path) -> None:
    path = project(tmp_path, "./export.sh")
    path.write_text("data: {train: 's3://b/train.csv'}\nretrain: {fetch: ./export.sh}\n", encoding="utf-8")
    result = fetch_data(load_config(path, cwd=tmp_path), enabled=False)
    assert [(f.path, f.bytes, f.sha256) for f in result.files] == [("s3://b/train.csv", None, None)]
