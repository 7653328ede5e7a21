"""The baseline: merge-base discovery, cached results and models, git worktree fallback."""

from __future__ import annotations
