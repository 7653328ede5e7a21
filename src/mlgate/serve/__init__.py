"""The HTTP inference server: GET /ping, POST /invocations, hot swap of the served version."""

from __future__ import annotations
