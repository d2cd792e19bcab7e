"""Atomic file writes: a temporary file beside the target, renamed over it when complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import BinaryIO


class AtomicWriter:
    """Context manager for a temporary file that replaces ``path`` only if the block succeeds.

    The temporary file is created on construction, so an unwritable folder raises OSError
    before any work is done.
    """

    def __init__(self, path: str | Path) -> None:
        target = Path(path)
        prefix = f".{target.name}."
        fd, self._tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
        self._target = target
        self._handle: BinaryIO = os.fdopen(fd, "wb")

    def __enter__(self) -> BinaryIO:
        return self._handle

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._handle.close()
        if exc_type is None:
            os.replace(self._tmp, self._target)
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)
