"""Interoperability: DVC params.yaml and metrics JSON/YAML (nested keys flattened with ".")."""

from __future__ import annotations
