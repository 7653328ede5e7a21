"""How a smoke-test request says so, and how its captured rows keep the mark (so monitoring leaves them out).

Deploy and rollback smoke tests (``mlgate.deploy.smoke``) send their requests to the live endpoint as any
client does. So that they are not judged as production traffic:

- to ``mlgate serve``, each carries the header ``X-Mlgate-Smoke: 1``; the server writes ``"smoke": true``
  into the captured records of that request (JSONL), or ``true`` in the ``smoke`` column (Parquet);
  ``X-Mlgate-Smoke: previous`` is a smoke-test request answered by the version served before the last swap
  (the deploy's latency reference, timed in the same window as the new version);
- to SageMaker, whose data capture records no custom header, each carries an ``InferenceId`` that starts
  with ``mlgate-smoke-``; SageMaker writes it into the capture line's ``eventMetadata.inferenceId``.

``mlgate monitor`` leaves marked rows out of every check and counts them. This module imports nothing
heavy, so the deploy targets (the clients) and the monitor (the reader) share it with the server.
"""

from __future__ import annotations

import uuid

SMOKE_HEADER = "X-Mlgate-Smoke"
SMOKE_VALUE = "1"
PREVIOUS_VALUE = "previous"  # a smoke-test request to be answered by the version served before the last swap
SMOKE_ID_PREFIX = "mlgate-smoke-"
_TRUE = frozenset({"1", "true", "yes", PREVIOUS_VALUE})


def is_smoke_header(value: str | bytes | None) -> bool:
    """Whether an ``X-Mlgate-Smoke`` header value marks the request as a smoke test (``1``, ``true``, ``yes``)."""
    if value is None:
        return False
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    return text.strip().lower() in _TRUE


def wants_previous(value: str | bytes | None) -> bool:
    """Whether an ``X-Mlgate-Smoke`` header asks for the previous version (``previous``): a deploy's reference."""
    if value is None:
        return False
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    return text.strip().lower() == PREVIOUS_VALUE


def new_smoke_id() -> str:
    """A request id (and SageMaker ``InferenceId``, at most 64 characters) that marks a smoke-test request."""
    return SMOKE_ID_PREFIX + uuid.uuid4().hex


def is_smoke_id(request_id: str) -> bool:
    """Whether a request id was made by ``new_smoke_id`` (how SageMaker's capture keeps the mark)."""
    return request_id.startswith(SMOKE_ID_PREFIX)
