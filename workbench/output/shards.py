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

from workbench.fs import PARTIAL_SUFFIX, AtomicFile
from workbench.output.graphs import GraphWriter

__all__ = ["ShardedGraphs", "copy_graphs", "previous_shard", "shard_name", "write_shard"]

_SHARD = re.compile(r"part-(\d+)\.h5")


def shard_name(number: int) -> str:
    """File name of shard ``number`` (``part-00003.h5``)."""
    return f"part-{number:05d}.h5"


def write_shard(path: str | Path, images: Iterable[tuple[str, bytes, str]]) -> None:
    """Write a shard of ``(item_id, graph image, cache key)`` groups under a temporary name,
    renamed to ``path`` when complete (a killed writer leaves only a ``.partial`` file)."""
    with GraphWriter(path, fresh=True) as writer:
        for item_id, image, key in images:
            writer.write_image(item_id, image, key)


def copy_graphs(index: str | Path, out: str | Path) -> int:
    """Every group the index links to, copied into one standalone file ``out`` (atomically),
    for a reader that gets one file without its shard folder; returns the groups copied."""
    with (
        AtomicFile(out) as temp,
        h5py.File(index, "r") as source,
        h5py.File(temp.path, "w") as target,
    ):
        for name in source:
            source.copy(source[name], target, name=name)  # follows the link to the shard's group
        return len(target)


def _number(name: str) -> int | None:
    match = _SHARD.fullmatch(name)
    return None if match is None else int(match.group(1))


def previous_shard(index: str | Path, item_id: str) -> str | None:
    """The shard a committed ``index`` links ``item_id`` to, if the shard is still there: the
    worker of a chunk whose items that shard holds under the same keys reuses it. Opened read
    only, beside the parent and any reader (a run writes its own index under another name)."""
    index = Path(index)
    try:
        with h5py.File(index, "r") as f:
            link = f.get(item_id, getlink=True)
    except OSError:  # absent (a first run) or unreadable: nothing to reuse
        return None
    if not isinstance(link, h5py.ExternalLink):
        return None
    name = Path(link.filename).name
    folder = index.parent / Path(link.filename).parent
    return name if _number(name) is not None and (folder / name).is_file() else None


def _referenced(index: h5py.File) -> set[int]:
    """Shard numbers an index links to, read from its links (a rerun reuses shards of earlier
    runs, so they are no range; a few µs a link, once per run)."""
    numbers: set[int] = set()
    links = index.id.links
    for name in index:
        try:
            target = links.get_val(name.encode())  # external: (file, object path)
        except TypeError:  # a hard link: a group of an unsharded file
            continue
        number = _number(Path(target[0].decode()).name) if isinstance(target, tuple) else None
        if number is not None:
            numbers.add(number)
    return numbers


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
        self._linked: set[int] = set()  # the shard numbers linked so far
        self._numbered = ("", 0)  # the last shard name seen and its number
        self._previous: h5py.File | None = None  # the index this one replaces, if readable

    def open(self) -> ShardedGraphs:
        """Start a fresh index (idempotent); shard numbers continue past every existing shard,
        so a new shard never takes the name of a file a reader may hold."""
        if self._file is not None:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        numbers = [n for n in map(_number, self._names()) if n is not None]
        self._next = max(numbers, default=-1) + 1
        self._temp = AtomicFile(self.index, suffix=PARTIAL_SUFFIX)
        self._file = h5py.File(self._temp.path, "w")
        try:
            self._previous = h5py.File(self.index, "r") if self.index.is_file() else None
        except OSError:  # unreadable: nothing to reuse
            self._previous = None
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

    @property
    def replaced(self) -> Path | None:
        """The committed index this one replaces, when it was readable at open (absolute: a
        chunk's worker, in another working directory, finds the shard to reuse in it)."""
        return None if self._previous is None else self.index.absolute()

    def next_shard(self) -> str:
        """A new shard's file name, for the process that will write it."""
        if self._file is None:  # the numbering is read from the folder on open
            raise RuntimeError(f"{self.index}: ShardedGraphs used outside its with-block")
        name = shard_name(self._next)
        self._next += 1
        return name

    def add(self, item_id: str, shard: str, group: str | None = None) -> None:
        """Link ``item_id`` to its group in ``shard`` (a name from :meth:`next_shard`), named
        ``group`` there when the worker named it otherwise (the run made its id unique)."""
        if shard != self._numbered[0]:
            number = _number(shard)
            if number is None:
                raise ValueError(f"{self.index}: {shard!r} is not a shard name")
            self._numbered = (shard, number)
        number = self._numbered[1]
        name, target = item_id.encode(), f"{self.folder.name}/{shard}".encode()
        path = b"/" + (name if group is None else group.encode())
        # h5py's low-level call: a third of the cost of assigning an h5py.ExternalLink
        self.file.id.links.create_external(name, target, path)
        self._linked.add(number)

    def shard_of(self, item_id: str) -> tuple[Path, str]:
        """The shard file holding ``item_id``'s group, and the group's name in it; KeyError
        when it is not linked."""
        link = self.file.get(item_id, getlink=True)
        if not isinstance(link, h5py.ExternalLink):
            raise KeyError(f"{self.index}: no item {item_id!r}")
        return self.index.parent / link.filename, link.path.lstrip("/")

    def shard_paths(self) -> Iterator[Path]:
        """Every shard the index links to, in number order."""
        for number in sorted(self._linked):
            yield self.folder / shard_name(number)

    def close(self, commit: bool = True) -> None:
        """Close the index; on ``commit`` rename it over the old one and remove the shards
        linked by neither (the replaced index's stay one run, for readers still holding it)."""
        if self._file is None:
            return
        linked = self._linked
        self._file.close()
        self._file = None
        previous: set[int] = set()  # none when the replaced index was absent or unreadable
        if self._previous is not None:
            if commit:
                previous = _referenced(self._previous)
            self._previous.close()
            self._previous = None
        temp, self._temp = self._temp, None
        if not commit:
            temp.discard()
            return
        temp.commit()
        for name in self._names():
            number = _number(name)
            if number is None and not name.endswith(PARTIAL_SUFFIX):
                continue  # not ours
            if number is None or (number not in linked and number not in previous):
                (self.folder / name).unlink(missing_ok=True)
