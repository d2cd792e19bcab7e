"""Helpers for the sources tests: the real PDB files, and perturbed copies of their text."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def real_pdbs(complexes_dir: Path, data_dir: Path) -> list[Path]:
    """Every PDB file of the complexes and structures-misc folders of tests/data."""
    paths = sorted(complexes_dir.glob("*.pdb")) + sorted(
        (data_dir / "structures-misc").glob("*.pdb")
    )
    assert len(paths) >= 20
    return paths


@pytest.fixture(scope="session")
def small_complex(data_dir: Path) -> Path:
    """The smallest real file (an antigen of about 1,200 atoms): fast to copy many times."""
    return data_dir / "structures-misc" / "4I1B-matched.pdb"


def _perturb(text: str, seed: int, scale: float = 0.5, max_atoms: int | None = None) -> str:
    """Copy of PDB text, every x, y, z moved by up to ``scale`` Å (keeping ``max_atoms`` atoms)."""
    rng = random.Random(seed)
    out, atoms = [], 0
    for line in text.splitlines(keepends=True):
        if line.startswith(("ATOM  ", "HETATM")):
            atoms += 1
            if max_atoms is not None and atoms > max_atoms:
                continue
            xyz = "".join(
                f"{float(line[i : i + 8]) + rng.uniform(-scale, scale):8.3f}" for i in (30, 38, 46)
            )
            line = line[:30] + xyz + line[54:]
        out.append(line)
    return "".join(out)


@pytest.fixture(scope="session")
def perturb() -> Callable[..., str]:
    """``perturb(text, seed, scale=0.5, max_atoms=None)``: a jittered copy of a PDB text."""
    return _perturb
