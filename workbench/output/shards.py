"""A sharded graph file: shards written where the graphs are made, one index of external links.

See the layout and its guarantees in :mod:`workbench.output.graphs`. The process that prepared
a chunk writes its graphs with :func:`write_shard`; the run's parent links every item into the
index through :class:`ShardedGraphs`, never touching graph bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType

import h5py
import numpy as np

from workbench.fs import PARTIAL_SUFFIX, AtomicFile
from workbench.output.graphs import GraphWriter

__all__ = ["ShardedGraphs", "shard_name", "write_shard"]

_SHARD = re.compile(r"part-(\d+)\.h5")
_SHARDS_ATTR = "shards"  # the index's shard names, so a later run knows what it referenced
_STR = h5py.string_dtype("utf-8")


def shard_name(number: int) -> str:
    """File name of shard ``number`` (``part-00003.h5``)."""
    return f"part-{number:05d}.h5"


def write_shard(path: str | Path, images: Iterable[tuple[str, bytes, str]]) -> None:
    """Write a shard of ``(item_id, graph image, cache key)`` groups under a temporary name,
    renamed to ``path`` when complete (a killed writer leaves only a ``.partial`` file)."""
    with GraphWriter(path, fresh=True) as writer:
        for item_id, image, key in images:
            writer.write_image(item_id, image, key)


def _referenced(index: Path) -> set[str]:
    """Shard names the existing index links to; none when absent, unreadable or unsharded."""
    try:
        with h5py.File(index, "r") as f:
            return {str(name) for name in f.attrs.get(_SHARDS_ATTR, ())}
    except OSError:
        return set()


class ShardedGraphs:
    """The parent's side of a sharded graph file: names shards, links items into a fresh index
    renamed over ``index`` on a clean close, then removes shards no index needs any more.

    ``folder`` (beside ``index``) holds the shards; links are relative to the index's folder,
    which HDF5 resolves against the index file's own directory, whatever the reader's cwd.
    """

    def __init__(self, index: str | Path, folder: str | Path) -> None:
        self.index = Path(index)
        self.folder = Path(folder)
        if self.folder.parent != self.index.parent:
            raise ValueError(f"{self.folder}: shards must lie beside their index {self.index}")
        self._file: h5py.File | None = None
        self._temp: AtomicFile | None = None
        self._next = 0
        self._shards: set[str] = set()

    def open(self) -> ShardedGraphs:
        """Start a fresh index (idempotent); shard numbers continue past every existing shard,
        so a new shard never takes the name of a file a reader may hold."""
        if self._file is not None:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(m.group(1)) for m in map(_SHARD.fullmatch, self._names()) if m]
        self._next = max(numbers, default=-1) + 1
        self._temp = AtomicFile(self.index, suffix=PARTIAL_SUFFIX)
        self._file = h5py.File(self._temp.path, "w")
        return self

    def __enter__(self) -> ShardedGraphs:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(commit=exc_type is None)

    def _names(self) -> list[str]:
        return [p.name for p in self.folder.iterdir()] if self.folder.is_dir() else []

    @property
    def file(self) -> h5py.File:
        """The index being written (its links resolve to shards already complete)."""
        if self._file is None:
            raise RuntimeError(f"{self.index}: ShardedGraphs used outside its with-block")
        return self._file

    def next_shard(self) -> str:
        """A new shard's file name, for the process that will write it."""
        if self._file is None:  # the numbering is read from the folder on open
            raise RuntimeError(f"{self.index}: ShardedGraphs used outside its with-block")
        name = shard_name(self._next)
        self._next += 1
        return name

    def add(self, item_id: str, shard: str) -> None:
        """Link ``item_id`` to its group in ``shard`` (a name from :meth:`next_shard`)."""
        name, target = item_id.encode(), f"{self.folder.name}/{shard}".encode()
        # h5py's low-level call: a third of the cost of assigning an h5py.ExternalLink
        self.file.id.links.create_external(name, target, b"/" + name)
        self._shards.add(shard)

    def shard_of(self, item_id: str) -> Path:
        """The shard file holding ``item_id``'s group; KeyError when it is not linked."""
        link = self.file.get(item_id, getlink=True)
        if not isinstance(link, h5py.ExternalLink):
            raise KeyError(f"{self.index}: no item {item_id!r}")
        return self.index.parent / link.filename

    def shard_paths(self) -> Iterator[Path]:
        """Every shard the index links to, in name order."""
        for name in sorted(self._shards):
            yield self.folder / name

    def close(self, commit: bool = True) -> None:
        """Close the index; on ``commit`` rename it over the old one and remove the shards
        linked by neither (the replaced index's stay one run, for readers still holding it)."""
        if self._file is None:
            return
        self._file.attrs[_SHARDS_ATTR] = np.array(sorted(self._shards), dtype=object).astype(_STR)
        self._file.close()
        self._file = None
        temp, self._temp = self._temp, None
        if not commit:
            temp.discard()
            return
        keep = self._shards | _referenced(self.index)
        temp.commit()
        for name in self._names():
            if name not in keep and (_SHARD.fullmatch(name) or name.endswith(PARTIAL_SUFFIX)):
                (self.folder / name).unlink(missing_ok=True)
