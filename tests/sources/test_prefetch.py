"""Read-ahead: order kept, errors carried over, bounded look-ahead, clean stop on early close."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.sources import Item, iter_items, prefetch

TIMEOUT = 10.0


def _prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("prefetch-")]


def test_same_items_in_the_same_order(real_pdbs: list[Path]) -> None:
    direct = list(iter_items(real_pdbs))
    ahead = list(prefetch(iter_items(real_pdbs), depth=3))
    assert ahead == direct
    assert all(isinstance(i, Item) for i in ahead)


def test_error_is_raised_at_its_place() -> None:
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("network share went away")

    got = []
    with pytest.raises(OSError, match="network share went away"):
        for value in prefetch(failing(), depth=8):
            got.append(value)
    assert got == [1, 2]


def test_reads_ahead_at_most_depth_items() -> None:
    produced: list[int] = []
    reached = threading.Condition()

    def counting() -> Iterator[int]:
        for n in range(100):
            with reached:
                produced.append(n)
                reached.notify_all()
            yield n

    stream = prefetch(counting(), depth=4)
    assert next(stream) == 0
    with reached:
        # the consumer took 1, the queue holds 4, the producer waits with 1 more in hand
        assert reached.wait_for(lambda: len(produced) >= 6, timeout=TIMEOUT)
        assert not reached.wait_for(lambda: len(produced) > 6, timeout=0.2)
    stream.close()


def test_early_close_stops_the_thread_and_closes_the_source() -> None:
    closed = threading.Event()
    started = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                started.set()
                yield n
                n += 1
        finally:
            closed.set()

    before = set(_prefetch_threads())
    stream = prefetch(endless(), depth=2)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    assert started.is_set()
    stream.close()
    assert closed.wait(TIMEOUT)
    assert set(_prefetch_threads()) == before


def test_early_close_of_a_real_stream(tmp_path: Path, real_pdbs) -> None:
    before = set(_prefetch_threads())
    stream = prefetch(iter_items(real_pdbs), depth=2)
    first = next(stream)
    assert first.ref.source == str(real_pdbs[0])
    stream.close()
    assert set(_prefetch_threads()) == before


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        prefetch(iter([]), depth=0)
