"""Design-campaign stand-ins made from one real complex: interface mutants with the antigen moved.

A design campaign holds many models that differ in a few antibody residues at the interface and
in the pose of the antigen. :func:`design_models` makes such models from a real PDB file, seeded,
so a demo or a benchmark shows many unique sequences (annotation and embedding work) and many
interfaces (graph work) without shipping thousands of files. Mutated residues keep their backbone
(N, CA, C, O) and, unless the new residue is glycine, CB — as a backbone-design model would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from Bio.Data.IUPACData import protein_letters
from Bio.PDB.Polypeptide import index_to_three, is_aa, one_to_index
from scipy.spatial.distance import cdist
from scipy.spatial.transform import Rotation

__all__ = ["DesignPlan", "atom_coordinates", "design_models", "with_coordinates"]

_KEPT = ("N", "CA", "C", "O", "CB")


def atom_coordinates(lines: list[str]) -> tuple[list[int], np.ndarray]:
    """Indices of a PDB text's ATOM/HETATM lines and their coordinates, shape (n, 3), in Å."""
    rows = [i for i, line in enumerate(lines) if line.startswith(("ATOM", "HETATM"))]
    xyz = np.array([[float(lines[i][c : c + 8]) for c in (30, 38, 46)] for i in rows])
    return rows, xyz


def with_coordinates(line: str, xyz: np.ndarray) -> str:
    """An ATOM/HETATM line with its coordinate columns rewritten."""
    x, y, z = xyz
    return f"{line[:30]}{x:8.3f}{y:8.3f}{z:8.3f}{line[54:]}"


@dataclass(frozen=True, slots=True)
class DesignPlan:
    """How far the models stray from the template: mutations per model, antigen pose change."""

    designed_chain: str
    antigen_chains: tuple[str, ...]
    mutations: int = 3
    pocket: float = 8.0  # Å: designable residues have CA within this distance of the antigen
    max_angle: float = 6.0  # degrees, rotation of the antigen about its centroid
    max_shift: float = 1.0  # Å, per axis


def design_models(pdb: Path, plan: DesignPlan, n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(tag, PDB text) of ``n`` models of ``pdb``: each has ``plan.mutations`` interface mutations
    on the designed chain and the antigen rotated and shifted rigidly (DeepRank-Ab's decoy recipe:
    a random axis through the antigen centroid)."""
    lines = pdb.read_text().splitlines()
    rows, xyz = atom_coordinates(lines)
    chain = np.array([lines[i][21] for i in rows])
    residue = np.array([lines[i][17:27] for i in rows])
    atom = np.array([lines[i][12:16].strip() for i in rows])
    antigen = np.isin(chain, plan.antigen_chains)
    if not antigen.any() or not (chain == plan.designed_chain).any():
        wanted = f"chain {plan.designed_chain} and antigen {', '.join(plan.antigen_chains)}"
        raise ValueError(f"{pdb}: a design template needs {wanted}")
    pocket = _pocket(residue, atom, chain, xyz, antigen, plan)
    centroid = xyz[antigen].mean(axis=0)
    rng = np.random.default_rng(seed)
    for k in range(n):
        axis = rng.normal(size=3)
        angle = np.deg2rad(rng.uniform(0.0, plan.max_angle))
        turn = Rotation.from_rotvec(axis / np.linalg.norm(axis) * angle)
        moved = xyz.copy()
        moved[antigen] = turn.apply(xyz[antigen] - centroid) + centroid
        moved[antigen] += rng.uniform(-plan.max_shift, plan.max_shift, 3)
        chosen = rng.choice(len(pocket), size=min(plan.mutations, len(pocket)), replace=False)
        mutations = {pocket[j]: protein_letters[rng.integers(len(protein_letters))] for j in chosen}
        yield f"design_{k:06d}", _render(lines, rows, residue, atom, moved, mutations)


def _pocket(residue, atom, chain, xyz, antigen, plan: DesignPlan) -> list[str]:
    """Residue keys of the designed chain whose CA lies within ``plan.pocket`` of the antigen."""
    ca = (chain == plan.designed_chain) & (atom == "CA")
    distance = cdist(xyz[ca], xyz[antigen]).min(axis=1)
    keys = [key for key, d in zip(residue[ca], distance, strict=True) if d <= plan.pocket]
    standard = [key for key in keys if is_aa(key[:3], standard=True)]
    if not standard:
        raise ValueError(f"no residue of chain {plan.designed_chain} within {plan.pocket} Å")
    return standard


def _render(lines, rows, residue, atom, xyz, mutations: dict[str, str]) -> str:
    out = list(lines)
    drop = set()
    for k, i in enumerate(rows):
        line = out[i]
        new = mutations.get(residue[k])
        if new is not None:
            if atom[k] not in _KEPT or (new == "G" and atom[k] == "CB"):
                drop.add(i)
                continue
            line = f"{line[:17]}{index_to_three(one_to_index(new))}{line[20:]}"
        out[i] = with_coordinates(line, xyz[k])
    return "\n".join(line for i, line in enumerate(out) if i not in drop) + "\n"
