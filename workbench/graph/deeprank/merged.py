"""DeepRank-Ab's two-chain merged complex, the structure every deeprank-ab feature is computed on.

DeepRank-Ab (``build_merged_structure``) writes one PDB with chain "A" = every residue of the
heavy chain then every residue of the light chain, and chain "B" = the antigen, each renumbered
1..n and written as ATOM records: waters, ions and ligands of those chains are kept (they take a
residue number and they enter the surface areas and the Voronoi tessellation). The workbench
builds the same atoms in memory, with these choices where DeepRank-Ab cannot go or goes wrong:

- several antigen chains are appended to side B in the order declared; an scFv chain (or
  HADDOCK's merged heavy+light chain) is side A on its own; a nanobody has no light chain;
- hydrogens are dropped (DeepRank-Ab's per-chain surface areas would count them as heavy
  atoms of their first letter's element);
- one alternate location per atom, Biopython's selected one (DeepRank-Ab's merged file
  carries every altloc as a separate atom);
- each residue keeps its place in the ESM input sequence (``esm_index``): DeepRank-Ab reads
  the embedding at ``resnum - 1``, which shifts after a hetero residue (see ``features``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from Bio.PDB import PPBuilder
from Bio.PDB.Structure import Structure

from workbench.graph.deeprank.regions import merged_letters, variable_sequences
from workbench.structure.records import ChainSpec

__all__ = ["SIDE_CHAINS", "MergedComplex", "merge_for_deeprank"]

SIDE_CHAINS = ("A", "B")  # DeepRank-Ab's merged chain ids: antibody, antigen
_HYDROGENS = frozenset({"H", "D"})


@dataclass(frozen=True, slots=True, eq=False)
class MergedComplex:
    """Atoms (n) and residues (m) of the merged complex, in merged-file order."""

    source: str
    coord: np.ndarray  # float64 (n, 3), Å, rounded to the PDB's 3 decimals
    name: np.ndarray  # str (n,), atom name
    element: np.ndarray  # str (n,), upper-case element
    residue: np.ndarray  # int32 (n,), merged residue index of the atom
    res_side: np.ndarray  # int8 (m,), 0 = antibody (chain A), 1 = antigen (chain B)
    res_number: np.ndarray  # int32 (m,), merged residue number, 1.. per side
    res_name: np.ndarray  # str (m,), residue name as in the file
    esm_index: np.ndarray  # int32 (m,), position in the side's ESM sequence, -1 if absent
    sequences: tuple[str, str]  # ESM input per side: heavy+light peptides, antigen peptides
    chain_sequences: dict[str, str]  # PPBuilder sequence per input role: heavy, light, scfv

    @property
    def side(self) -> np.ndarray:
        """Side (0 antibody, 1 antigen) of every atom."""
        return self.res_side[self.residue]

    def chain_a(self) -> str:
        """One letter per merged chain-A residue ("X" for non-amino-acids), for region labels."""
        return merged_letters(self.res_name[self.res_side == 0])

    def region_inputs(self) -> tuple[str, str | None]:
        """The heavy and light sequences DeepRank-Ab labels; an scFv chain counts as heavy."""
        sequences = self.chain_sequences
        return sequences.get("heavy") or sequences.get("scfv", ""), sequences.get("light")

    def variable_sequences(self) -> list[str]:
        """The sequences whose numbering the region labels need."""
        return variable_sequences(*self.region_inputs())


def merge_for_deeprank(structure: Structure, spec: ChainSpec, source: str) -> MergedComplex:
    """The merged complex of the first model; KeyError naming a declared chain not in the file."""
    model = next(iter(structure))
    sides = (
        [(c, "scfv") for c in spec.scfv]
        + [(c, r) for c, r in ((spec.heavy, "heavy"), (spec.light, "light")) if c],
        [(c, "antigen") for c in spec.antigen],
    )
    coord, name, element, residue = [], [], [], []
    res_side, res_number, res_name, esm_index = [], [], [], []
    sequences, chain_sequences = ["", ""], {}
    for side, chains in enumerate(sides):
        number = 0
        for chain_id, role in chains:
            if chain_id not in model:
                raise KeyError(f"{source}: chain {chain_id!r} ({role}) is not in the file")
            chain = model[chain_id]
            sequence, where = _chain_peptides(chain)
            offset = len(sequences[side])
            sequences[side] += sequence
            if role != "antigen":
                chain_sequences[role] = sequence
            for res in chain:
                number += 1
                index = len(res_side)
                res_side.append(side)
                res_number.append(number)
                res_name.append(res.get_resname())
                esm_index.append(offset + where[id(res)] if id(res) in where else -1)
                for atom in res:
                    if atom.element.upper() in _HYDROGENS:
                        continue
                    coord.append(atom.coord)
                    name.append(atom.get_name())
                    element.append(atom.element.upper())
                    residue.append(index)
    return MergedComplex(
        source=source,
        coord=np.round(np.asarray(coord, dtype=np.float64).reshape(-1, 3), 3),
        name=np.asarray(name, dtype=str),
        element=np.asarray(element, dtype=str),
        residue=np.asarray(residue, dtype=np.int32),
        res_side=np.asarray(res_side, dtype=np.int8),
        res_number=np.asarray(res_number, dtype=np.int32),
        res_name=np.asarray(res_name, dtype=str),
        esm_index=np.asarray(esm_index, dtype=np.int32),
        sequences=(sequences[0], sequences[1]),
        chain_sequences=chain_sequences,
    )


def _chain_peptides(chain) -> tuple[str, dict[int, int]]:
    """The chain's PPBuilder sequence (DeepRank-Ab's ESM input) and each residue's place in it."""
    letters: list[str] = []
    where: dict[int, int] = {}
    for peptide in PPBuilder().build_peptides(chain):
        for residue, letter in zip(peptide, str(peptide.get_sequence()), strict=True):
            where[id(residue)] = len(letters)
            letters.append(letter)
    return "".join(letters), where
