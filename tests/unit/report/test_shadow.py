"""The shadow status report and the start/stop line: what ran beside what, with intervals; traffic values inert."""

from __future__ import annotations

import dataclasses
import json

from mlgate.replay.compare import interval
from mlgate.replay.model import Flip, Segment
from mlgate.report import shadow as report
from mlgate.shadow.status import Latency, ShadowStatus
from schemas import schema_validator

HOSTILE = "@octocat #1 <img src=x> ```\x1b[2J\u202e"


def status(**changes: object) -> ShadowStatus:
    base = ShadowStatus(
        state="/srv/serve",
        version="2",
        running=True,
        fraction=0.1,
        live_versions=("1",),
        window_start="2026-12-07T09:30:00Z",
        rows=400,
        answered=398,
        failures=interval(2, 400, 0.05),
        errors=(HOSTILE,),
        disagreement=interval(40, 398, 0.05),
        segments=(Segment("plan", HOSTILE, interval(30, 60, 0.05)), Segment("plan", "basic", interval(10, 338, 0.05))),
        flips=(Flip(HOSTILE, True, False),),
        live_latency=Latency(400, 1.2, 2.5),
        shadow_latency=Latency(398, 3.1, 6.0),
        malformed=0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_text_says_which_version_shadows_and_how_it_differs() -> None:
    text = report.render_text(status())
    assert text.splitlines()[0] == (
        "version 2 (shadowing on 10% of requests): 400 row(s), disagreement 10.1% [7.7%, 12.9%] (40/398), "
        "failures 0.5% [0.1%, 1.6%] (2/400)"
    )
    assert "shadow 2          398        3.10        6.00" in text
    assert "\x1b" not in text


def test_every_format_is_inert_and_json_matches_its_schema() -> None:
    from inert import log_problems, markdown_problems, terminal_problems

    assert markdown_problems(report.render_markdown(status())) == []
    assert terminal_problems(report.render_text(status())) == []
    assert log_problems(report.render_github(status())) == []
    schema_validator("shadow.schema.json").validate(json.loads(report.render_json(status())))
    assert report.render_text(status(version=None, rows=0)).startswith("no shadow")
