"""Atomic writes: a temporary file beside the target, fsynced (unless not durable), then renamed."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = [
    "PARTIAL_SUFFIX",
    "TEMP_SUFFIX",
    "AtomicFile",
    "atomic_open",
    "write_bytes_atomic",
    "write_text_atomic",
]

TEMP_SUFFIX = ".tmp"
PARTIAL_SUFFIX = ".partial"  # a run directory's files being written; a rerun sweeps them
_WRITE_MODES = ("w", "wt", "wb")


class AtomicFile:
    """A temporary file beside ``target`` that replaces it on :meth:`commit`.

    The temporary file is created empty on construction, so an unwritable folder raises
    OSError before any work is done; writers that open files by name (pyarrow, h5py) write
    to ``path``. As a context manager it commits when the block succeeds and discards otherwise.
    ``durable=False`` skips the fsync: the rename stays atomic for readers, but a machine crash
    may leave the target missing or with unwritten bytes (for callers that verify what they read).
    """

    def __init__(
        self, target: str | os.PathLike, suffix: str = TEMP_SUFFIX, *, durable: bool = True
    ) -> None:
        self.target = Path(target)
        self.durable = durable
        name = f".{self.target.name}.{os.getpid()}.{secrets.token_hex(8)}{suffix}"
        self.path = self.target.with_name(name)
        # 0o666 less the umask, as open() would give; O_EXCL: the name is this writer's alone
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))

    def commit(self) -> Path:
        """Flush the written file to disk (if durable) and rename it over the target; returns the
        target."""
        try:
            if self.durable:
                fd = os.open(self.path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            os.replace(self.path, self.target)
        except BaseException:
            self.discard()
            raise
        return self.target

    def discard(self) -> None:
        """Remove the temporary file; the target keeps whatever it held before."""
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike,
    mode: str = "wb",
    *,
    suffix: str = TEMP_SUFFIX,
    encoding: str = "utf-8",
    durable: bool = True,
) -> Iterator[IO]:
    """A file handle for streaming writes; ``path`` is replaced only if the block succeeds.

    ``mode`` is "wb" (default) or "w"/"wt" (text in ``encoding``).
    """
    if mode not in _WRITE_MODES:
        raise ValueError(f"atomic_open mode must be one of {_WRITE_MODES}, got {mode!r}")
    text_encoding = None if "b" in mode else encoding
    with (
        AtomicFile(path, suffix, durable=durable) as temp,
        open(temp.path, mode, encoding=text_encoding) as handle,
    ):
        yield handle


def write_bytes_atomic(
    path: str | os.PathLike, data: bytes, *, suffix: str = TEMP_SUFFIX, durable: bool = True
) -> Path:
    """Replace ``path`` with ``data`` in one step (readers never see a partial file)."""
    with atomic_open(path, "wb", suffix=suffix, durable=durable) as handle:
        handle.write(data)
    return Path(path)


def write_text_atomic(
    path: str | os.PathLike, text: str, *, suffix: str = TEMP_SUFFIX, encoding: str = "utf-8"
) -> Path:
    """Replace ``path`` with ``text`` in one step (readers never see a partial file)."""
    with atomic_open(path, "w", suffix=suffix, encoding=encoding) as handle:
        handle.write(text)
    return Path(path)
