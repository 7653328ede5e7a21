"""``mlgate replay``: a registered version answers the captured production traffic offline, against the live one.

- ``run``: the use case (window, versions, capture, the replayed answers);
- ``compare``: disagreement with its interval, per segment, and the largest flips;
- ``quality``: with labels, the paired quality difference (the PR gate's statistics);
- ``gates``: the ``replay.*`` gates and the verdict (fail closed);
- ``model``: the result's data.
"""

from __future__ import annotations
