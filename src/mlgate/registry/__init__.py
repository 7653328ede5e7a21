"""The model registry: versions, approval states and history behind one Protocol (see ``model``)."""

from __future__ import annotations
