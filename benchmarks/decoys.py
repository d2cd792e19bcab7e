"""Docking-decoy style inputs for benchmarks: rigidly moved copies of one real complex."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from workbench.examples.design import atom_coordinates, with_coordinates
from workbench.sources import write_quiver

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
DEEPRANK_EXAMPLE = DATA / "structures-misc" / "deeprank_ab_example.pdb"
DEEPRANK_CHAINS = {"heavy": "H", "light": "L", "antigen": "A"}


def perturbed_copies(pdb: Path, n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(tag, PDB text) of ``n`` copies, each rotated and translated as a whole."""
    lines = pdb.read_text().splitlines()
    atom_rows, xyz = atom_coordinates(lines)
    centre = xyz.mean(axis=0)
    rng = np.random.default_rng(seed)
    for k in range(n):
        rotation = Rotation.random(random_state=rng)
        moved = rotation.apply(xyz - centre) + centre + rng.normal(scale=5.0, size=3)
        out = list(lines)
        for row, position in zip(atom_rows, moved, strict=True):
            out[row] = with_coordinates(out[row], position)
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
