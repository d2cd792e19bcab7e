"""Chain sequences of every structure in tests/data, and ANARCI itself as the reference."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import random
from pathlib import Path

import pytest
from Bio.PDB import PDBParser

from workbench.structure import chain_sequences

_ANARCI = importlib.import_module("anarci.anarci")


def _hmmer_bin() -> Path:
    """The real hmmscan binary of PyPI ``hmmer`` (not the .venv/bin wrapper)."""
    import hmmer

    return Path(hmmer.__file__).parent / "data" / "bin"


@pytest.fixture(scope="session")
def structure_chains(data_dir: Path) -> dict[str, dict[str, str]]:
    """File stem -> chain id -> sequence, for complexes/ and structures-misc/."""
    parser = PDBParser(QUIET=True)
    out = {}
    for folder in ("complexes", "structures-misc"):
        for path in sorted((data_dir / folder).glob("*.pdb")):
            out[path.stem] = chain_sequences(parser.get_structure(path.stem, path))
    return out


@pytest.fixture(scope="session")
def all_chains(structure_chains) -> list[tuple[str, str]]:
    """(stem:chain, sequence) for every distinct protein chain sequence of the test data."""
    seen, out = set(), []
    for stem, chains in structure_chains.items():
        for chain, sequence in chains.items():
            if sequence not in seen:
                seen.add(sequence)
                out.append((f"{stem}:{chain}", sequence))
    return out


@pytest.fixture(scope="session")
def mutants(all_chains) -> list[tuple[str, str]]:
    """Point-mutated variants (1-6 substitutions each, seeded) of every chain."""
    rng = random.Random(20240611)
    out = []
    for i in range(300):
        name, sequence = all_chains[i % len(all_chains)]
        letters = list(sequence)
        for _ in range(rng.randint(1, 6)):
            letters[rng.randrange(len(letters))] = rng.choice("ACDEFGHIKLMNPQRSTVWY")
        out.append((f"{name}/m{i}", "".join(letters)))
    return out


@pytest.fixture(scope="session")
def anarci_reference():
    """Number with ``anarci.anarci`` and the real hmmscan binary, in one call per list."""

    def run(named: list[tuple[str, str]], scheme: str = "imgt", germline: bool = False):
        path = f"{_hmmer_bin()}{os.pathsep}{os.environ.get('PATH', '')}"
        with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()):
            patch.setenv("PATH", path)
            numbered, details, _ = _ANARCI.anarci(
                named, scheme=scheme, allow={"H", "K", "L"}, assign_germline=germline
            )
        return numbered, details

    return run
