"""CacheWriter: writes happen on its thread, all of them before close returns, failures warn."""

from __future__ import annotations

import threading

import pytest

from workbench.cache import CacheKey, CacheStore, CacheWriter, CacheWriteWarning


def _key(i: int) -> CacheKey:
    return CacheKey.make("embed", f"{i:064x}", {"i": i}, "test")


class GatedStore:
    """Puts wait until the gate opens: a disk much slower than the caller."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.data: dict[str, bytes] = {}

    def put(self, key, payload: bytes) -> None:
        self.gate.wait()
        self.data[key.digest] = payload


def test_submit_returns_before_the_write_and_close_waits_for_all():
    store = GatedStore()
    with CacheWriter(store, depth=8) as writer:
        for i in range(5):
            writer.submit(_key(i), lambda i=i: bytes([i]))
        assert store.data == {}  # every submit returned while no write could finish
        store.gate.set()
    assert store.data == {_key(i).digest: bytes([i]) for i in range(5)}
    assert (writer.written, writer.failed) == (5, 0)


def test_entries_are_readable_from_a_real_store_after_close(tmp_path):
    store = CacheStore(tmp_path)
    with CacheWriter(store) as writer:
        for i in range(20):
            writer.submit(_key(i), lambda i=i: b"x" * i)
    assert all(store.get(_key(i)) == b"x" * i for i in range(20))


class FailingStore:
    def put(self, key, payload: bytes) -> None:
        if payload == b"bad":
            raise OSError(5, "Input/output error")


def test_a_failing_write_is_a_warning_and_counted():
    writer = CacheWriter(FailingStore())
    with pytest.warns(CacheWriteWarning) as caught:
        for payload in (b"bad", b"ok", b"bad"):
            writer.submit(_key(len(payload)), lambda p=payload: p)
        writer.close()
    assert (writer.written, writer.failed) == (1, 2)
    messages = [str(w.message) for w in caught]
    assert any("could not be written" in m for m in messages)
    assert any(m.startswith("2 of 3 cache writes failed") for m in messages)
