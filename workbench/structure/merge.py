"""Select the declared chains of a structure and merge them into one canonical complex."""

from __future__ import annotations

from collections import Counter

import numpy as np
from Bio.PDB.Chain import Chain
from Bio.PDB.Structure import Structure

from workbench.sources.refs import Item, describe_source
from workbench.structure.errors import StructureError, StructureWarning
from workbench.structure.parse import parse_structure, parse_warnings
from workbench.structure.records import (
    AtomTable,
    ChainRecord,
    ChainSpec,
    Complex,
    ExcludedResidue,
    ResidueMap,
)
from workbench.structure.select import HYDROGEN_ELEMENTS
from workbench.structure.sequences import one_letter, residue_kind

__all__ = ["BREAK_DISTANCE", "merge"]

BREAK_DISTANCE = 2.0  # Å: a C(i)–N(i+1) distance above this is a chain break (peptide bond 1.33 Å)


def merge(item: Item, spec: ChainSpec, structure: Structure | None = None) -> Complex:
    """Canonical complex of ``item``: antibody chains first, then antigen chains as declared.

    Only amino-acid residues (standard, modified, or unknown with a backbone) enter the
    complex; waters and ligands go to ``Complex.excluded``; hydrogens are dropped. The
    residue map keeps every residue's original chain, number and insertion code.
    ``structure`` is the already parsed ``item`` when the caller has it.

    Raises
    ------
    StructureError
        A chain declared twice, a declared chain missing from the file, or a declared
        chain without amino-acid residues.
    """
    path = describe_source(item.ref.source, item.ref.member)
    if structure is None:
        structure = parse_structure(item)
    pairs = spec.roles()
    _check_declared_once(path, pairs)
    model = next(iter(structure))
    present = {chain.id: chain for chain in model}
    for chain_id, role in pairs:
        if chain_id not in present:
            raise StructureError(
                path,
                f"chain {chain_id} ({role}) not found; chains present: {', '.join(present)}",
            )
    builder = _Builder()
    for chain_id, role in pairs:
        builder.add_chain(path, present[chain_id], role)
    declared = {chain_id for chain_id, _ in pairs}
    for chain_id, chain in present.items():
        if chain_id not in declared:
            builder.skip_chain(chain)
    atoms = builder.atom_table()
    warnings = [str(w) for w in parse_warnings(structure)]
    warnings.extend(str(w) for w in builder.warnings(atoms.coord))
    return Complex(
        source=path,
        atoms=atoms,
        residues=builder.residue_map(),
        chains=tuple(builder.chains),
        excluded=tuple(builder.excluded),
        warnings=tuple(warnings),
    )


def _check_declared_once(path: str, pairs: list[tuple[str, str]]) -> None:
    """A chain can play one role only."""
    roles: dict[str, list[str]] = {}
    for chain_id, role in pairs:
        roles.setdefault(chain_id, []).append(role)
    twice = [f"{chain} ({' and '.join(r)})" for chain, r in roles.items() if len(r) > 1]
    if twice:
        raise StructureError(path, f"chain declared more than once: {', '.join(twice)}")


def _coordinates(coords: list[np.ndarray]) -> np.ndarray:
    """(n, 3) float64 from Biopython's per-atom float32 vectors, through one bytes buffer."""
    data = b"".join([vector.tobytes() for vector in coords])
    if len(data) != 12 * len(coords):  # not all float32: take the slower, general way
        return np.asarray(coords, dtype=np.float64).reshape(-1, 3)
    return np.frombuffer(data, dtype=np.float32).astype(np.float64).reshape(-1, 3)


def _strings(values: list[str]) -> np.ndarray:
    """String array sized to its longest value (much faster than letting numpy find it)."""
    width = max(map(len, set(values)), default=1)
    return np.array(values, dtype=f"U{width}")


def _excluded(chain_id: str, residue, kind: str) -> ExcludedResidue:
    """Record of a water or ligand residue."""
    _, res_seq, ins_code = residue.id
    return ExcludedResidue(chain_id, res_seq, ins_code.strip(), residue.get_resname(), kind)


class _Builder:
    """One pass over the Biopython atoms of the declared chains, into flat lists."""

    def __init__(self) -> None:
        self.coords: list[np.ndarray] = []
        self.names: list[str] = []
        self.elements: list[str] = []
        self.atom_counts: list[int] = []  # heavy atoms per residue
        self.res_chain: list[str] = []
        self.res_seq: list[int] = []
        self.res_ins: list[str] = []
        self.res_name: list[str] = []
        self.res_role: list[str] = []
        self.backbone_n: list[int] = []  # atom index of N per residue, -1 when missing
        self.backbone_c: list[int] = []  # atom index of C per residue, -1 when missing
        self.chains: list[ChainRecord] = []
        self.excluded: list[ExcludedResidue] = []
        self.altlocs: Counter[str] = Counter()  # chain -> atoms with alternate locations
        self.alt_residues: Counter[str] = Counter()  # chain -> residues with alternate names
        self.undeclared: list[str] = []

    def add_chain(self, path: str, chain: Chain, role: str) -> None:
        """Append the amino-acid residues of ``chain`` under ``role``; exclude the others."""
        start = len(self.res_chain)
        for residue in chain:
            kind = residue_kind(residue)
            if kind != "protein":
                self.excluded.append(_excluded(chain.id, residue, kind))
                continue
            self._add_residue(chain.id, residue, role)
        stop = len(self.res_chain)
        if start == stop:
            found = sorted({e.res_name for e in self.excluded if e.chain == chain.id})
            held = f"only {', '.join(found)}" if found else "no residues"
            raise StructureError(
                path, f"chain {chain.id} ({role}) holds no amino-acid residues ({held})"
            )
        sequence = "".join(one_letter(name) for name in self.res_name[start:stop])
        self.chains.append(ChainRecord(chain.id, role, sequence, start, stop))

    def _add_residue(self, chain_id: str, residue, role: str) -> None:
        """Append one residue and its heavy atoms (the selected altloc of disordered ones)."""
        _, res_seq, ins_code = residue.id
        self.res_chain.append(chain_id)
        self.res_seq.append(res_seq)
        self.res_ins.append(ins_code.strip())
        self.res_name.append(residue.get_resname())
        self.res_role.append(role)
        if residue.is_disordered() == 2:
            self.alt_residues[chain_id] += 1
        atoms = [atom for atom in residue.child_list if atom.element not in HYDROGEN_ELEMENTS]
        names = [atom.name for atom in atoms]
        first = len(self.names)
        self.backbone_n.append(first + names.index("N") if "N" in names else -1)
        self.backbone_c.append(first + names.index("C") if "C" in names else -1)
        if residue.is_disordered():
            self.altlocs[chain_id] += sum(
                atom.is_disordered() == 2 and len(atom.child_dict) > 1 for atom in atoms
            )
        self.coords.extend([atom.coord for atom in atoms])
        self.names.extend(names)
        self.elements.extend([atom.element for atom in atoms])
        self.atom_counts.append(len(atoms))

    def skip_chain(self, chain: Chain) -> None:
        """Record an undeclared chain: its waters and ligands as excluded, itself by name."""
        protein = False
        for residue in chain:
            kind = residue_kind(residue)
            if kind == "protein":
                protein = True
                continue
            self.excluded.append(_excluded(chain.id, residue, kind))
        if protein:
            self.undeclared.append(chain.id)

    def atom_table(self) -> AtomTable:
        """The atoms as arrays; elements upper-cased if a parser left any in mixed case."""
        element = _strings(self.elements)
        if not all(symbol.isupper() for symbol in set(self.elements)):
            element = np.char.upper(element)
        return AtomTable(
            coord=_coordinates(self.coords),
            name=_strings(self.names),
            element=element,
            residue=np.repeat(np.arange(len(self.atom_counts), dtype=np.int32), self.atom_counts),
        )

    def residue_map(self) -> ResidueMap:
        """The residues as arrays; ``aa`` joins the chain sequences, already in merged order."""
        letters = "".join(chain.sequence for chain in self.chains)
        return ResidueMap(
            chain=_strings(self.res_chain),
            res_seq=np.asarray(self.res_seq, dtype=np.int32),
            ins_code=_strings(self.res_ins),
            res_name=_strings(self.res_name),
            aa=np.array(list(letters), dtype="U1"),
            role=_strings(self.res_role),
        )

    def warnings(self, coord: np.ndarray) -> list[StructureWarning]:
        """Altlocs kept once, chain breaks, and protein chains left out of the spec."""
        found = [
            StructureWarning(
                "altloc",
                f"chain {chain}: {count} atoms with alternate locations; "
                "kept the highest-occupancy (first) one",
            )
            for chain, count in self.altlocs.items()
        ]
        found.extend(
            StructureWarning(
                "altloc",
                f"chain {chain}: {count} residues with alternate residue names; kept one",
            )
            for chain, count in self.alt_residues.items()
        )
        found.extend(self._chain_breaks(coord))
        if self.undeclared:
            found.append(
                StructureWarning(
                    "undeclared",
                    f"protein chains not in the chain spec left out: {', '.join(self.undeclared)}",
                )
            )
        return found

    def _chain_breaks(self, coord: np.ndarray) -> list[StructureWarning]:
        """C(i)–N(i+1) distances over BREAK_DISTANCE between neighbours of one chain."""
        n_atom = np.asarray(self.backbone_n)
        c_atom = np.asarray(self.backbone_c)
        found = []
        for record in self.chains:
            c_prev = c_atom[record.start : record.stop - 1]
            n_next = n_atom[record.start + 1 : record.stop]
            both = (c_prev >= 0) & (n_next >= 0)
            distance = np.linalg.norm(coord[c_prev[both]] - coord[n_next[both]], axis=1)
            after = record.start + np.flatnonzero(both)[distance > BREAK_DISTANCE]
            if len(after):
                where = ", ".join(f"{self.res_seq[i]}{self.res_ins[i]}" for i in after[:5])
                more = f" and {len(after) - 5} more" if len(after) > 5 else ""
                found.append(
                    StructureWarning(
                        "chain-break",
                        f"chain {record.chain} ({record.role}): {len(after)} breaks "
                        f"(C–N over {BREAK_DISTANCE} Å) after residues {where}{more}",
                    )
                )
        return found
