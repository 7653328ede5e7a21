"""The line ``mlgate deploy --shadow`` and ``mlgate shadow stop`` print, and their JSON."""

from __future__ import annotations

import json

from mlgate.report import shadow_change
from mlgate.serve.shadow_state import ShadowChange


def test_the_start_and_stop_line_and_its_json() -> None:
    change = ShadowChange("started", "2", 0.1, "1", "/srv/serve", "version 2 shadows version 1 on 10% of requests")
    assert shadow_change.render_text(change) == "mlgate: version 2 shadows version 1 on 10% of requests\n"
    assert json.loads(shadow_change.render_json(change))["kind"] == "mlgate-shadow-change"
    hostile = ShadowChange("stopped", "2", None, None, "/s", "version \x1b[2J2 no longer shadows")
    assert "\x1b" not in shadow_change.render_text(hostile)
