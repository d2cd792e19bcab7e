"""The emitter: a live reader sees a burst's last event without a later emit; one ordered writer."""

from __future__ import annotations

import threading
import time

from workbench.engine.emitter import Emitter
from workbench.record.eventlog import EventLog, read_events
from workbench.record.events import CacheStats, ItemDone, StageProgress, StageStarted


def _seen_within(path, predicate, seconds: float) -> list:
    """Events a separate reader sees, polled until ``predicate`` holds or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        events = [event for _, event in read_events(path)]
        if predicate(events) or time.monotonic() > deadline:
            return events
        time.sleep(0.02)


def test_a_live_reader_sees_the_last_event_of_a_burst_within_a_second(tmp_path) -> None:
    path = tmp_path / "events.sqlite"
    log = EventLog(path)
    emitter = Emitter(log, "r")
    try:
        emitter.emit(StageStarted, stage="prep")
        emitter.flush()
        for name in ("a", "b", "c"):
            emitter.emit(ItemDone, stage="prep", item_id=name, seconds=0.0)
        emitter.count_cache("prep", hits=2, misses=1)
        emitter.progress("prep", 3, 3)
        emitted = time.monotonic()

        def complete(events: list) -> bool:
            return any(isinstance(e, StageProgress) for e in events)

        events = _seen_within(path, complete, 1.0)
        assert time.monotonic() - emitted <= 1.0
        assert [e.item_id for e in events if isinstance(e, ItemDone)] == ["a", "b", "c"]
        assert [(e.hits, e.misses) for e in events if isinstance(e, CacheStats)] == [(2, 1)]
        assert [(e.done, e.total) for e in events if isinstance(e, StageProgress)] == [(3, 3)]
    finally:
        emitter.close()
        log.close()


def test_close_writes_what_is_pending_and_stops_the_flusher(tmp_path) -> None:
    path = tmp_path / "events.sqlite"
    log = EventLog(path)
    emitter = Emitter(log, "r", interval=3600.0)
    emitter.emit(ItemDone, stage="prep", item_id="last", seconds=0.0)
    assert read_events(path) == []
    emitter.close()
    log.close()
    assert [e.item_id for _, e in read_events(path)] == ["last"]
    assert not emitter._flusher.is_alive()


def test_many_threads_emitting_keep_each_threads_order(tmp_path) -> None:
    path = tmp_path / "events.sqlite"
    log = EventLog(path)
    emitter = Emitter(log, "r", interval=0.01)

    def work(thread: int) -> None:
        for i in range(200):
            emitter.emit(ItemDone, stage="prep", item_id=f"{thread}:{i}", seconds=0.0)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    emitter.close()
    log.close()
    ids = [e.item_id for _, e in read_events(path)]
    assert len(ids) == 800
    for n in range(4):
        assert [i for i in ids if i.startswith(f"{n}:")] == [f"{n}:{i}" for i in range(200)]
