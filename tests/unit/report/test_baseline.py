"""``mlgate baseline locate``'s report: ``key=value`` lines for a shell or a workflow, or a JSON object."""

from __future__ import annotations

import json

from mlgate.report import baseline as render

VALUES = {"head": "1" * 40, "base-branch": "main", "merge-base": "", "cached": "false"}


def test_text_is_one_key_value_line_per_fact_in_order() -> None:
    assert render.render_text(VALUES) == f"head={'1' * 40}\nbase-branch=main\nmerge-base=\ncached=false\n"


def test_json_is_the_same_facts_as_an_object() -> None:
    text = render.render_json(VALUES)
    assert text.endswith("}\n")
    assert json.loads(text) == VALUES
