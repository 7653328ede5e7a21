"""Capture of live traffic for ``mlgate monitor`` (docs/serve.md), one module per concern.

- ``writer``: ``CaptureWriter``, the bounded queue and the one writer thread;
- ``records``: captured requests into the capture format's rows (``capture.drop``/``hash`` applied);
- ``files``: the rotated JSONL or Parquet files;
- ``settings``: the ``capture`` section checked, and the counters ``GET /status`` shows.
"""

from __future__ import annotations
