"""The CLI contract: exit codes, one-line errors, no tracebacks, crash logs, --version, --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from mlgate import __version__
from mlgate.cli import main, report_exception
from mlgate.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "churn"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "validate" in out
    assert "schema" in out


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--max-examples", "x"]) == ExitCode.BAD_INPUT
    assert "Invalid value" in capsys.readouterr().err


def test_unknown_command_is_exit_2() -> None:
    assert main(["frobnicate"]) == ExitCode.BAD_INPUT


def test_bundled_example_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--config", str(EXAMPLE / "mlgate.yaml")]) == 0
    out = capsys.readouterr().out
    assert "train.csv — 600 rows, 9 fields: valid" in out


def test_json_output_matches_its_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    text = (EXAMPLE / "data" / "test.csv").read_text(encoding="utf-8").splitlines()
    text[3] = text[2]  # a duplicate customer
    text[5] = text[5].replace(",south,", ",mars,").replace(",north,", ",mars,").replace(",east,", ",mars,")
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    code = main(["validate", str(bad), "--schema", str(EXAMPLE / "schema.yaml"), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    schema = json.loads((ROOT / "docs" / "schemas" / "validate.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert code == 1
    assert data["valid"] is False
    checks = {(v["field"], v["check"]): v for v in data["files"][0]["violations"]}
    assert checks[("customer_id", "unique")]["rows"] == [4]
    assert checks[("customer_id", "unique")]["first_rows"] == [3]
    assert checks[("region", "enum")]["rows"] == [6]


def test_missing_dataset_is_one_clean_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["validate", str(tmp_path / "nope.csv"), "--schema", str(EXAMPLE / "schema.yaml")])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert err.startswith("mlgate: error: dataset not found:")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2


def test_no_schema_configured_says_what_to_do(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    code = main(["validate", str(data), "--config", str(tmp_path / "absent.yaml")])
    assert code == ExitCode.BAD_INPUT
    assert "config file not found" in capsys.readouterr().err


def test_internal_error_writes_a_crash_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLGATE_LOG_DIR", str(tmp_path))
    code = report_exception(ZeroDivisionError("boom"))
    err = capsys.readouterr().err
    assert code == ExitCode.INTERNAL
    assert "internal error (a bug): ZeroDivisionError: boom" in err
    logs = list(tmp_path.glob("mlgate-crash-*.log"))
    assert len(logs) == 1
    assert "ZeroDivisionError" in logs[0].read_text(encoding="utf-8")


def test_interrupt_is_130(capsys: pytest.CaptureFixture[str]) -> None:
    assert report_exception(KeyboardInterrupt()) == ExitCode.INTERRUPTED
    assert "interrupted" in capsys.readouterr().err


def test_debug_shows_traceback(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from mlgate.errors import DataError

    monkeypatch.setenv("MLGATE_DEBUG", "1")
    error = DataError("bad file")
    try:
        raise error
    except DataError:
        code = report_exception(error)
    assert code == ExitCode.BAD_INPUT
    assert "Traceback" in capsys.readouterr().err


def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mlgate", "validate", "--config", str(EXAMPLE / "mlgate.yaml"), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["rows"] == 800


@pytest.mark.parametrize("command", [["train"], ["check"], ["retrain", "--no-fetch"]])
def test_a_command_needing_a_project_says_where_it_looked_for_mlgate_yaml(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "not-a-project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mlgate: error: no mlgate.yaml in {folder} or any folder above it\n"
        "  hint: create a project with `mlgate new`, or name its config with --config FILE (or MLGATE_CONFIG)\n"
    )
    assert not (folder / ".mlgate").exists()  # nothing was started


def test_sigterm_stops_a_command_like_ctrl_c() -> None:
    """A cancelled Actions run (or ``timeout``) sends SIGTERM: mlgate says so and exits 130, its locks released."""
    busy = (
        "import time, mlgate.cli as c\n"
        "def block(**kwargs):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(120)\n"
        "c.cli.main = block\n"
        "c.run()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", busy], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        process.terminate()
        _, err = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED
    assert err == "mlgate: interrupted\n"
