"""A/B tests: a share of clients served by a challenger, and the sequential decision to promote or stop it.

- ``decision``: the pure decision core (guardrails, then the always-valid test of the primary metric) that
  ``mlgate ab decide`` and ``scripts/bench_ab.py`` both call.
"""

from __future__ import annotations
