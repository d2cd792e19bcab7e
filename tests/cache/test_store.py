"""The store: round trips, bad entries never trusted, stats and clear, unwritable folders."""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import shutil
import time
import warnings
from pathlib import Path

import pytest

import workbench.cache.store as store_module
from workbench.cache import (
    CacheCorruptionWarning,
    CacheKey,
    CacheStore,
    CacheWriteWarning,
    DisabledCache,
    StageCounts,
    default_root,
    format_stats,
)
from workbench.cache.entry import HEADER_SIZE


@pytest.fixture
def store(tmp_path: Path) -> CacheStore:
    return CacheStore(tmp_path / "cache")


@pytest.fixture
def pdb_bytes(complexes_dir: Path) -> bytes:
    return (complexes_dir / "1VFB.pdb").read_bytes()


def make_key(payload: bytes, stage: str = "prep", **params: object) -> CacheKey:
    return CacheKey.make(stage, hashlib.sha256(payload).hexdigest(), params, "0.1.0")


def entry_path(store: CacheStore, key: CacheKey) -> Path:
    """Where the layout puts an entry: ``root/<stage>/<digest[:2]>/<digest>.entry``."""
    return store.root / key.stage / key.digest[:2] / f"{key.digest}.entry"


def test_round_trip_real_file_and_layout(store: CacheStore, pdb_bytes: bytes) -> None:
    key = make_key(pdb_bytes)
    assert store.get(key) is None
    store.put(key, pdb_bytes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.get(key) == pdb_bytes
    path = entry_path(store, key)
    assert path.stat().st_size == HEADER_SIZE + len(pdb_bytes)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left
    assert store.take_counts() == {"prep": StageCounts(hits=1, misses=1, corrupt=0)}


def test_last_writer_wins_and_keys_are_independent(store: CacheStore) -> None:
    first, second = make_key(b"x", cutoff=5), make_key(b"x", cutoff=6)
    store.put(first, b"old")
    store.put(first, bytearray(b"new"))
    store.put(second, memoryview(b"other"))
    assert store.get(first) == b"new"
    assert store.get(second) == b"other"
    with pytest.raises(TypeError, match="must be bytes"):
        store.put(first, "text")  # type: ignore[arg-type]


def test_take_counts_returns_and_resets(store: CacheStore) -> None:
    prep, embed = make_key(b"a"), make_key(b"a", stage="embed")
    assert store.get(prep) is None
    store.put(prep, b"p")
    assert store.get(prep) == b"p"
    store.get(embed)
    assert store.take_counts() == {"prep": StageCounts(1, 1, 0), "embed": StageCounts(0, 1, 0)}
    assert store.take_counts() == {}


def corrupt_flip_payload(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 100] ^= 0xFF
    path.write_bytes(bytes(data))


def corrupt_flip_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[70] ^= 0x01  # inside the payload checksum
    path.write_bytes(bytes(data))


def corrupt_truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size - 1000)


def corrupt_zero_length(path: Path) -> None:
    os.truncate(path, 0)


def corrupt_magic(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(b"NOTCACHE" + data[8:])


def corrupt_other_key(path: Path) -> None:
    """An intact entry of another key, copied under this key's name."""
    other = CacheStore(path.parents[2])
    key = make_key(b"other")
    other.put(key, b"other value")
    shutil.copyfile(entry_path(other, key), path)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (corrupt_flip_payload, "checksum mismatch"),
        (corrupt_flip_header, "checksum mismatch"),
        (corrupt_truncate, "header says"),
        (corrupt_zero_length, "truncated header"),
        (corrupt_magic, "wrong magic"),
        (corrupt_other_key, "belongs to key"),
    ],
)
def test_bad_entry_is_reported_removed_and_recomputed(
    store: CacheStore, pdb_bytes: bytes, damage, reason: str
) -> None:
    key = make_key(pdb_bytes)
    store.put(key, pdb_bytes)
    path = entry_path(store, key)
    damage(path)
    with pytest.warns(CacheCorruptionWarning, match=f"{path.name}.*{reason}.*removed"):
        assert store.get(key) is None
    assert not path.exists()
    assert store.take_counts() == {"prep": StageCounts(hits=0, misses=1, corrupt=1)}

    store.put(key, pdb_bytes)  # the recomputed value replaces the removed entry
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.get(key) == pdb_bytes


def test_bad_entry_replaced_meanwhile_is_kept(store: CacheStore, monkeypatch) -> None:
    """A writer renaming a good entry in while a reader checks the bad one wins."""
    key = make_key(b"race")
    store.put(key, b"good")
    corrupt_zero_length(entry_path(store, key))
    verify = store_module.unpack_entry

    def verify_while_writer_replaces(digest: str, data: bytes) -> bytes:
        CacheStore(store.root).put(key, b"fresh")
        return verify(digest, data)

    monkeypatch.setattr(store_module, "unpack_entry", verify_while_writer_replaces)
    with pytest.warns(CacheCorruptionWarning, match="already replaced by another writer"):
        assert store.get(key) is None
    monkeypatch.undo()
    assert store.get(key) == b"fresh"


def test_crashed_writer_leaves_only_an_invisible_temp_file(store: CacheStore) -> None:
    key = make_key(b"crash")
    folder = entry_path(store, key).parent
    folder.mkdir(parents=True)
    (folder / f".{entry_path(store, key).name}.999.abcd.tmp").write_bytes(b"half an entry")
    assert store.get(key) is None
    assert store.stats().entries == 0


def test_stats_and_clear(store: CacheStore) -> None:
    keys = [make_key(bytes([i]), stage) for i in range(5) for stage in ("prep", "embed")]
    for i, key in enumerate(keys):
        store.put(key, b"x" * (i * 100))
    sizes = {"prep": 0, "embed": 0}
    for key in keys:
        sizes[key.stage] += os.path.getsize(entry_path(store, key))

    summary = store.stats()
    assert [(s.stage, s.entries, s.bytes) for s in summary.stages] == [
        ("embed", 5, sizes["embed"]),
        ("prep", 5, sizes["prep"]),
    ]
    assert (summary.entries, summary.bytes) == (10, sizes["prep"] + sizes["embed"])
    table = format_stats(summary)
    assert str(store.root) in table
    assert [line.split()[:2] for line in table.splitlines()[2:]] == [
        ["embed", "5"],
        ["prep", "5"],
        ["total", "10"],
    ]

    assert store.clear("prep") == 5
    assert all(store.get(k) is None for k in keys if k.stage == "prep")
    assert all(store.get(k) is not None for k in keys if k.stage == "embed")
    assert not (store.root / "prep").exists()
    assert store.clear() == 5
    assert store.stats().stages == ()
    assert list(store.root.iterdir()) == []
    assert store.clear() == 0


def test_clear_removes_stale_temp_files_only(store: CacheStore) -> None:
    key = make_key(b"t")
    store.put(key, b"v")
    folder = entry_path(store, key).parent
    stale, fresh = folder / ".a.1.aa.tmp", folder / ".b.2.bb.tmp"
    stale.write_bytes(b"")
    fresh.write_bytes(b"")
    hours_ago = time.time() - 2 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    assert store.clear() == 1
    assert not stale.exists()
    assert fresh.exists()  # may belong to a writer still running


def test_put_recreates_folders_after_clear(store: CacheStore) -> None:
    key = make_key(b"again")
    store.put(key, b"1")
    store.clear()
    store.put(key, b"2")
    assert store.get(key) == b"2"


def test_default_root_from_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "env-cache"))
    assert CacheStore().root == tmp_path / "env-cache"
    CacheStore().put(make_key(b"e"), b"v")
    assert (tmp_path / "env-cache" / "prep").is_dir()
    monkeypatch.setenv("WORKBENCH_CACHE", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_root() == tmp_path / "home" / ".cache" / "workbench"
    monkeypatch.delenv("WORKBENCH_CACHE")
    assert CacheStore().root == tmp_path / "home" / ".cache" / "workbench"


def test_store_pickles_by_root(store: CacheStore) -> None:
    """Worker processes get a store on the same folder with their own counts."""
    key = make_key(b"p")
    store.put(key, b"v")
    store.get(key)
    copy = pickle.loads(pickle.dumps(store))
    assert copy.root == store.root
    assert copy.take_counts() == {}
    assert copy.get(key) == b"v"


def test_disabled_cache_never_hits_or_writes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path))
    cache = DisabledCache()
    key = make_key(b"d")
    cache.put(key, b"v")
    assert cache.get(key) is None
    assert cache.take_counts() == {}
    assert cache.stats().entries == 0
    assert cache.clear() == 0
    assert list(tmp_path.iterdir()) == []


def test_unwritable_root_warns_once_and_skips(tmp_path: Path) -> None:
    """A root that is a file (works as any user, root included) cannot hold entries."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("occupied")
    store = CacheStore(blocker)
    key = make_key(b"w")
    with pytest.warns(CacheWriteWarning, match=r"not-a-folder.*cannot be written.*prep"):
        store.put(key, b"value")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.put(make_key(b"w2"), b"again")  # same stage and reason: no second warning
        assert store.get(key) is None
    assert blocker.read_text() == "occupied"


@pytest.mark.parametrize("code", [errno.ESTALE, errno.EIO])
def test_a_read_error_is_a_counted_miss_with_one_warning(
    store: CacheStore, monkeypatch, code: int
) -> None:
    key = make_key(b"nfs")
    store.put(key, b"value")
    store.take_counts()

    def failing_open(path, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(store_module, "open", failing_open, raising=False)
    with pytest.warns(store_module.CacheReadWarning, match=os.strerror(code)) as caught:
        assert store.get(key) is None
        assert store.get(make_key(b"other")) is None  # same stage and reason: one warning
    assert len(caught) == 1 and key.digest in str(caught[0].message)
    assert store.take_counts() == {"prep": StageCounts(hits=0, misses=2)}
    monkeypatch.undo()
    assert store.get(key) == b"value"  # the entry itself was left alone


def test_a_write_error_is_a_warning_and_the_put_returns(store: CacheStore, monkeypatch) -> None:
    def failing_write(path, data, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))

    monkeypatch.setattr(store_module, "write_bytes_atomic", failing_write)
    with pytest.warns(CacheWriteWarning, match=os.strerror(errno.EIO)):
        store.put(make_key(b"eio"), b"value")
    monkeypatch.undo()
    assert store.get(make_key(b"eio")) is None
