"""Input discovery: expand files and folders into the structure files to read, in a fixed order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from .refs import SourceError

__all__ = ["discover", "input_kind"]

_KINDS = {".pdb": "pdb", ".ent": "pdb", ".cif": "mmcif", ".mmcif": "mmcif", ".qv": "quiver"}


def input_kind(path: str | Path) -> str | None:
    """``"pdb"``, ``"mmcif"`` or ``"quiver"`` by name (PDB/mmCIF may end in .gz), else None."""
    name = Path(path).name.lower()
    if name.endswith(".qv"):
        return "quiver"
    kind = _KINDS.get(Path(name.removesuffix(".gz")).suffix)
    return None if kind == "quiver" else kind


def _tree(folder: Path) -> Iterator[Path]:
    """Structure files under ``folder``, sorted by name per level; hidden names and links to
    folders are not followed, so a walk always ends. A folder that cannot be listed is
    yielded itself, for the reader to report."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        yield folder
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _tree(Path(entry.path))
        elif input_kind(entry.name) is not None and entry.is_file():
            yield Path(entry.path)


def _walk(roots: list[Path]) -> Iterator[Path]:
    seen: set[str] = set()
    for root in roots:
        for path in _tree(root) if root.is_dir() else [root]:
            key = os.path.abspath(path)
            if key not in seen:
                seen.add(key)
                yield path


def discover(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to read: each given file as is, each folder walked recursively (sorted).

    In folders only .pdb/.ent/.cif/.mmcif (each optionally .gz) and .qv files are taken;
    ``.qv.idx`` indexes, hidden and other files are skipped. A file named explicitly is kept
    whatever its extension (the reader reports an unknown one), and so is a folder that
    cannot be listed. A given path that does not exist raises SourceError at once; a file
    is yielded once even if named twice.
    """
    roots = [Path(path) for path in paths]
    for root in roots:
        if not root.exists():
            raise SourceError(str(root), "no such file or directory")
    return _walk(roots)
