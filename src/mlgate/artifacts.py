"""The only module that saves and loads models: skops, an explicit trusted-type list, SHA-256."""

from __future__ import annotations
