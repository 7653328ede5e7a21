"""The replay report: the verdict first, every share with its interval, an honest chart, traffic values inert."""

from __future__ import annotations

import dataclasses
import json

from mlgate.replay.compare import interval
from mlgate.replay.model import Flip, Gate, ReplayResult, Segment
from mlgate.report.replay import render_github, render_json, render_markdown, render_text
from schemas import schema_validator

HOSTILE = "@octocat #1 <img src=x> ```\x1b[2J\u202e"


def result(**changes: object) -> ReplayResult:
    base = ReplayResult(
        version="2",
        live_version="1",
        window_start="2026-12-06T10:00:00Z",
        window_end="2026-12-07T10:00:00Z",
        location="capture",
        task="classification",
        rows=1000,
        replayed=1000,
        invalid=0,
        invalid_examples=(),
        disagreement=interval(100, 1000, 0.05),
        segments=(
            Segment("plan", HOSTILE, interval(80, 100, 0.05)),
            Segment("plan", "basic", interval(20, 900, 0.05)),
        ),
        flips=(Flip(HOSTILE, True, False),),
        mean_difference=None,
        seconds_per_1k=0.25,
        quality=None,
        gates=(Gate("disagreement", "≤ 5.00%", "10.00% (at most 11.6% at 95%)", False),),
        verdict="fail",
        reason="disagreement: 10.00% (at most 11.6% at 95%), required ≤ 5.00%",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_text_leads_with_the_verdict_and_keeps_traffic_inert() -> None:
    text = render_text(result())
    assert (
        text.splitlines()[0]
        == "✗ replay fail: version 2 vs live version 1 on 1,000 captured row(s): disagreement 10.0% [8.5%, 11.7%] (100/1,000)"
    )
    assert "\x1b" not in text
    assert "\u202e" not in text


def test_the_chart_draws_every_bar_on_one_scale_from_zero() -> None:
    text = render_text(result())
    bars = [line for line in text.splitlines() if "█" in line]
    assert len(bars) == 2
    long, short = (line.count("█") for line in bars)
    assert long > 5 * short  # 80 % against 2.2 %: the bars keep the ratio (one scale, no clipped axis)
    assert "| marks the overall share" in text


def test_markdown_neutralises_mentions_references_html_and_fences() -> None:
    markdown = render_markdown(result())
    before, chart, after = markdown.split("```")  # a value cannot close the chart fence: exactly one block
    outside = before + after
    assert "@octocat" not in outside  # a mention outside a code block would notify
    assert "<img" not in outside
    assert "\x1b" not in markdown
    assert "\u202e" not in markdown
    assert "plan = @octocat #1 <img src=x> " in chart  # inside the fence it is shown as it is, inert


def test_github_annotates_a_failure_and_json_matches_its_schema() -> None:
    annotated = render_github(result())
    assert annotated.startswith("::error title=mlgate replay::replay fail: version 2")
    assert "\n" not in annotated.splitlines()[0]
    schema_validator("replay.schema.json").validate(json.loads(render_json(result())))
    assert not render_github(result(verdict="pass", reason="every gate passed")).startswith("::")
