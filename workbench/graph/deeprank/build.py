"""DeepRank-Ab's atom graph of a merged complex: its node set and order, edges, and features.

What DeepRank-Ab computes (``AtomGraph``, ``contacts_dr2``, ``edge_orientation``, ``BSA``,
``VoroArea``), and so what the checkpoint was trained on:

- **Nodes**: atoms of the 20 amino acids whose names are in ``ATOM_TYPES``, within ≤ 5 Å of
  such an atom of the other side (names starting with "H" never count as partners). Order is
  networkx's insertion order: antibody atoms in file order, each followed by its new antigen
  partners in file order.
- **Interface edges**: every such pair, both directions, grouped by source node in node order
  (antibody sources list partners in file order, antigen sources their antibody partners in
  file order). **Internal edges**: node pairs of one side closer than 3 Å, both directions,
  each source's targets in node order. Interface edges of a source come before its internal
  ones in DeepRank-Ab's edge list; the two sets are stored apart.
- ``bsa``: the residue's area alone minus in the complex, freesasa defaults (Lee-Richards):
  the complex with its real atom names, each chain alone with every atom named by its first
  letter (so other radii: BSA can be slightly negative). Repeated on every atom of the residue.
- ``voro_area``: Voronota contact area of the atom pair on the whole merged complex.
- ``covalent``: distance < 2.1 Å. ``vdw`` and ``elec``: see ``forcefield``; internal edges
  carry zeros there.
- ``orientation``: unit Cα(source) − Cα(target) expressed in the source residue's frame
  (e1 along C − Cα, e2 the part of N − Cα orthogonal to e1, e3 = e1 × e2), float32 as their
  torch code computes it: zero within a residue; a missing backbone atom counts as the origin.
- ``charge`` is their per-residue hydropathy value, ``res_type`` their 20-letter order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from workbench.graph.deeprank.forcefield import atom_parameters, c_terminal, pair_energies
from workbench.graph.deeprank.mcl import mcl_clusters
from workbench.graph.deeprank.merged import MergedComplex
from workbench.graph.deeprank.regions import REGION_LABELS, NumberedSequence, region_labels
from workbench.graph.params import NoInterfaceError
from workbench.graph.voronoi import ContactAreas, contact_areas

__all__ = [
    "ATOM_TYPES",
    "CONTACT_CUTOFF",
    "INTERNAL_CUTOFF",
    "RESIDUE_TYPES",
    "DeepRankGraph",
    "build_deeprank_graph",
    "node_frames",
    "orientation",
    "residue_bsa",
]

CONTACT_CUTOFF = 5.0  # Å, inclusive
INTERNAL_CUTOFF = 3.0  # Å, exclusive
COVALENT_CUTOFF = 2.1  # Å
BSA_REACH = 2.0 * (2.5 + 1.4)  # Å: 2·(largest freesasa radius, generously, + probe)
ATOM_TYPES = (
    "N", "CA", "C", "O", "CB", "CG", "CG1", "CG2", "CD", "CD1", "CD2", "CE", "CE1", "CE2",
    "CE3", "CZ", "CZ2", "CZ3", "CH2", "ND1", "ND2", "NE", "NE1", "NE2", "NH1", "NH2", "NZ",
    "OD1", "OD2", "OE1", "OE2", "OG", "OG1", "OH", "SD", "SG",
)  # fmt: skip
RESIDUE_TYPES = (
    "CYS", "HIS", "ASN", "GLN", "SER", "THR", "TYR", "TRP", "ALA", "PHE",
    "GLY", "ILE", "VAL", "MET", "PRO", "LEU", "GLU", "ASP", "LYS", "ARG",
)  # fmt: skip
_HYDROPATHY = dict(zip(RESIDUE_TYPES, (
    2.5, -3.2, -3.5, -3.5, -0.8, -0.7, -1.3, -0.9, 1.8, 2.8,
    -0.4, 4.5, 4.2, 1.9, -1.6, 3.8, -3.5, -3.5, -3.9, -4.5,
), strict=True))  # fmt: skip
_POLARITY = {name: 1 for name in ("CYS", "HIS", "ASN", "GLN", "SER", "THR", "TYR", "TRP")}
_POLARITY.update({"GLU": 2, "ASP": 2, "LYS": 3, "ARG": 3})  # apolar 0, polar 1, −, +


@dataclass(frozen=True, slots=True, eq=False)
class DeepRankGraph:
    """One graph in DeepRank-Ab's terms: nodes are atoms of the merged complex."""

    merged: MergedComplex
    node_atom: np.ndarray  # int64 (N,), atom index into ``merged``
    edge_index: np.ndarray  # int64 (E, 2), interface edges, both directions
    internal_edge_index: np.ndarray  # int64 (F, 2), same-side edges, both directions
    node_data: dict[str, np.ndarray] = field(default_factory=dict)
    edge_data: dict[str, np.ndarray] = field(default_factory=dict)
    internal_edge_data: dict[str, np.ndarray] = field(default_factory=dict)
    clusters: dict[str, np.ndarray] = field(default_factory=dict)  # depth_0, depth_1

    @property
    def node_residue(self) -> np.ndarray:
        """Merged residue index of every node."""
        return self.merged.residue[self.node_atom]


def _candidates(merged: MergedComplex) -> tuple[np.ndarray, np.ndarray]:
    """Antibody and antigen atoms that can be contact partners (names not starting with H)."""
    usable = ~np.char.startswith(merged.name.astype(str), "H")
    side = merged.side
    return np.flatnonzero(usable & (side == 0)), np.flatnonzero(usable & (side == 1))


def _interface(merged: MergedComplex) -> tuple[np.ndarray, np.ndarray]:
    """(antibody atom, antigen atom) pairs within the cutoff, in DeepRank-Ab's visiting order."""
    a, b = _candidates(merged)
    coord = merged.coord
    hits = cKDTree(coord[b]).query_ball_point(coord[a], CONTACT_CUTOFF + 1e-6)
    i = np.repeat(a, [len(h) for h in hits])
    j = b[np.concatenate([np.sort(h) for h in hits]).astype(np.int64)] if len(i) else i
    d = np.sqrt(np.sum((coord[j] - coord[i]) ** 2, axis=1))
    close = d <= CONTACT_CUTOFF
    return i[close], j[close]


def _valid(merged: MergedComplex, atoms: np.ndarray) -> np.ndarray:
    """Atoms that may be nodes: one of the 20 amino acids and an atom name in ATOM_TYPES."""
    residue = merged.residue[atoms]
    return np.isin(merged.res_name[residue], RESIDUE_TYPES) & np.isin(
        merged.name[atoms], ATOM_TYPES
    )


def _node_order(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Atoms in insertion order of the pair walk: each antibody atom, then its new partners."""
    walk = np.stack([i, j], axis=1).reshape(-1)
    _, first = np.unique(walk, return_index=True)
    return walk[np.sort(first)]


def _interface_edges(i: np.ndarray, j: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """Directed edges grouped by source in node order, each source's targets as visited."""
    forward = np.stack([slot[i], slot[j]], axis=1)
    # an antigen source lists its partners in antibody file order: the order of the pair walk
    source = np.r_[forward[:, 0], forward[:, 1]]
    target = np.r_[forward[:, 1], forward[:, 0]]
    order = np.lexsort((np.r_[np.arange(len(i)), np.arange(len(i))], source))
    return np.stack([source[order], target[order]], axis=1)


def _internal_edges(coord: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Node pairs of one side closer than the internal cutoff, both directions, sorted."""
    pairs = []
    for s in (0, 1):
        members = np.flatnonzero(side == s)
        if len(members) < 2:
            continue
        local = cKDTree(coord[members]).query_pairs(INTERNAL_CUTOFF + 1e-6, output_type="ndarray")
        u, v = members[local[:, 0]], members[local[:, 1]]
        d2 = np.sum((coord[u] - coord[v]) ** 2, axis=1)
        keep = d2 < INTERNAL_CUTOFF**2
        pairs.append(np.stack([u[keep], v[keep]], axis=1))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    both = np.concatenate(pairs)
    both = np.concatenate([both, both[:, ::-1]])
    return both[np.lexsort((both[:, 1], both[:, 0]))].astype(np.int64)


def _one_hot(codes: np.ndarray, size: int) -> np.ndarray:
    """float32 one-hot rows, as their torch.zeros(size)[idx] = 1."""
    out = np.zeros((len(codes), size), dtype=np.float32)
    out[np.arange(len(codes)), codes] = 1.0
    return out


def _backbone(merged: MergedComplex, residues: np.ndarray) -> dict[str, np.ndarray]:
    """Cα, C and N positions of each listed residue; the origin where the atom is missing."""
    out = {}
    for atom in ("CA", "C", "N"):
        table = np.zeros((len(merged.res_side), 3))
        present = np.flatnonzero(merged.name == atom)
        # the last such atom of a residue wins, as in their per-residue dict
        table[merged.residue[present]] = merged.coord[present]
        out[atom] = table[residues]
    return out


def _unit32(v: np.ndarray, eps: float) -> np.ndarray:
    """float32 v / (|v| + eps)."""
    return v / (np.linalg.norm(v, axis=1, keepdims=True) + np.float32(eps))


def node_frames(merged: MergedComplex, node_residue: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 Cα (N, 3) and backbone frame (N, 3, 3; columns e1, e2, e3) of each node's residue."""
    bb = {k: v.astype(np.float32) for k, v in _backbone(merged, node_residue).items()}
    ca = bb["CA"]
    e1 = _unit32(bb["C"] - ca, 1e-6)
    v2 = bb["N"] - ca
    e2 = _unit32(v2 - np.sum(e1 * v2, axis=1, keepdims=True) * e1, 1e-6)
    return ca, np.stack([e1, e2, np.cross(e1, e2)], axis=2)


def orientation(frames: tuple[np.ndarray, np.ndarray], edges: np.ndarray) -> np.ndarray:
    """float32 (E, 3): the edge's Cα direction in the source residue's backbone frame."""
    ca, frame = frames
    src, dst = edges[:, 0], edges[:, 1]
    e = ca[src] - ca[dst]
    norm = np.linalg.norm(e, axis=1, keepdims=True)
    direction = e / np.maximum(norm, np.float32(1e-12))
    return np.einsum("ek,ekc->ec", direction, frame[src]).astype(np.float32)


def residue_bsa(merged: MergedComplex, residues: np.ndarray) -> np.ndarray:
    """float64 (len(residues),): DeepRank-Ab's buried surface area of each listed residue.

    An atom's area depends only on atoms closer than the sum of both radii and two probes, so
    freesasa sees just the atoms within ``BSA_REACH`` of the listed residues: the same areas
    as on the whole complex, at a fraction of the cost.
    """
    import freesasa

    freesasa.setVerbosity(freesasa.nowarnings)
    names = merged.res_name[merged.residue]
    numbers = merged.res_number[merged.residue]
    side = merged.side
    focus = np.isin(merged.residue, residues)
    tree = cKDTree(merged.coord[focus])
    hood = np.flatnonzero(tree.query_ball_point(merged.coord, BSA_REACH, return_length=True) > 0)

    def area(atoms: np.ndarray, first_letter: bool) -> np.ndarray:
        """Per residue: the freesasa area of its atoms among ``atoms``."""
        structure = freesasa.Structure()
        for k in atoms:
            atom = merged.name[k]
            label = f"{atom[0]:>2}" if first_letter else atom
            x, y, z = merged.coord[k]
            structure.addAtom(label, names[k], str(numbers[k]), "AB"[side[k]], x, y, z)
        result = freesasa.calc(structure)
        per_atom = np.array([result.atomArea(n) for n in range(len(atoms))])
        return np.bincount(merged.residue[atoms], per_atom, minlength=len(merged.res_side))

    alone = sum(area(hood[side[hood] == s], True) for s in (0, 1))
    return (alone - area(hood, False))[residues]


def build_deeprank_graph(
    merged: MergedComplex,
    numbering: Mapping[str, NumberedSequence],
    contacts: ContactAreas = contact_areas,
) -> DeepRankGraph:
    """The deeprank-ab graph of a merged complex; NoInterfaceError when no atom pair qualifies.

    ``numbering``: the IMGT numbering of ``merged.variable_sequences()`` (see ``regions``);
    ``contacts``: the Voronoi areas (a ``SharedContacts`` reuses the native graph's run).
    """
    i, j = _interface(merged)
    valid = _valid(merged, i) & _valid(merged, j)
    i, j = i[valid], j[valid]
    if len(i) == 0:
        raise NoInterfaceError(
            merged.source,
            f"no antibody atom within {CONTACT_CUTOFF} Å of an antigen atom"
            " (DeepRank-Ab atom names of the 20 amino acids)",
        )
    nodes = _node_order(i, j)
    slot = np.full(len(merged.name), -1, dtype=np.int64)
    slot[nodes] = np.arange(len(nodes))
    edges = _interface_edges(i, j, slot)
    coord = merged.coord[nodes]
    node_side = merged.side[nodes]
    internal = _internal_edges(coord, node_side)
    node_residue = merged.residue[nodes]
    residue_of = merged.res_name[node_residue]

    heavy, light = merged.region_inputs()
    labels = region_labels(merged.chain_a(), heavy, light, numbering)
    chain_a_index = np.cumsum(merged.res_side == 0) - 1
    region = np.where(
        node_side == 1,
        REGION_LABELS.index("AG"),
        [
            REGION_LABELS.index(labels[chain_a_index[r]]) if merged.res_side[r] == 0 else 0
            for r in node_residue
        ],
    )
    unique_res, inverse = np.unique(node_residue, return_inverse=True)
    bsa = residue_bsa(merged, unique_res)[inverse]
    node_data = {
        "chain": node_side.astype(np.int64),
        "pos": coord.astype(np.float64),
        "res_type": _one_hot(np.array([RESIDUE_TYPES.index(r) for r in residue_of]), 20),
        "charge": np.array([_HYDROPATHY[r] for r in residue_of], dtype=np.float64),
        "polarity": _one_hot(np.array([_POLARITY.get(r, 0) for r in residue_of]), 4),
        "bsa": bsa.reshape(-1, 1),
        "atom_type": _one_hot(np.array([ATOM_TYPES.index(a) for a in merged.name[nodes]]), 36),
        "region": _one_hot(region.astype(np.int64), len(REGION_LABELS)),
    }
    shared = _voronoi_table(merged, nodes, contacts), node_frames(merged, node_residue)
    edge_data = _edge_features(merged, nodes, edges, shared, interface=True)
    internal_data = _edge_features(merged, nodes, internal, shared, interface=False)
    depth_0, depth_1 = mcl_clusters(internal, len(nodes))
    return DeepRankGraph(
        merged=merged,
        node_atom=nodes,
        edge_index=edges,
        internal_edge_index=internal,
        node_data=node_data,
        edge_data=edge_data,
        internal_edge_data=internal_data,
        clusters={"depth_0": depth_0, "depth_1": depth_1},
    )


def _edge_features(merged, nodes, edges, shared, interface: bool) -> dict[str, np.ndarray]:
    """dist, elec, vdw, covalent, orientation and voro_area of one edge set; ``shared``: the
    Voronoi table and node frames, computed once for both edge sets."""
    voronoi, frames = shared
    atoms = nodes[edges]
    coord = merged.coord
    dist = np.sqrt(np.sum((coord[atoms[:, 0]] - coord[atoms[:, 1]]) ** 2, axis=1))
    if interface and len(edges):
        params = atom_parameters(merged.res_name[merged.residue], merged.name, c_terminal(merged))
        vdw, elec = pair_energies(params, atoms[:, 0], atoms[:, 1], dist)
    else:
        vdw = elec = np.zeros(len(edges))
    return {
        "dist": dist,
        "elec": np.asarray(elec, dtype=np.float64),
        "vdw": np.asarray(vdw, dtype=np.float64),
        "covalent": (dist < COVALENT_CUTOFF).astype(np.float64),
        "orientation": orientation(frames, edges),
        "voro_area": _voro_area(voronoi, atoms),
    }


def _voronoi_table(
    merged: MergedComplex, nodes: np.ndarray, contacts: ContactAreas
) -> dict[tuple[int, int], float]:
    """Voronota contact area by (lower, higher) atom index, for pairs touching a node."""
    names = merged.res_name[merged.residue]
    i, j, area = contacts(merged.coord, merged.name, names, merged.element, nodes)
    return dict(zip(zip(i.tolist(), j.tolist(), strict=True), area.tolist(), strict=True))


def _voro_area(table: dict[tuple[int, int], float], atoms: np.ndarray) -> np.ndarray:
    """The contact area of each atom pair, 0 where the atoms share no face."""
    lo, hi = np.minimum(atoms[:, 0], atoms[:, 1]), np.maximum(atoms[:, 0], atoms[:, 1])
    pairs = zip(lo.tolist(), hi.tolist(), strict=True)
    return np.array([table.get(pair, 0.0) for pair in pairs], dtype=np.float64)
