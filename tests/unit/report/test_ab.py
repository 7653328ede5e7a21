"""Render ``mlgate ab``: the decision first, both variants' traffic and health, the interval chart, guardrails."""

from __future__ import annotations

import json
from types import MappingProxyType

from mlgate.ab.decision import AbDecision, Arm, Guardrail
from mlgate.ab.model import AbChange, AbResult, Evidence
from mlgate.deploy.experiment import Split, VariantHealth
from mlgate.report import ab as render
from mlgate.stats.sequential import test_sequential
from schemas import schema_validator

SPLIT = Split("1", "2", 50.0, "header:X-Client", "2026-12-07T09:00:00Z")


def result(outcome: str = "promote", *, labelled: bool = True) -> AbResult:
    champion = Arm("1", (1.0, 0.0, 1.0, 0.0) * 50, 210, 0, 12.5, MappingProxyType({}))
    challenger = Arm("2", (1.0, 1.0, 1.0, 0.0) * 50, 190, 1, 14.0, MappingProxyType({}))
    test = test_sequential(champion.gains, challenger.gains, alpha=0.05, tau=None)
    guard = Guardrail("server errors", "≤ +1.00 points", "0.5% vs 0.0%", False, "")
    decision = AbDecision(outcome, "the challenger is better", test, (guard,), None if outcome != "continue" else 400)
    evidence = Evidence(champion, challenger, "accuracy", 420, 400, ("a note",)) if labelled else None
    health = (VariantHealth("1", 210, 0, 12.5, "the server's A/B log"), VariantHealth("2", 190, 1, 14.0, "log"))
    return AbResult(
        SPLIT,
        "local",
        "2026-12-07T10:00:00Z",
        health,
        evidence,
        decision if labelled else None,
        "promoted" if labelled else "not-acted",
        "version 2 promoted",
    )


def test_text_leads_with_the_decision_and_shows_both_variants() -> None:
    text = render.render_text(result())
    first = text.splitlines()[0]
    assert first.startswith("A/B test version 2 (50%) vs version 1: promote — the challenger is better")
    assert "challenger 2" in text
    assert "champion 1" in text
    assert "always-valid 95% interval" in text
    assert "server errors" in text
    assert "note: a note" in text


def test_markdown_puts_the_chart_in_a_code_block() -> None:
    markdown = render.render_markdown(result())
    assert markdown.startswith("### mlgate ab: A/B test version 2 (50%) vs version 1: promote")
    assert "```text" in markdown


def test_json_matches_its_schema_and_leaves_per_row_values_out() -> None:
    document = json.loads(render.render_json(result()))
    schema_validator("ab.schema.json").validate(document)
    assert document["evidence"]["challenger"]["labelled"] == 200
    assert document["evidence"]["challenger"]["mean"] == 0.75
    assert "gains" not in document["evidence"]["champion"]
    for partial in (result(labelled=False),):
        schema_validator("ab.schema.json").validate(json.loads(render.render_json(partial)))


def test_changes_are_one_line_and_match_the_schema() -> None:
    change = AbChange("started", SPLIT, "local", "version 2 answers 50% of the clients")
    assert render.render_text(change) == "mlgate: version 2 answers 50% of the clients\n"
    assert render.render_github(change).startswith("::notice title=mlgate ab::version 2 answers 50%")
    schema_validator("ab.schema.json").validate(json.loads(render.render_json(change)))


def test_the_interval_chart_is_linear_and_marks_zero_and_the_estimate() -> None:
    bar, scale, legend = render.chart_interval(0.02, 0.05, 0.08)
    assert bar.index("|") < bar.index("[") < bar.index("•") < bar.index("]")
    left, right = bar.index("["), bar.index("]")
    assert abs((bar.index("•") - left) - (right - bar.index("•"))) <= 1, "the estimate sits mid-interval"
    assert scale.split()[0].startswith("-")
    assert "valid at every look" in legend
    crossing, _, _ = render.chart_interval(-0.03, 0.01, 0.05)
    assert crossing.index("[") < crossing.index("|") < crossing.index("]")


def test_an_unbounded_interval_is_said_not_drawn() -> None:
    test = test_sequential((1.0,), (1.0,), alpha=0.05, tau=None)
    lines = render._primary(test, "accuracy", markdown=False)
    assert "not enough labels for an interval yet" in lines[0]
