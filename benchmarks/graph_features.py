"""Interface-graph build time per complex, as ratios to DeepRank2's 2.99 s per structure.

Times ``build_graph`` (atom graph, BSA included) on rigidly perturbed copies of the DeepRank-Ab
example complex (the docking-decoy case), one process, one core; then with voronota on when the
program is on PATH. Run: ``python benchmarks/graph_features.py [copies] [voronota copies]``.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from workbench.graph import GraphParams, build_graph, residue_bsa, voronota_available
from workbench.sources import iter_items
from workbench.structure import AtomTable, ChainSpec, Complex, merge

DEEPRANK2_SECONDS = 2.99  # DeepRank2's reported graph time per structure, one CPU core
TARGET_SECONDS = 0.06  # this stage's share of the 0.15 s prep budget per complex
EXAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "structures-misc"


def perturbed(complex_: Complex, count: int, seed: int = 0) -> list[Complex]:
    """Copies with the antigen rigidly moved a little (≤ 2 Å, ≤ 5°) and the whole re-posed."""
    rng = np.random.default_rng(seed)
    antigen = complex_.residues.role[complex_.atoms.residue] == "antigen"
    copies = []
    for _ in range(count):
        coord = complex_.atoms.coord.copy()
        nudge = Rotation.from_rotvec(rng.normal(size=3) * np.radians(5) / np.sqrt(3))
        centre = coord[antigen].mean(axis=0)
        coord[antigen] = nudge.apply(coord[antigen] - centre) + centre + rng.uniform(-2, 2, 3)
        coord = Rotation.random(random_state=rng).apply(coord) + rng.uniform(-50, 50, 3)
        atoms = complex_.atoms
        table = AtomTable(coord, atoms.name, atoms.element, atoms.residue)
        copies.append(dataclasses.replace(complex_, atoms=table))
    return copies


def seconds_per_graph(copies: list[Complex], params: GraphParams) -> float:
    """Mean wall time of build_graph over the copies."""
    start = time.perf_counter()
    for complex_ in copies:
        build_graph(complex_, params)
    return (time.perf_counter() - start) / len(copies)


def main(count: int = 200, voronota_count: int = 5) -> None:
    (item,) = iter_items([EXAMPLE / "deeprank_ab_example.pdb"])
    complex_ = merge(item, ChainSpec(heavy="H", light="L", antigen=("A",)))
    copies = perturbed(complex_, count)
    build_graph(copies[0], GraphParams())  # warm imports and caches
    off = seconds_per_graph(copies, GraphParams())
    bsa_start = time.perf_counter()
    for copy in copies:
        residue_bsa(copy)
    bsa = (time.perf_counter() - bsa_start) / len(copies)
    residue = seconds_per_graph(copies, GraphParams(kind="residue"))
    print(
        f"atom graph, {count} perturbed copies of deeprank_ab_example ({len(complex_.atoms)} atoms)"
    )
    print(
        f"  graph time / DeepRank2 anchor (2.99 s):  {off / DEEPRANK2_SECONDS:.4f}"
        f"  ({DEEPRANK2_SECONDS / off:.0f}x faster)"
    )
    print(f"  graph time / 60 ms budget:               {off / TARGET_SECONDS:.2f}")
    print(f"  BSA share of the graph time:             {bsa / off:.2f}")
    print(f"  residue graph / atom graph time:         {residue / off:.2f}")
    if voronota_available():
        on = seconds_per_graph(copies[:voronota_count], GraphParams(voronota=True))
        print(f"  voronota on / off ({voronota_count} copies):         {on / off:.1f}")
        print(f"  voronota on / DeepRank2 anchor:          {on / DEEPRANK2_SECONDS:.3f}")
    else:
        print("  voronota not on PATH: voronota-on figure not measured")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
