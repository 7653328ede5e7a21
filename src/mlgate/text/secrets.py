"""Credentials taken out of text that a service (or a proxy in front of it) sent back.

A server or proxy may echo the request, ``Authorization`` header included, in an error body; mlgate quotes
error bodies in its messages, so every quoted text passes :func:`redact` first: the token itself wherever it
appears, and whatever follows ``Bearer``, ``token`` or ``Basic`` in an authorization, and anything shaped like
a GitHub token (``ghp_…``, ``ghs_…``, ``github_pat_…``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "***"
_SHAPES = re.compile(
    r"(?i)(\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|token|basic)\s+)?)[^\s\"',;}]+"
    r"|(\b(?:bearer|basic)\s+)[^\s\"',;}]+"
    r"|(\btoken\s+)(?:gh[opusr]_|github_pat_|v1\.)?[0-9A-Za-z_]{36,}"
    r"|()\b(?:gh[opusr]_[0-9A-Za-z]{20,}|github_pat_[0-9A-Za-z_]{20,})"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each of ``secrets`` (at least 4 characters long) and anything shaped like a credential
    replaced by ``***``."""
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _SHAPES.sub(lambda m: next(g for g in m.groups() if g is not None) + REDACTED, text)
