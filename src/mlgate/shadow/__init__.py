"""``mlgate shadow status``: how the shadowed version answered the live traffic, beside the live version.

``status`` reads the records the server's shadow worker wrote (``mlgate.serve.shadow``) and compares the two
versions' answers with replay's statistics (``mlgate.replay.compare``): disagreement with its exact interval,
per segment, the flips; the shadow's failure rate; both versions' request latencies.
"""

from __future__ import annotations
