"""Baseline vs candidate: deltas, directions, tolerances, significance and gate verdicts (pure)."""

from __future__ import annotations
