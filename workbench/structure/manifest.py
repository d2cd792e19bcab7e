"""Chain roles declared by the user: a manifest table per file, or flags for a whole run."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.structure.records import ChainSpec

__all__ = ["Manifest", "ManifestEntry", "load_manifest", "parse_chain_spec", "split_chain_ids"]

_NONE = ("", "-")
_SEPARATORS = re.compile(r"[,;\s]+")
_SUFFIXES = (".gz", ".bz2", ".pdb", ".ent", ".cif", ".mmcif", ".qv")
_COLUMNS = ("heavy", "light", "antigen")


def parse_chain_spec(heavy: str | None, light: str | None, antigen: str | None) -> ChainSpec | None:
    """Chain spec from user text; None when no heavy chain is given (roles detected later).

    ``light`` '-' or empty means none (nanobody); ``antigen`` is 'ABC' (one id per
    character) or 'A,B,C' (ids separated by commas, semicolons or spaces).

    Raises
    ------
    ValueError
        When one chain is given two roles.
    """
    heavy = _chain_or_none(heavy)
    if heavy is None:
        return None
    light = _chain_or_none(light)
    chains = split_chain_ids(antigen)
    declared = [heavy, *([light] if light else []), *chains]
    twice = sorted({chain for chain in declared if declared.count(chain) > 1})
    if twice:
        raise ValueError(f"chain declared more than once: {', '.join(twice)}")
    return ChainSpec(heavy=heavy, light=light, antigen=chains)


def split_chain_ids(text: str | None) -> tuple[str, ...]:
    """'ABC' (one id per character) or 'A,B,C' (commas, semicolons or spaces) → ids."""
    text = (text or "").strip()
    if text in _NONE:
        return ()
    if _SEPARATORS.search(text):
        return tuple(chain for chain in _SEPARATORS.split(text) if chain)
    return tuple(text)


def _chain_or_none(text: str | None) -> str | None:
    text = (text or "").strip()
    return None if text in _NONE else text


def file_stem(path: str | Path) -> str:
    """File name without structure and compression suffixes: '1AHW.pdb.gz' → '1AHW'."""
    name = Path(path).name
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                stripped = True
    return name


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One row: a file (or folder) and its chain spec; spec None means detect the roles."""

    path: Path  # resolved
    spec: ChainSpec | None


@dataclass(frozen=True, slots=True)
class Manifest:
    """The rows of a manifest file, looked up by path, enclosing folder, file name or stem."""

    source: str
    entries: tuple[ManifestEntry, ...]
    _by_path: dict[Path, ManifestEntry] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, list[ManifestEntry]] = field(init=False, repr=False, compare=False)
    _by_stem: dict[str, list[ManifestEntry]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[ManifestEntry]] = {}
        by_stem: dict[str, list[ManifestEntry]] = {}
        for entry in self.entries:
            by_name.setdefault(entry.path.name, []).append(entry)
            by_stem.setdefault(file_stem(entry.path), []).append(entry)
        object.__setattr__(self, "_by_path", {entry.path: entry for entry in self.entries})
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_stem", by_stem)

    def __len__(self) -> int:
        return len(self.entries)

    def spec_for(self, path: str | Path) -> ChainSpec | None:
        """Spec of ``path``: exact path, then enclosing listed folder, then file name, then stem.

        None when nothing matches (or the row leaves the roles to detection).

        Raises
        ------
        ValueError
            When the name or stem matches rows with different specs.
        """
        resolved = Path(path).resolve()
        for candidate in (resolved, *resolved.parents):
            if candidate in self._by_path:
                return self._by_path[candidate].spec
        for key, table in ((resolved.name, self._by_name), (file_stem(resolved), self._by_stem)):
            matches = table.get(key, [])
            if len({entry.spec for entry in matches}) > 1:
                rows = ", ".join(str(entry.path) for entry in matches)
                raise ValueError(f"{self.source}: {key} matches rows with different chains: {rows}")
            if matches:
                return matches[0].spec
        return None


def load_manifest(path: str | Path) -> Manifest:
    """Read a TSV or CSV manifest (delimiter sniffed) with columns path|case, heavy, light, antigen.

    Relative paths are taken from the manifest's folder; a ``case`` column names
    ``<case>.pdb`` there.

    Raises
    ------
    ValueError
        When columns are missing or a row is unusable; the message names the file.
    """
    path = Path(path)
    folder = path.resolve().parent
    text = path.read_text()
    reader = csv.DictReader(text.splitlines(), delimiter=_delimiter(text))
    columns = [name.strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = columns
    key = "path" if "path" in columns else "case" if "case" in columns else None
    if key is None or any(column not in columns for column in _COLUMNS):
        raise ValueError(
            f"{path}: a manifest needs columns path (or case), heavy, light, antigen; "
            f"found: {', '.join(columns) or 'none'}"
        )
    entries = []
    for line, row in enumerate(reader, start=2):
        name = (row.get(key) or "").strip()
        if not name:
            raise ValueError(f"{path}: line {line} has an empty {key}")
        target = folder / (name if key == "path" else f"{name}.pdb")
        try:
            spec = parse_chain_spec(row.get("heavy"), row.get("light"), row.get("antigen"))
        except ValueError as error:
            raise ValueError(f"{path}: line {line}: {error}") from error
        entries.append(ManifestEntry(target.resolve(), spec))
    return Manifest(source=str(path), entries=tuple(entries))


def _delimiter(text: str) -> str:
    """Tab, comma or semicolon, sniffed from the start of the file."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters="\t,;").delimiter
    except csv.Error:
        header = text.partition("\n")[0]
        return "\t" if "\t" in header else ","
