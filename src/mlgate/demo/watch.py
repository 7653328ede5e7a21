"""The demo's monitoring step: production traffic through the capturing endpoint, judged by ``mlgate monitor``.

The endpoint captures every answered row (``capture_settings``: on for the demo's endpoint only). The step
sends the project's test rows (clean), then the same rows with a few fields shifted (``traffic.CHURN_SHIFTS``),
waits until the capture writer has written every row (``GET /status``), and runs the monitor of ``mlgate
monitor`` on each stream's own window (``--since`` ending when that stream was written), so the two
judgements are independent: the clean window is healthy, the drifted one a breach naming the shifted fields.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlgate.demo.steps import Outcome
from mlgate.demo.traffic import CHURN_SHIFTS, Row, batches, drift_rows
from mlgate.errors import InputError, ServiceError

if TYPE_CHECKING:
    import datetime as dt

    from mlgate.config import Config
    from mlgate.demo.lifecycle import Demo
    from mlgate.demo.release import Serving
    from mlgate.monitor.model import MonitorResult
    from mlgate.serve.capture.settings import CaptureSettings

BATCH_ROWS = 50
FLUSH_TIMEOUT_S = 15.0
T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """One stream's judgement: how many rows were sent and what the monitor said about its window."""

    stream: str
    sent: int
    result: MonitorResult


def capture_settings(config: Config) -> CaptureSettings:
    """The project's ``capture`` section, switched on (the demo's endpoint only; mlgate.yaml is unchanged)."""
    from mlgate.serve.capture.settings import settings_from_config

    section = dataclasses.replace(config.capture, enabled=True)
    return settings_from_config(section, Path(config.capture.path).resolve(), {})


def watch_step(demo: Demo, serving: Serving) -> Outcome:
    """Send a clean and a drifted stream; the monitor judges each window."""
    from mlgate.report.monitor import headline

    config = serving.config
    rows = read_test_rows(config)
    if len(rows) < config.monitor.min_rows:
        raise InputError(f"the test data has {len(rows)} rows; the monitor needs at least {config.monitor.min_rows}")
    folder = capture_settings(config).folder
    demo.locations["capture"] = str(folder)
    clean = send_and_judge(demo, serving, "clean", rows, folder)
    demo.say("shifting " + "; ".join(s.describe() for s in CHURN_SHIFTS))
    drifted = send_and_judge(demo, serving, "drifted", drift_rows(rows, CHURN_SHIFTS), folder)
    shifted = sorted(s.field for s in CHURN_SHIFTS)
    found = find_drifted_fields(drifted.result)
    ok = clean.result.verdict == "healthy" and drifted.result.verdict == "breach" and sorted(found) == shifted
    summary = (
        f"{clean.sent} clean rows: {clean.result.verdict}; {drifted.sent} drifted rows: {drifted.result.verdict}, "
        f"drifted features: {', '.join(sorted(found)) or 'none'}"
    )
    detail = "\n".join([*(headline(w.result) for w in (clean, drifted)), *list_drift_lines(drifted.result)])
    facts = {
        "capture": str(folder),
        "shifted": shifted,
        "windows": [describe_window(w) for w in (clean, drifted)],
    }
    return Outcome(ok, summary, detail, facts, failed=drifted.result.verdict != "healthy")


def read_test_rows(config: Config) -> list[Row]:
    """The project's test data (else its training data) as JSON rows, encoded as for training (dates as days)."""
    from mlgate.registry.samples import json_value
    from mlgate.training.dataset import load_training_data

    data = load_training_data(config)
    frame = (data.test or data.train).X
    return [{str(name): json_value(value) for name, value in record.items()} for record in frame.to_dict("records")]


def send_and_judge(demo: Demo, serving: Serving, stream: str, rows: Sequence[Row], folder: Path) -> Window:
    """POST ``rows``, wait until they are captured, and judge exactly the window they were sent in."""
    from mlgate.monitor.run import MonitorRequest, run_monitor

    start = demo.now()
    expected = count_captured_rows(serving) + len(rows)
    for batch in batches(rows, BATCH_ROWS):
        response = serving.http.post(serving.endpoint.url + "/invocations", json={"instances": batch})
        if response.status_code != 200:
            raise ServiceError(f"the endpoint answered {response.status_code} to the {stream} stream: {response.text}")
    poll(
        lambda: count_captured_rows(serving),
        lambda seen: seen >= expected,
        what=f"the capture of {len(rows)} {stream} rows",
    )
    end = demo.now()
    since = measure_window(start, end)
    demo.say(f"{stream}: sent {len(rows)} rows; mlgate monitor --since {since} --capture {folder}")
    request = MonitorRequest(since=since, capture=str(folder))
    # the writer counts a batch's rows just before it flushes them: read again until the file holds them all
    result = poll(
        lambda: run_monitor(serving.config, serving.registry, request, now=end),
        lambda found: found.read.rows >= len(rows),
        what=f"the {stream} rows in {folder}",
    )
    return Window(stream, len(rows), result)


def count_captured_rows(serving: Serving) -> int:
    """How many rows the endpoint's capture writer has written (``GET /status``); queued rows are not counted."""
    document = serving.http.get(serving.endpoint.url + "/status").json()
    capture = document.get("capture") if isinstance(document, dict) else None
    if not isinstance(capture, dict) or not capture.get("enabled"):
        raise ServiceError("the demo's endpoint does not capture traffic (GET /status shows capture off)")
    if capture.get("error"):
        raise ServiceError(f"the endpoint's capture stopped: {capture['error']}")
    return int(capture.get("captured_rows") or 0)


def poll(
    get: Callable[[], T],
    done: Callable[[T], bool],
    *,
    what: str,
    failure: str = "the endpoint's capture writer did not write them",
    timeout: float = FLUSH_TIMEOUT_S,
    interval: float = 0.05,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``get`` until ``done`` accepts its value; a ServiceError naming ``what`` (and ``failure``) after ``timeout``
    seconds."""
    deadline = clock() + timeout
    while True:
        value = get()
        if done(value):
            return value
        if clock() >= deadline:
            raise ServiceError(f"waited {timeout:g} s for {what}: {failure}")
        sleep(interval)


def measure_window(start: dt.datetime, end: dt.datetime) -> str:
    """``end - start`` as a ``--since`` duration, rounded up to the millisecond so the window holds ``start``."""
    seconds = max((end - start).total_seconds(), 0.001)
    return f"{math.ceil(seconds * 1000) / 1000:.3f}s"


def find_drifted_fields(result: MonitorResult) -> list[str]:
    """The input fields the monitor found drifted."""
    return [r.field for r in result.feature_drift.drifted] if result.feature_drift is not None else []


def list_drift_lines(result: MonitorResult) -> list[str]:
    """One line per drifted feature: its shift in its own units, PSI and KS, and the test's adjusted p-value."""
    from mlgate.report.monitor_findings import describe_field

    if result.feature_drift is None:
        return []
    return [f"  {describe_field(r)}" for r in result.feature_drift.drifted]


def describe_window(window: Window) -> dict[str, Any]:
    result = window.result
    return {
        "stream": window.stream,
        "sent": window.sent,
        "verdict": result.verdict,
        "since": result.since,
        "window_start": result.window_start,
        "window_end": result.window_end,
        "rows": result.read.rows,
        "breaches": list(result.breaches),
        "drifted": [
            {"field": r.field, "kind": r.kind, "psi": r.psi, "ks": r.ks, "new_categories": list(r.new_categories)}
            for r in (result.feature_drift.drifted if result.feature_drift is not None else ())
        ],
    }
