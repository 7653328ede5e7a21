"""Candidate models: specs, preprocessing, splits, fitting, metrics and latency."""

from __future__ import annotations
