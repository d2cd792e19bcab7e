"""Helpers for the structure tests: items from real files or edited text, raw PDB lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.sources.refs import Item, ItemRef, checksum_bytes
from workbench.structure import ChainSpec


def make_item(text: str, source: str = "edited.pdb", fmt: str = "pdb") -> Item:
    """An Item as the sources room would hand it over (one model, plain text)."""
    return Item(ItemRef(source, "", checksum_bytes(text.encode()), fmt), text)


@pytest.fixture(scope="session")
def item_of() -> Callable[[Path], Item]:
    """Item of a real PDB file."""
    return lambda path: make_item(path.read_text(), source=str(path))


@pytest.fixture(scope="session")
def text_item() -> Callable[..., Item]:
    """Item of edited PDB text."""
    return make_item


@pytest.fixture(scope="session")
def misc_dir(data_dir: Path) -> Path:
    return data_dir / "structures-misc"


@pytest.fixture(scope="session")
def case_specs(cases: list[dict[str, str]], complexes_dir: Path) -> dict[str, ChainSpec]:
    """Spec per case straight from cases.tsv columns, without the manifest reader."""
    return {
        row["case"]: ChainSpec(
            heavy=row["heavy"],
            light=None if row["light"] == "-" else row["light"],
            antigen=tuple(row["antigen"]),
        )
        for row in cases
    }


def raw_residues(text: str, chain: str, records: tuple[str, ...] = ("ATOM",)) -> list[tuple]:
    """(res_seq, ins_code, res_name) of ``chain`` in file order, read from the fixed columns."""
    seen: dict[tuple[int, str], str] = {}
    for line in text.splitlines():
        if line[:6].strip() in records and line[21] == chain:
            key = (int(line[22:26]), line[26].strip())
            seen.setdefault(key, line[17:20].strip())
    return [(*key, name) for key, name in seen.items()]


@pytest.fixture(scope="session")
def raw_residues_of() -> Callable[..., list[tuple]]:
    """Residues of a chain read from raw PDB columns, independently of Biopython."""
    return raw_residues
