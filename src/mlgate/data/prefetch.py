"""Read ahead on a second thread: pyarrow parses or decodes the next batch while this one is checked.

pyarrow releases the GIL while it reads, parses and decompresses, so on two cores the read floor and
the checks overlap. At most ``depth`` batches wait in the queue, which bounds the extra memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield the items of ``items``, produced ahead on a worker thread; its errors re-raise here."""
    waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        waiting.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
            else:
                waiting.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            waiting.put(exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:  # a generator over a file: release it on this thread, now
                close()

    worker = threading.Thread(target=produce, name="mlgate-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():
            try:
                waiting.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)
