"""Merged complexes of the real structures, built once per session for the graph tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.sources import iter_items
from workbench.structure import ChainSpec, Complex, load_manifest, merge


@pytest.fixture(scope="session")
def case_complex(complexes_dir: Path) -> Callable[[str], Complex]:
    """Case name (e.g. "1VFB") → merged complex, with the chains of complexes/cases.tsv."""
    manifest = load_manifest(complexes_dir / "cases.tsv")
    built: dict[str, Complex] = {}

    def get(case: str) -> Complex:
        if case not in built:
            path = complexes_dir / f"{case}.pdb"
            (item,) = iter_items([path])
            built[case] = merge(item, manifest.spec_for(path))
        return built[case]

    return get


@pytest.fixture(scope="session")
def example_complex(data_dir: Path) -> Complex:
    """The DeepRank-Ab example complex: heavy H, light L, antigen A."""
    (item,) = iter_items([data_dir / "structures-misc" / "deeprank_ab_example.pdb"])
    return merge(item, ChainSpec(heavy="H", light="L", antigen=("A",)))
