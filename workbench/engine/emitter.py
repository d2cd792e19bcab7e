"""Buffers events from the run's threads and appends them to the log in batches."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from workbench.record.eventlog import EventLog
from workbench.record.events import CacheStats, Event, StageProgress

__all__ = ["Emitter"]


class Emitter:
    """The run's single writer: thread-safe ``emit``, batched ``flush`` every ``interval`` s.

    A daemon flusher thread writes whatever is pending ``interval`` s after it arrived, so the
    last event of a burst reaches a live reader without waiting for a later emit; ``close``
    stops the thread and writes what is left.
    """

    def __init__(self, log: EventLog, run_id: str, interval: float = 0.25) -> None:
        self.log = log
        self.run_id = run_id
        self.interval = interval
        self._buffer: list[Event] = []
        self._lock = threading.Lock()  # guards the pending events, counts and progress
        self._write_lock = threading.Lock()  # one batch written at a time, in order
        self._last_flush = time.monotonic()
        self._cache: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        self._progress: dict[str, tuple[int, int | None]] = {}
        self._closed = threading.Event()
        self._flusher = threading.Thread(
            target=self._flush_on_timer, name="workbench-emitter", daemon=True
        )
        self._flusher.start()

    def emit(self, cls: type[Event], **fields) -> None:
        event = cls(run_id=self.run_id, **fields)
        with self._lock:
            self._buffer.append(event)
        self.maybe_flush()

    def count_cache(self, stage: str, hits: int = 0, misses: int = 0, corrupt: int = 0) -> None:
        """Accumulate lookups; they go out as one CacheStats per stage per flush."""
        with self._lock:
            counts = self._cache[stage]
            counts[0] += hits
            counts[1] += misses
            counts[2] += corrupt
        self.maybe_flush()

    def progress(self, stage: str, done: int, total: int | None) -> None:
        """Latest progress of a stage; written once per flush, not once per item."""
        with self._lock:
            self._progress[stage] = (done, total)
        self.maybe_flush()

    def maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= self.interval:
            self.flush()

    def flush(self) -> None:
        with self._write_lock:
            with self._lock:
                events = self._take()
            self.log.extend(events)

    def close(self) -> None:
        """Stop the flusher thread and write everything still pending."""
        self._closed.set()
        self._flusher.join()
        self.flush()

    def _pending(self) -> bool:
        return bool(self._buffer or self._progress or self._cache)

    def _flush_on_timer(self) -> None:
        """Flush pending events at most ``interval`` s after they were buffered."""
        while not self._closed.wait(self.interval / 2):
            with self._lock:
                pending = self._pending()
            if pending:
                self.flush()

    def _take(self) -> list[Event]:
        """The pending events, counts and progress as events; called with ``_lock`` held."""
        events = self._buffer
        self._buffer = []
        for stage, (hits, misses, corrupt) in self._cache.items():
            if hits or misses or corrupt:
                events.append(
                    CacheStats(
                        run_id=self.run_id, stage=stage, hits=hits, misses=misses, corrupt=corrupt
                    )
                )
        self._cache.clear()
        for stage, (done, total) in self._progress.items():
            events.append(StageProgress(run_id=self.run_id, stage=stage, done=done, total=total))
        self._progress.clear()
        self._last_flush = time.monotonic()
        return events
