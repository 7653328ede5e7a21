"""``mlgate monitor``'s window end to end: ``--since`` as a duration or an ISO time, ``--until`` to check a past
window again, and a capture location that is a file where a folder is expected (local and S3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from mlgate.cli import main
from schemas import schema_validator
from unit.monitor.helpers import make_project, records, sample_inputs, write_jsonl

NOW = dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def monitor(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["monitor", "--config", str(config), "--format", "json", "--version", "1", *args])
    out, err = capsys.readouterr()
    document = json.loads(out) if out.strip() else {}
    if document:
        schema_validator("monitor.schema.json").validate(document)
    return code, document, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def capture(project: Path) -> Path:
    """A drifted stream three days ago (its own day folder) and a clean one in the last hour."""
    folder = project.parent / "capture"
    old = NOW - dt.timedelta(days=3)
    write_jsonl(folder, records(sample_inputs(200, seed=4, drift=["x2"]), start=old, prefix="old"), seq=1)
    write_jsonl(folder, records(sample_inputs(200, seed=5), start=NOW - dt.timedelta(hours=1), prefix="new"), seq=2)
    return folder


def test_until_checks_a_past_window_again(project: Path, capture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, err = monitor(capsys, project, "--capture", str(capture), "--since", "1d")
    assert (code, doc["capture"]["rows"], doc["until"]) == (0, 200, None), err
    assert doc["headline"] == "healthy: version 1, last 1d (200 captured rows)"

    start, end = NOW - dt.timedelta(days=4), NOW - dt.timedelta(days=2)
    code, doc, err = monitor(capsys, project, "--capture", str(capture), "--since", iso(start), "--until", iso(end))
    assert (code, doc["verdict"], doc["capture"]["rows"]) == (1, "breach", 200), err
    assert (doc["window"]["start"][:19], doc["window"]["end"][:19]) == (iso(start)[:19], iso(end)[:19])
    assert doc["capture"]["skipped_files"] == 1  # today's folder began after the window's end: not read
    assert doc["headline"].startswith(f"breach: version 1, {doc['window']['start']} → {doc['window']['end']} (200")

    code, doc, _ = monitor(capsys, project, "--capture", str(capture), "--since", "2d", "--until", "2d")  # 4d..2d ago
    assert (code, doc["capture"]["rows"], doc["until"]) == (1, 200, "2d")


def test_a_date_alone_is_midnight_utc(project: Path, capture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = (NOW - dt.timedelta(days=3)).date()
    code, doc, _ = monitor(
        capsys,
        project,
        "--capture",
        str(capture),
        "--since",
        day.isoformat(),
        "--until",
        (day + dt.timedelta(days=2)).isoformat(),
    )
    assert doc["window"]["start"] == f"{day.isoformat()}T00:00:00.000000Z"
    assert (code, doc["capture"]["rows"]) == (1, 200)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since: 'yesterday' is not a duration"),
        (["--until", "last-week"], "--until: 'last-week' is neither a duration nor an ISO 8601 time"),
        (
            ["--since", "2026-11-20T10:00:00Z", "--until", "2026-11-20"],
            "the window is empty: --since 2026-11-20T10:00:00Z is not before --until 2026-11-20",
        ),
        (
            ["--since", "1d", "--until", "2026-13-01"],
            "--until: '2026-13-01' is neither a duration nor an ISO 8601 time",
        ),
    ],
)
def test_bad_windows_are_unusable_input(
    project: Path, capture: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, doc, err = monitor(capsys, project, "--capture", str(capture), *args)
    assert (code, doc) == (2, {})
    assert message in err
    assert "Traceback" not in err


def test_a_capture_file_given_as_the_capture_folder_says_so(
    project: Path, capture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = next(capture.rglob("*.jsonl"))
    code, _, err = monitor(capsys, project, "--capture", str(file))
    assert code == 2
    assert f"capture location {file} is a file, not a folder" in err
    assert f"--capture {capture}" in err  # the hint names the folder above the day folder


def test_an_s3_object_given_as_the_capture_prefix_says_so(
    project: Path, capsys: pytest.CaptureFixture[str], s3_env: Any, s3_bucket: str
) -> None:
    s3_env.put_object(Bucket=s3_bucket, Key="capture/2026-11-22/capture-1.jsonl", Body=b"{}\n")
    uri = f"s3://{s3_bucket}/capture/2026-11-22/capture-1.jsonl"
    code, _, err = monitor(capsys, project, "--capture", uri)
    assert code == 2
    assert f"capture location {uri} is a file, not a folder" in err
    assert f"--capture s3://{s3_bucket}/capture/2026-11-22/" in err
