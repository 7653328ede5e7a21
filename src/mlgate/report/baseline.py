"""``mlgate baseline locate``'s report: one ``key=value`` line per fact (text), or a JSON object."""

from __future__ import annotations

import json
from collections.abc import Mapping


def render_text(values: Mapping[str, str]) -> str:
    """``head=…``, ``merge-base=…``, …: one line each, as a shell or a workflow reads them."""
    return "".join(f"{k}={v}\n" for k, v in values.items())


def render_json(values: Mapping[str, str]) -> str:
    return json.dumps(dict(values), indent=2) + "\n"
