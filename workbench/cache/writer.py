"""Cache writes off the result path: one thread stores entries while results go on to the caller.

A stage hands each finished result to :meth:`CacheWriter.submit` and passes the result on at
once; the writer thread builds the payload (encoding, the entry's checksum) and ``put``s it in
the store. The queue holds at most ``depth`` entries, so a disk slower than the computation
slows the stage down instead of filling memory. :meth:`CacheWriter.close` (or leaving the
``with`` block) waits for every submitted entry: when the stage ends, every result it passed
on is in the cache.

What a crash can lose
---------------------
- The process dies (killed, out of memory): the entries still queued (at most ``depth``) and
  the one being written. Their results had already been passed on; the next run finds no entry
  and recomputes them. Entries already renamed into place survive (the OS holds them).
- The machine dies (power, kernel panic): entries are not fsynced one by one, so the newest ones
  may be missing, or present under their final name with zeroed or partial bytes.

What a crash cannot do: make the cache return a wrong or partial value. Each entry is written to
a temp file and renamed over its name (readers see all of one writer's bytes or none), and every
read checks the entry's length and checksum; a bad entry is a counted corrupt miss, removed and
recomputed.

Errors
------
A write that raises is never a failed item: the result is good, only not stored. The first
failure of each kind gives a :class:`~workbench.cache.store.CacheWriteWarning`, on the caller's
thread at its next ``submit`` or at ``close``; every failure is counted in ``failed``, and
``close`` warns with the total.
"""

from __future__ import annotations

import queue
import threading
import warnings
from collections.abc import Callable
from types import TracebackType
from typing import Protocol

from workbench.cache.keys import CacheKey
from workbench.cache.store import CacheWriteWarning

__all__ = ["DEFAULT_DEPTH", "CacheWriter", "PutStore"]

DEFAULT_DEPTH = 64  # entries queued at most; an ESM-2 entry is ~1 MB per 400 residues


class PutStore(Protocol):
    """The part of a cache store the writer uses."""

    def put(self, key: CacheKey, payload: bytes) -> None: ...


class CacheWriter:
    """A writer thread over ``store`` with a bounded queue; use as a context manager."""

    def __init__(self, store: PutStore, depth: int = DEFAULT_DEPTH) -> None:
        if depth < 1:
            raise ValueError(f"cache writer depth must be at least 1, got {depth}")
        self.store = store
        self.submitted = 0
        self.written = 0
        self.failed = 0
        self._queue: queue.Queue[tuple[CacheKey, Callable[[], bytes]] | None] = queue.Queue(depth)
        self._lock = threading.Lock()
        self._errors: list[tuple[CacheKey, Exception]] = []  # not yet reported
        self._warned: set[type] = set()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="cache-writer", daemon=True)
        self._thread.start()

    def submit(self, key: CacheKey, build: Callable[[], bytes]) -> None:
        """Queue ``build()``'s payload for ``key``; blocks while the queue is full."""
        if self._closed:
            raise RuntimeError("cache writer is closed")
        self._report()
        self.submitted += 1
        self._queue.put((key, build))

    def close(self) -> None:
        """Write everything queued, stop the thread, and report failures as warnings."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
            self._report()
            if self.failed:
                warnings.warn(
                    f"{self.failed} of {self.submitted} cache writes failed: those results were "
                    "returned but not cached, and are recomputed by the next run",
                    CacheWriteWarning,
                    stacklevel=2,
                )

    def __enter__(self) -> CacheWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            key, build = item
            try:
                self.store.put(key, build())
            except Exception as exc:  # a failed write must not fail the item
                with self._lock:
                    self.failed += 1
                    self._errors.append((key, exc))
            else:
                self.written += 1

    def _report(self) -> None:
        """Warn, on the calling thread, about the first failure of each kind since the last call."""
        with self._lock:
            errors, self._errors = self._errors, []
        for key, exc in errors:
            if type(exc) in self._warned:
                continue
            self._warned.add(type(exc))
            warnings.warn(
                f"{key.stage} cache entry {key.digest} could not be written ({exc!r}): the "
                f"result is returned but not cached; further {type(exc).__name__} errors are "
                "counted, not repeated",
                CacheWriteWarning,
                stacklevel=3,
            )
