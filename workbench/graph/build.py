"""Build one interface graph from a merged complex: nodes, edges, then their features."""

from __future__ import annotations

import numpy as np

from workbench.graph.contacts import (
    heavy_atoms,
    interface_pairs,
    reduce_pairs,
    same_side_pairs,
    symmetric,
)
from workbench.graph.edges import atom_energies, edge_features, pair_lookup, residue_energies
from workbench.graph.frames import backbone_frames
from workbench.graph.nodes import node_features, residue_positions
from workbench.graph.params import GraphParams, NoInterfaceError
from workbench.graph.record import InterfaceGraph
from workbench.graph.sasa import atom_radii, buried_area, canonical_coords
from workbench.graph.voronoi import ContactAreas, contact_areas
from workbench.structure.records import ANTIBODY_ROLES, Complex
from workbench.structure.select import select_heavy_atoms

__all__ = ["build_graph", "residue_bsa"]


def residue_bsa(complex_: Complex) -> np.ndarray:
    """Buried surface area per merged residue on binding (side alone − complex), all heavy atoms.

    Returns
    -------
    ndarray, dtype=float64, shape (m,)
        Å², ≥ 0; exactly 0 for residues farther than 2·(r_max + 1.4 Å) from the other side.
    """
    atoms, residues = complex_.atoms, complex_.residues
    heavy = np.flatnonzero(select_heavy_atoms(complex_))
    res = atoms.residue[heavy]
    radii = atom_radii(residues.res_name[res], atoms.name[heavy], atoms.element[heavy])
    antibody = np.isin(residues.role[res], ANTIBODY_ROLES)
    buried = buried_area(canonical_coords(atoms.coord[heavy]), radii, antibody)
    return np.bincount(res, weights=buried, minlength=len(residues))


def _voronoi_pairs(
    complex_: Complex, focus: np.ndarray, contacts: ContactAreas
) -> tuple[np.ndarray, ...]:
    """Voronoi contact areas among heavy atoms, for pairs touching ``focus`` (atom indices)."""
    atoms = complex_.atoms
    heavy = np.flatnonzero(select_heavy_atoms(complex_))
    res_name = complex_.residues.res_name[atoms.residue[heavy]]
    local = np.searchsorted(heavy, focus)
    i, j, area = contacts(
        atoms.coord[heavy], atoms.name[heavy], res_name, atoms.element[heavy], local
    )
    return heavy[i], heavy[j], area


def build_graph(
    complex_: Complex, params: GraphParams, contacts: ContactAreas = contact_areas
) -> InterfaceGraph:
    """Interface graph of a merged complex between antibody (heavy, light, scfv) and antigen.

    ``contacts`` computes the Voronoi areas (a ``SharedContacts`` lets a second graph of the
    same atoms reuse its voronota run).

    Raises
    ------
    NoInterfaceError
        When a side is empty or no antibody heavy atom lies within ``params.cutoff`` of an
        antigen heavy atom.
    """
    index, antibody = heavy_atoms(complex_)
    for present, side in ((antibody, "antibody"), (~antibody, "antigen")):
        if not present.any():
            raise NoInterfaceError(complex_.source, f"no {side} heavy atoms in the complex")
    coord = complex_.atoms.coord
    i, j, d = interface_pairs(coord, index[antibody], index[~antibody], params.cutoff)
    if len(i) == 0:
        raise NoInterfaceError(
            complex_.source,
            f"no antibody heavy atom within {params.cutoff} Å of an antigen heavy atom",
        )
    build = _atom_graph if params.kind == "atom" else _residue_graph
    return build(complex_, params, index, antibody, (i, j, d), contacts)


def _atom_graph(complex_, params, index, antibody, pairs, contacts) -> InterfaceGraph:
    """Nodes are interface heavy atoms; edges join atoms."""
    i, j, d = pairs
    atoms = complex_.atoms
    nodes = np.unique(np.r_[i, j])
    edge_index, distance = symmetric(np.searchsorted(nodes, i), np.searchsorted(nodes, j), d)
    node_is_ab = antibody[np.searchsorted(index, nodes)]
    a, b, dd = same_side_pairs(atoms.coord, nodes, node_is_ab, params.internal_cutoff)
    internal_index, internal_distance = symmetric(a, b, dd)
    src, dst = nodes[edge_index[0]], nodes[edge_index[1]]
    voronoi = None
    if params.voronota:
        vi, vj, area = _voronoi_pairs(complex_, nodes, contacts)
        voronoi = pair_lookup(vi, vj, area, len(atoms), src, dst)
    node_residue = atoms.residue[nodes].astype(np.int32)
    bsa = residue_bsa(complex_)
    node_data, node_names = node_features(
        complex_, node_residue, atoms.name[nodes], atoms.coord[nodes], bsa
    )
    return _assemble(
        complex_,
        "atom",
        node_residue,
        atoms.name[nodes].astype(str),
        (node_data, node_names),
        (edge_index, atoms.residue[np.stack([src, dst])], distance),
        atom_energies(complex_, nodes, edge_index, distance),
        voronoi,
        (internal_index, atoms.residue[nodes[internal_index]], internal_distance),
    )


def _residue_graph(complex_, params, index, antibody, pairs, contacts) -> InterfaceGraph:
    """Nodes are residues with an interface heavy atom; edges join residues."""
    i, j, d = pairs
    atoms = complex_.atoms
    ri, rj, rd = reduce_pairs(
        atoms.residue[i].astype(np.int64), atoms.residue[j].astype(np.int64), d
    )
    nodes = np.unique(np.r_[ri, rj])
    edge_index, distance = symmetric(np.searchsorted(nodes, ri), np.searchsorted(nodes, rj), rd)
    members = np.isin(atoms.residue[index], nodes)
    a, b, dd = same_side_pairs(
        atoms.coord, index[members], antibody[members], params.internal_cutoff
    )
    ra = atoms.residue[index[members][a]].astype(np.int64)
    rb = atoms.residue[index[members][b]].astype(np.int64)
    apart = ra != rb
    ra, rb, dd = reduce_pairs(np.minimum(ra, rb)[apart], np.maximum(ra, rb)[apart], dd[apart])
    internal_index, internal_distance = symmetric(
        np.searchsorted(nodes, ra), np.searchsorted(nodes, rb), dd
    )
    src, dst = nodes[edge_index[0]], nodes[edge_index[1]]
    voronoi = None
    if params.voronota:
        vi, vj, area = _voronoi_pairs(complex_, np.unique(np.r_[i, j]), contacts)
        voronoi = pair_lookup(
            atoms.residue[vi], atoms.residue[vj], area, len(complex_.residues), src, dst
        )
    bsa = residue_bsa(complex_)
    node_data, node_names = node_features(
        complex_, nodes, None, residue_positions(complex_, nodes), bsa
    )
    return _assemble(
        complex_,
        "residue",
        nodes.astype(np.int32),
        np.full(len(nodes), "", dtype="<U1"),
        (node_data, node_names),
        (edge_index, np.stack([src, dst]), distance),
        residue_energies(complex_, index, src, dst),
        voronoi,
        (internal_index, nodes[internal_index], internal_distance),
    )


def _assemble(complex_, kind, node_residue, node_atom, nodes, edges, energies, voronoi, internal):
    """Edge features for both edge sets, then the record."""
    frames = backbone_frames(complex_)
    edge_index, edge_res, distance = edges
    edge_data, edge_names = edge_features(frames, edge_res, distance, energies, voronoi)
    internal_index, internal_res, internal_distance = internal
    internal_data, internal_names = edge_features(frames, internal_res, internal_distance)
    names = {f"node_data/{k}": v for k, v in nodes[1].items()}
    names.update({f"edge_data/{k}": v for k, v in edge_names.items()})
    names.update({f"internal_edge_data/{k}": v for k, v in internal_names.items()})
    return InterfaceGraph(
        kind=kind,
        node_residue=node_residue,
        node_atom=node_atom,
        edge_index=edge_index,
        internal_edge_index=internal_index,
        node_data=nodes[0],
        edge_data=edge_data,
        internal_edge_data=internal_data,
        feature_names=names,
    )
