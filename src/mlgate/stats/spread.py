"""Widen a paired test by the seed-to-seed spread of the metric: a test of the training procedure, not of two fits.

A per-row test treats the two fitted models as fixed. When each side's metric also varies with the model's random
seed (standard deviation ``s`` over reseeded fits, ``mlgate.training.seeds``), the difference of two independently
seeded fits has the extra variance s_base² + s_new² under "the two procedures are equal". The widened test adds it
to the per-row variance (normal theory; a conservative sum, since the reseeded scores already carry some row noise)
and uses t quantiles with Welch–Satterthwaite degrees of freedom, the seed variance being estimated from few fits.
"""

from __future__ import annotations

import math

from mlgate.stats.result import PairedTest, ask, build_pivot


def widen_by_seeds(
    test: PairedTest,
    *,
    base_sd: float | None,
    new_sd: float | None,
    fits: int,
    direction: str,
    margin: float,
    alpha: float,
    source: str = "seed spread",
) -> PairedTest:
    """``test`` with the seed-to-seed variance added; unchanged when no side has a spread or the test has no se.

    ``fits``: how many fits each spread was estimated from (the original one included); a side without a spread
    borrows the other's (the same procedure under the null). ``source`` names the spread in the method
    (``mlgate retrain``: "training-data spread", refits on resampled rows).
    """
    known = [sd for sd in (base_sd, new_sd) if sd is not None]
    if not known or max(known) <= 0 or test.se is None or fits < 2:
        return test
    base_var = (base_sd if base_sd is not None else known[0]) ** 2
    new_var = (new_sd if new_sd is not None else known[0]) ** 2
    extra = base_var + new_var
    se = math.sqrt(test.se**2 + extra)
    df_seed = (fits - 1) * len(known)
    df = (test.se**2 + extra) ** 2 / (extra**2 / df_seed) if extra > 0 else None
    method = f"{test.method} + {source} ({fits} fits)"
    return build_pivot(method, test.estimate, se, test.n, ask(direction, margin, alpha), df=df)
