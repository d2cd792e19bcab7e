"""Read-ahead: a background thread pulls items into a bounded queue so I/O overlaps compute."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["prefetch"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Raised:
    """The exception that ended the producer, carried to the consumer."""

    error: BaseException


_END = object()


def _produce(items: Iterator[T], out: queue.Queue[object], stop: threading.Event) -> None:
    """Fill ``out`` from ``items`` until exhausted, failed or told to stop; then close them."""
    try:
        for item in items:
            out.put(item)
            if stop.is_set():
                return
        out.put(_END)
    except BaseException as exc:
        out.put(_Raised(exc))
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _consume(items: Iterator[T], depth: int) -> Iterator[T]:
    out: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    thread = threading.Thread(target=_produce, args=(items, out, stop), daemon=True)
    thread.name = f"prefetch-{thread.name}"
    thread.start()
    try:
        while True:
            got = out.get()
            if got is _END:
                return
            if isinstance(got, _Raised):
                raise got.error
            yield got  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():
            try:
                out.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


def prefetch(items: Iterable[T], depth: int = 64) -> Iterator[T]:
    """Yield ``items`` in order while a thread reads up to ``depth`` of them ahead.

    The thread starts at the first ``next``. An exception raised by ``items`` is re-raised
    here, at its place in the stream. When the consumer stops early (``close()``, or drops
    the iterator) the thread finishes the item it is reading, closes ``items`` and exits;
    the close waits for that.
    """
    if depth < 1:
        raise ValueError(f"prefetch depth must be at least 1, got {depth}")
    return _consume(iter(items), depth)
