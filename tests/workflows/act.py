"""nektos/act in host mode, offline, on loopback: the command line and one run's record.

Every job runs on this machine (``-P ubuntu-latest=-self-hosted``), one at a time (``--concurrent-jobs 1``: the
jobs share one tool-cache Python and two cores). Actions come only from local folders (``--action-offline-mode``
and one ``--local-repository`` per pinned SHA); act's cache and artifact servers listen on 127.0.0.1 with
explicit folders and ports (their default address, 192.0.2.2, is not loopback), and act's start-up notice check
(a DNS query and an HTTPS request to api.nektosact.com) is off (``ACT_DISABLE_VERSION_CHECK``). What remains, seen
with ``strace -f -e trace=connect,sendto,write``: act computes its servers' default address by connecting a UDP
socket to 8.8.8.8:80, which sends nothing (a route lookup). act's exit code is recorded but is never a verdict: a
scenario asserts what the run produced.

act writes one line per finished step, ``[workflow/job] ✅  Success - Main NAME [1.234s]``; ``Run.steps`` reads
them back as (job, step, outcome, seconds) for the wall-time table in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACT = Path(sys.executable).with_name("act")
LOOPBACK = "127.0.0.1"
# What `act` may print as its servers' address: anything else means a server left loopback.
SERVER_LINE = re.compile(r"Start server on (https?://[^/\s]+)")
STEP_LINE = re.compile(
    r"^\[(?P<job>[^\]]+)\]\s+(?P<mark>✅|❌|⏭)\s+(?P<outcome>Success|Failure|Skipped)\s+-\s+(?:Main )?"
    r"(?P<step>.*?)(?:\s+\[(?P<took>[0-9.]+)(?P<unit>µs|ms|s|m)\])?\s*$"
)
# act asks https://api.nektosact.com/notices at start-up (a DNS query and an HTTPS request) unless this is set.
QUIET = {"ACT_DISABLE_VERSION_CHECK": "1"}
UNITS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
TIMEOUT_S = 600


@dataclass(frozen=True)
class Step:
    job: str
    step: str
    outcome: str
    seconds: float


@dataclass
class Run:
    """One act invocation: what it was, its log, its exit code (not a verdict) and its wall time."""

    name: str
    run_id: int
    log: Path
    exit_code: int
    seconds: float
    steps: list[Step] = field(default_factory=list)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 60) -> str:
        """The end of the log, for assertion messages."""
        return "\n".join(self.text().splitlines()[-lines:])

    def outcome(self, job_fragment: str, step_prefix: str) -> str:
        """The outcome of the one step whose name starts with ``step_prefix`` in the jobs matching the fragment."""
        found = {s.step: s.outcome for s in self.steps if job_fragment in s.job and s.step.startswith(step_prefix)}
        assert len(found) == 1, f"steps {sorted(found)} of '{job_fragment}' start with '{step_prefix}'"
        return next(iter(found.values()))

    def ran_job(self, job_fragment: str) -> bool:
        """Whether a job whose label contains ``job_fragment`` ran any step beyond 'Set up job'."""
        return any(job_fragment in s.job and s.step not in ("Set up job", "Complete job") for s in self.steps)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def parse_steps(text: str) -> list[Step]:
    steps = []
    for line in text.splitlines():
        found = STEP_LINE.match(line.strip())
        if found is None:
            continue
        took = float(found["took"]) * UNITS[found["unit"]] if found["took"] else 0.0
        steps.append(Step(found["job"], found["step"], found["outcome"], took))
    return steps


@dataclass
class Act:
    """The fixed part of every act run of one test module: folders, servers, actions and environment."""

    folder: Path
    actions: Mapping[str, Path]  # "owner/name@sha" -> folder
    env: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    actor: str = "octocat"
    runs: list[Run] = field(default_factory=list)
    _next_run_id: int = 100

    @property
    def artifacts(self) -> Path:
        return self.folder / "artifacts"

    @property
    def caches(self) -> Path:
        return self.folder / "caches"

    @property
    def action_cache(self) -> Path:
        return self.folder / "act-cache"

    @property
    def tool_cache(self) -> Path:
        """act's ``RUNNER_TOOL_CACHE`` in host mode."""
        return self.action_cache / "tool_cache"

    def command(self, event: str, event_path: Path, workflow: Path, run_id: int, extra: Sequence[str]) -> list[str]:
        argv = [
            str(ACT),
            event,
            "-W",
            str(workflow),
            "-e",
            str(event_path),
            "-P",
            "ubuntu-latest=-self-hosted",
            "-P",
            "self-hosted=-self-hosted",
            "--concurrent-jobs",
            "1",
            "--actor",
            self.actor,
            "--action-offline-mode",
            "--action-cache-path",
            str(self.action_cache),
            "--cache-server-addr",
            LOOPBACK,
            "--cache-server-port",
            str(free_port()),
            "--cache-server-path",
            str(self.caches),
            "--artifact-server-addr",
            LOOPBACK,
            "--artifact-server-port",
            str(free_port()),
            "--artifact-server-path",
            str(self.artifacts),
            "--env-file",
            os.devnull,
            "--secret-file",
            os.devnull,
            "--var-file",
            os.devnull,
            "--input-file",
            os.devnull,
        ]
        for repository, folder in self.actions.items():
            argv += ["--local-repository", f"{repository}={folder}"]
        for name, value in {**self.env, "GITHUB_RUN_ID": str(run_id)}.items():
            argv += ["--env", f"{name}={value}"]
        for name, value in self.secrets.items():
            argv += ["-s", f"{name}={value}"]
        for name, value in self.variables.items():
            argv += ["--var", f"{name}={value}"]
        return [*argv, *extra]

    def run(
        self,
        name: str,
        repo: Path,
        workflow: str,
        event: str,
        payload: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        variables: Mapping[str, str] | None = None,
        when: tuple[str, Callable[[], None]] | None = None,
    ) -> Run:
        """Run ``.github/workflows/<workflow>`` of ``repo`` for ``event``; the log goes to ``<folder>/<name>.log``.

        ``env`` and ``variables`` add to the module's for this run; ``when=(text, action)`` calls ``action`` once,
        as soon as act prints a line containing ``text`` (act goes on meanwhile: the next job is starting).
        """
        self._next_run_id += 1
        run_id = self._next_run_id
        event_path = self.folder / f"{name}.event.json"
        event_path.write_text(json.dumps(payload), encoding="utf-8")
        inputs = payload.get("inputs") if event == "workflow_dispatch" else None
        options = [item for key, value in dict(inputs or {}).items() for item in ("--input", f"{key}={value}")]
        options += [item for key, value in (env or {}).items() for item in ("--env", f"{key}={value}")]
        options += [item for key, value in (variables or {}).items() for item in ("--var", f"{key}={value}")]
        argv = self.command(event, event_path, repo / ".github" / "workflows" / workflow, run_id, options)
        log = self.folder / f"{name}.log"
        started = time.monotonic()
        pending = when
        with (
            log.open("w", encoding="utf-8") as out,
            subprocess.Popen(
                argv,
                cwd=repo,
                env={**os.environ, **QUIET},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            ) as process,
        ):
            assert process.stdout is not None
            watchdog = threading.Timer(TIMEOUT_S, process.kill)  # a hung act is killed, its log kept
            watchdog.start()
            for line in process.stdout:
                out.write(line)
                if pending is not None and pending[0] in line:
                    out.flush()
                    pending[1]()
                    pending = None
            code = process.wait()
            watchdog.cancel()
        record = Run(name, run_id, log, code, time.monotonic() - started)
        record.steps = parse_steps(record.text())
        self.runs.append(record)
        leaks = [url for url in SERVER_LINE.findall(record.text()) if f"//{LOOPBACK}:" not in url]
        assert not leaks, f"act served beyond loopback: {leaks}"
        return record
