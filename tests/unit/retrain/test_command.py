"""The fetch command runner: no shell, the working folder, output streamed, stderr's last lines, the timeout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlgate.errors import InputError
from mlgate.retrain.command import TAIL_LINES, run_command


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_output_is_streamed_and_stderr_tail_kept(tmp_path: Path) -> None:
    lines: list[str] = []
    code = "import sys, pathlib; print('out 1'); print(pathlib.Path.cwd().name); " + "".join(
        f"print('err {i}', file=sys.stderr); " for i in range(TAIL_LINES + 2)
    )
    done = run_command(python(code), tmp_path, 30, lines.append)
    assert (done.returncode, done.timed_out) == (0, False)
    assert "out 1" in lines
    assert tmp_path.name in lines  # run in the given folder
    assert {f"err {i}" for i in range(TAIL_LINES + 2)} <= set(lines)
    assert done.stderr_tail == tuple(f"err {i}" for i in range(2, TAIL_LINES + 2))


def test_a_failing_command_reports_its_exit_code(tmp_path: Path) -> None:
    done = run_command(python("import sys; print('no table churn', file=sys.stderr); sys.exit(3)"), tmp_path, 30, print)
    assert (done.returncode, done.stderr_tail) == (3, ("no table churn",))


def test_arguments_are_not_interpreted_by_a_shell(tmp_path: Path) -> None:
    lines: list[str] = []
    done = run_command([*python("import sys; print(sys.argv[1])"), "$HOME; echo hi"], tmp_path, 30, lines.append)
    assert done.returncode == 0
    assert lines == ["$HOME; echo hi"]


def test_a_command_over_its_timeout_is_stopped(tmp_path: Path) -> None:
    done = run_command(python("import time; print('started', flush=True); time.sleep(30)"), tmp_path, 0.5, print)
    assert done.timed_out
    assert done.returncode is None


def test_a_missing_program_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot run the fetch command 'no-such-export-tool'"):
        run_command(["no-such-export-tool", "--since", "1d"], tmp_path, 5, print)


def process_state(pid: int) -> str | None:
    """The state letter of ``/proc/<pid>/stat`` (``Z``: a zombie, dead but not yet reaped), None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads process states from /proc")
def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    # the fetch command (sh) starts a grandchild (sleep) that holds its stdout; both must die at the timeout
    script = "sleep 120 & echo $! > grandchild.pid; echo started; wait"
    done = run_command(["sh", "-c", script], tmp_path, 2, print)
    assert done.timed_out
    grandchild = int((tmp_path / "grandchild.pid").read_text())
    assert process_state(grandchild) in (None, "Z")
