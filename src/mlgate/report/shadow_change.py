"""Render what ``mlgate deploy --shadow`` and ``mlgate shadow stop`` did: one line, or a JSON document."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from mlgate.serve.shadow_state import ShadowChange
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data
from mlgate.text.markdown import md

KIND = "mlgate-shadow-change"


def render_text(change: ShadowChange) -> str:
    return f"mlgate: {terminal.escape(change.message, None)}\n"


def render_markdown(change: ShadowChange) -> str:
    return f"**mlgate shadow**: {md(change.message, None)}\n"


def render_github(change: ShadowChange) -> str:
    return f"::notice title=mlgate shadow::{escape_data(change.message)}\n" + render_text(change)


def to_data(change: ShadowChange) -> dict[str, Any]:
    return {"schema_version": 1, "kind": KIND, **dataclasses.asdict(change)}


def render_json(change: ShadowChange) -> str:
    return json.dumps(to_data(change), indent=2, ensure_ascii=False) + "\n"
