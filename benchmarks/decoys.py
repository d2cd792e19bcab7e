"""Docking-decoy style inputs for benchmarks: rigidly moved copies of one real complex."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from workbench.sources import write_quiver

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
DEEPRANK_EXAMPLE = DATA / "structures-misc" / "deeprank_ab_example.pdb"
DEEPRANK_CHAINS = {"heavy": "H", "light": "L", "antigen": "A"}


def perturbed_copies(pdb: Path, n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(tag, PDB text) of ``n`` copies, each rotated and translated as a whole."""
    lines = pdb.read_text().splitlines()
    atom_rows = [i for i, line in enumerate(lines) if line.startswith(("ATOM", "HETATM"))]
    xyz = np.array([[float(lines[i][c : c + 8]) for c in (30, 38, 46)] for i in atom_rows])
    centre = xyz.mean(axis=0)
    rng = np.random.default_rng(seed)
    for k in range(n):
        rotation = Rotation.random(random_state=rng)
        moved = rotation.apply(xyz - centre) + centre + rng.normal(scale=5.0, size=3)
        out = list(lines)
        for row, (x, y, z) in zip(atom_rows, moved, strict=True):
            line = out[row]
            out[row] = f"{line[:30]}{x:8.3f}{y:8.3f}{z:8.3f}{line[54:]}"
        yield f"decoy_{k:06d}", "\n".join(out) + "\n"


def write_decoy_quiver(path: Path, pdb: Path, n: int, seed: int = 0) -> Path:
    """A quiver archive of ``n`` perturbed copies with a score per entry."""
    write_quiver(
        path,
        ((tag, text, {"rank": k}) for k, (tag, text) in enumerate(perturbed_copies(pdb, n, seed))),
    )
    return path


def write_decoy_folder(folder: Path, pdb: Path, n: int, seed: int = 0) -> Path:
    """``n`` perturbed copies as separate PDB files."""
    folder.mkdir(parents=True, exist_ok=True)
    for tag, text in perturbed_copies(pdb, n, seed):
        (folder / f"{tag}.pdb").write_text(text)
    return folder
