"""``test_shift``: one model's metric on two independent samples of rows, the later one not worse beyond a margin.

A version's registered value comes from its own evaluation rows, the live value from labelled production
rows: two independent samples, so their difference live − registered has se = √(se_registered² + se_live²)
(``mlgate.stats.uncertainty`` gives each side). With the registered side's se unknown (a version registered
before it was recorded), the live side's se is used alone: the registered value is then taken as exact,
which makes the test more ready to fail, and the method says so. The test is a z test, or Welch's t when a
side is a mean of per-row values (Welch–Satterthwaite degrees of freedom; n − 1 with one side's se). The
conventions are those of the paired tests (``mlgate.stats.result``): ``p_worse`` tests H0: gain ≥ −margin,
``low``/``high`` bound live − registered with confidence 1 − 2·alpha, ``n`` is the live rows.
"""

from __future__ import annotations

import math

from mlgate.stats.result import PairedTest, ask, build_pivot, build_unbounded
from mlgate.stats.uncertainty import Spread

LIVE_ONLY = "registered se unknown: live se alone"


def test_shift(registered: Spread, live: Spread, *, direction: str, margin: float, alpha: float) -> PairedTest:
    """Compare ``live`` with ``registered`` (see the module docstring); an unknown live se is unbounded."""
    question = ask(direction, margin, alpha)
    estimate = live.value - registered.value
    known = registered.se is not None and math.isfinite(registered.se)
    t = "t" in (live.quantiles, registered.quantiles)
    method = f"two-sample {'Welch t' if t else 'z'} ({live.method})" + ("" if known else f"; {LIVE_ONLY}")
    if live.se is None or not math.isfinite(live.se):
        return build_unbounded(method, estimate, live.n)
    reference = registered.se if known and registered.se is not None else 0.0
    se = math.sqrt(reference**2 + live.se**2)
    df = _welch(registered, live, reference) if t else None
    return build_pivot(method, estimate, se, live.n, question, df=df)


test_shift.__test__ = False  # type: ignore[attr-defined]  # a library function, not a pytest test


def _welch(registered: Spread, live: Spread, reference_se: float) -> float | None:
    """Welch–Satterthwaite degrees of freedom; the live side's n − 1 when only it has a spread."""
    a, b = reference_se**2, live.se**2 if live.se is not None else 0.0
    if live.n < 2:
        return None
    if a == 0 or registered.n < 2:
        return float(live.n - 1)
    if a + b == 0:
        return float(live.n + registered.n - 2)
    return (a + b) ** 2 / (a**2 / (registered.n - 1) + b**2 / (live.n - 1))
