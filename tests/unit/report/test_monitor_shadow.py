"""The monitor report with a shadow section: unchanged without one, the section and the labelled line with one."""

from __future__ import annotations

import dataclasses
import json

from mlgate.replay.model import Quality
from mlgate.report import monitor, monitor_shadow
from mlgate.shadow.status import Watched
from schemas import schema_validator
from unit.report.monitor_results import result
from unit.report.test_shadow import status


def test_without_a_shadow_the_monitor_report_is_unchanged_and_json_says_null() -> None:
    watched = Watched(result(), None)
    assert monitor_shadow.render_text(watched) == monitor.render_text(result())
    assert monitor_shadow.render_markdown(watched) == monitor.render_markdown(result())
    document = json.loads(monitor_shadow.render_json(watched))
    assert document["shadow"] is None
    schema_validator("monitor.schema.json").validate(document)


def test_with_a_shadow_the_section_follows_with_the_labelled_difference() -> None:
    quality = Quality("accuracy", "higher", 0.8, 0.85, 0.05, 0.01, 0.09, 0.01, "McNemar (exact)", 400)
    watched = Watched(result(), dataclasses.replace(status(), quality=quality))
    markdown = monitor_shadow.render_markdown(watched)
    assert markdown.startswith(monitor.render_markdown(result()))
    assert "#### mlgate shadow: version 2" in markdown
    assert "Labelled: 400 row(s), accuracy (higher is better): live 0.8000, shadow 0.8500" in markdown
    text = monitor_shadow.render_github(watched)
    assert "\nShadow: version 2 (shadowing on 10% of requests)" in text
    document = json.loads(monitor_shadow.render_json(watched))
    schema_validator("monitor.schema.json").validate(document)
    schema_validator("shadow.schema.json").validate(document["shadow"])
