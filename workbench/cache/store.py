"""The on-disk cache: verified reads, atomic writes, per-stage lookup counts."""

from __future__ import annotations

import abc
import contextlib
import os
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from workbench.cache.entry import EntryError, pack_entry, unpack_entry
from workbench.cache.keys import CacheKey, check_stage
from workbench.cache.stats import ENTRY_SUFFIX, CacheSummary, scan, summarize
from workbench.fs import TEMP_SUFFIX, write_bytes_atomic

__all__ = [
    "TEMP_MAX_AGE_S",
    "Cache",
    "CacheCorruptionWarning",
    "CacheReadWarning",
    "CacheStore",
    "CacheWriteWarning",
    "DisabledCache",
    "StageCounts",
    "default_root",
]

TEMP_MAX_AGE_S = 3600.0  # clear() removes temp files older than this: their writer is gone


class CacheCorruptionWarning(UserWarning):
    """An entry failed verification; it was removed and the value is recomputed."""


class CacheReadWarning(UserWarning):
    """An entry could not be read (ESTALE, EIO on a network filesystem); it counts as a miss."""


class CacheWriteWarning(UserWarning):
    """The cache folder cannot be written; values are computed but not stored."""


@dataclass(frozen=True, slots=True)
class StageCounts:
    """Lookups of one stage: hits + misses = lookups; corrupt entries count as misses too."""

    hits: int = 0
    misses: int = 0
    corrupt: int = 0


def default_root() -> Path:
    """``$WORKBENCH_CACHE`` when set and non-empty, else ``~/.cache/workbench``."""
    configured = os.environ.get("WORKBENCH_CACHE", "")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "workbench"


class Cache(abc.ABC):
    """What the engine needs from a cache, so that --no-cache swaps in DisabledCache."""

    @abc.abstractmethod
    def get(self, key: CacheKey) -> bytes | None:
        """The stored payload, or None on a miss."""

    @abc.abstractmethod
    def put(self, key: CacheKey, payload: bytes) -> None:
        """Store a payload under key (last writer wins)."""

    @abc.abstractmethod
    def take_counts(self) -> dict[str, StageCounts]:
        """Lookups per stage since the last call, in this process, then reset: the engine turns
        each call into CacheStats events."""

    @abc.abstractmethod
    def stats(self) -> CacheSummary:
        """Entries and bytes per stage, read from the folder."""

    @abc.abstractmethod
    def clear(self, stage: str | None = None) -> int:
        """Remove the entries of one stage (or all); returns how many were removed."""


class CacheStore(Cache):
    """Content-addressed entries under ``root/<stage>/<digest[:2]>/<digest>.entry``.

    Safe for many processes and machines sharing one folder: an entry is written to a
    unique temp file, then renamed over the final name, so readers see either no entry or one
    writer's whole file, and every read is verified before it is trusted. Entries are not
    fsynced: after a machine crash a recent entry may be missing or hold unwritten bytes, which
    its checksum catches (a corrupt miss, recomputed); a per-entry fsync would cost more than
    recomputing the rare entry a crash spoils.
    A folder that cannot be written gives one CacheWriteWarning per stage and reason,
    then puts are skipped: the run goes on uncached rather than failing every item. An entry
    that exists but cannot be read (ESTALE, EIO) gives one CacheReadWarning per stage and
    reason and is a counted miss.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_root()
        self._lock = threading.Lock()
        self._counts: dict[str, StageCounts] = {}
        self._warned: set[tuple[type, str, str]] = set()

    def __reduce__(self) -> tuple[type[CacheStore], tuple[str]]:
        # Sent to worker processes by root only: counts are per process, locks do not pickle.
        return (CacheStore, (str(self.root),))

    def __repr__(self) -> str:
        return f"CacheStore({str(self.root)!r})"

    def _path(self, stage: str, digest: str) -> Path:
        return self.root / stage / digest[:2] / f"{digest}{ENTRY_SUFFIX}"

    def get(self, key: CacheKey) -> bytes | None:
        """The verified payload, or None on a miss; a bad entry is reported, removed, missed."""
        digest = key.digest
        path = self._path(key.stage, digest)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
                identity = os.fstat(handle.fileno())
        except (FileNotFoundError, NotADirectoryError):
            self._count(key.stage, misses=1)
            return None
        except OSError as exc:  # NFS: ESTALE after another host's rename-over, EIO
            self._warn_once(
                key.stage,
                exc,
                f"cache entry {path} cannot be read ({exc.strerror or exc}): {key.stage} "
                "values that cannot be read are recomputed (counted as misses)",
                CacheReadWarning,
            )
            self._count(key.stage, misses=1)
            return None
        try:
            payload = unpack_entry(digest, data)
        except EntryError as exc:
            self._discard(path, identity, exc.reason)
            self._count(key.stage, misses=1, corrupt=1)
            return None
        self._count(key.stage, hits=1)
        return payload

    def put(self, key: CacheKey, payload: bytes) -> None:
        """Write atomically; an unwritable folder warns once and skips (see class doc)."""
        if not isinstance(payload, bytes | bytearray | memoryview):
            raise TypeError(f"cache payload must be bytes, got {type(payload).__name__}")
        digest = key.digest
        path = self._path(key.stage, digest)
        data = pack_entry(digest, payload)
        try:
            self._write(path, data)
        except OSError as exc:
            self._warn_once(
                key.stage,
                exc,
                f"cache folder {path.parent} cannot be written ({exc.strerror or exc}): "
                f"{key.stage} results are computed but not cached; fix the folder, set "
                "WORKBENCH_CACHE, or use --no-cache",
                CacheWriteWarning,
            )

    def take_counts(self) -> dict[str, StageCounts]:
        with self._lock:
            taken, self._counts = self._counts, {}
        return taken

    def stats(self) -> CacheSummary:
        return summarize(self.root)

    def clear(self, stage: str | None = None) -> int:
        """Unlink entries one by one (each unlink is atomic), stale temp files, empty folders."""
        if stage is not None:
            stage_dirs = [self.root / check_stage(stage)]
        else:
            stage_dirs = [Path(d.path) for d in scan(self.root) if d.is_dir(follow_symlinks=False)]
        cutoff = time.time() - TEMP_MAX_AGE_S
        removed = 0
        for stage_dir in stage_dirs:
            for shard in scan(stage_dir):
                if not shard.is_dir(follow_symlinks=False):
                    continue
                for entry in scan(shard.path):
                    if entry.name.endswith(ENTRY_SUFFIX) and not entry.name.startswith("."):
                        removed += _unlink(entry.path)
                    elif entry.name.endswith(TEMP_SUFFIX) and _mtime(entry) < cutoff:
                        _unlink(entry.path)
                _rmdir(shard.path)
            _rmdir(stage_dir)
        return removed

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        """Write atomically, recreating the entry's folder if a concurrent clear() removed it."""
        for _ in range(3):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(path, data, durable=False)
                return
            except FileNotFoundError:
                continue
        raise FileNotFoundError(f"cache folder {path.parent} keeps disappearing")

    def _discard(self, path: Path, identity: os.stat_result, reason: str) -> None:
        """Remove a bad entry unless a writer has already replaced it, then warn."""
        outcome = "removed"
        try:
            current = os.stat(path)
            if (current.st_dev, current.st_ino) == (identity.st_dev, identity.st_ino):
                os.unlink(path)
            else:
                outcome = "already replaced by another writer"
        except FileNotFoundError:
            outcome = "already removed by another process"
        except OSError as exc:
            outcome = f"could not be removed ({exc.strerror})"
        warnings.warn(
            f"corrupt cache entry {path}: {reason}; {outcome}, treated as a miss",
            CacheCorruptionWarning,
            stacklevel=3,
        )

    def _warn_once(
        self, stage: str, exc: OSError, message: str, category: type[UserWarning]
    ) -> None:
        """One warning per stage, kind and reason, not one per item."""
        reason = exc.strerror or str(exc)
        with self._lock:
            if (category, stage, reason) in self._warned:
                return
            self._warned.add((category, stage, reason))
        warnings.warn(message, category, stacklevel=3)

    def _count(self, stage: str, hits: int = 0, misses: int = 0, corrupt: int = 0) -> None:
        with self._lock:
            old = self._counts.get(stage, StageCounts())
            self._counts[stage] = StageCounts(
                old.hits + hits, old.misses + misses, old.corrupt + corrupt
            )


class DisabledCache(Cache):
    """The --no-cache cache: every lookup misses, nothing is written, nothing is counted."""

    root = None

    def __repr__(self) -> str:
        return "DisabledCache()"

    def get(self, key: CacheKey) -> bytes | None:
        return None

    def put(self, key: CacheKey, payload: bytes) -> None:
        return None

    def take_counts(self) -> dict[str, StageCounts]:
        return {}

    def stats(self) -> CacheSummary:
        return CacheSummary("(disabled)", ())

    def clear(self, stage: str | None = None) -> int:
        return 0


def _unlink(path: str) -> int:
    """1 if this call removed the file, 0 if another process did first."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return 0
    return 1


def _rmdir(path: str | Path) -> None:
    """Remove a folder if it is empty; a concurrent writer may just have filled it."""
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _mtime(entry: os.DirEntry) -> float:
    """Modification time, or +inf for a file already gone (so it is left alone)."""
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except FileNotFoundError:
        return float("inf")
