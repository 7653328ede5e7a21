"""mlgate check: validate + train + compare with the baseline, as the PR workflow does."""

from __future__ import annotations
