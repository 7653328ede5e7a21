"""Fakes of external services for tests (see each module's docstring)."""

from __future__ import annotations
