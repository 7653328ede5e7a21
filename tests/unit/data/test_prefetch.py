from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from mlgate.data.prefetch import prefetch


def test_yields_everything_in_order() -> None:
    assert list(prefetch(iter(range(1000)), depth=3)) == list(range(1000))


def test_errors_from_the_producer_reach_the_consumer() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("broken batch")

    items = prefetch(failing())
    assert next(items) == 1
    with pytest.raises(ValueError, match="broken batch"):
        next(items)


def test_stopping_early_ends_the_worker() -> None:
    before = threading.active_count()
    for item in prefetch(iter(range(10_000)), depth=2):
        if item == 5:
            break
    assert threading.active_count() == before
