"""Notices from library code: sent to every sink while it listens, kept (bounded) when nobody does."""

from __future__ import annotations

import pytest

from mlgate import notices


def test_a_sink_hears_notices_only_while_its_block_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notices, "unheard", [])
    heard: list[str] = []
    with notices.sending_to(heard.append):
        notices.notify("history.jsonl:3: dropped a torn last line")
    notices.notify("after the block")
    assert heard == ["history.jsonl:3: dropped a torn last line"]
    assert notices.unheard == ["after the block"]


def test_unheard_notices_keep_only_the_latest_hundred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notices, "unheard", [])
    for number in range(150):
        notices.notify(f"notice {number}")
    assert notices.unheard == [f"notice {number}" for number in range(50, 150)]
