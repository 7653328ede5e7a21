"""docs/serve.md's startup loop, run as written: it must wait for this server, not a killed one's files."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "serve.md"


def startup_loop() -> str:
    """The bash block that follows "**From a script" in docs/serve.md."""
    text = DOCS.read_text(encoding="utf-8")
    after = text[text.index("**From a script") :]
    found = re.search(r"```bash\n(.*?)```", after, re.S)
    assert found is not None, "docs/serve.md lost its startup loop"
    return found.group(1)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_documented_loop_waits_for_this_server_not_the_files_a_killed_one_left(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    stale = closed_port()  # a server killed with SIGKILL left these behind
    (state / "port").write_text(f"{stale}\n", encoding="utf-8")
    info = {
        "pid": 999_999,
        "port": stale,
        "host": "127.0.0.1",
        "started_at": "2026-01-01T00:00:00+00:00",
        "url": f"http://127.0.0.1:{stale}",
    }
    (state / "server.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    stop_all = "trap 'kill $(jobs -p) 2>/dev/null' EXIT\n"  # whatever happens, no server outlives the test
    script = stop_all + startup_loop() + 'echo\necho "url=$url"\nkill "$pid"\nwait "$pid"\necho "exit=$?"\n'
    env = {**os.environ, "STATE": str(state), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '{"status":"unavailable","error":"no model is loaded: the state folder has no live.json yet' in done.stdout
    url = re.search(r"^url=(\S+)$", done.stdout, re.M)
    assert url is not None
    assert url.group(1) != f"http://127.0.0.1:{stale}"
    assert "exit=0" in done.stdout
    assert "Traceback" not in (tmp_path / "serve.log").read_text(encoding="utf-8")
