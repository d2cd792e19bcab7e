"""Interface graphs between the antibody and the antigen of a merged complex, with features.

Sides: antibody = residues with role heavy, light or scfv; antigen = role antigen. Only heavy
atoms (not H/D) of residues whose parent is one of the 20 amino acids become nodes.

Atom graph (``kind="atom"``, default): nodes are heavy atoms within ``cutoff`` (5 Å, inclusive)
of a heavy atom of the other side; interface edges join node pairs of opposite sides within
``cutoff``; internal edges join node pairs of the same side within ``internal_cutoff`` (3 Å).
Residue graph (``kind="residue"``): nodes are residues with such an atom; an edge joins two
residues when any of their heavy-atom pairs satisfies the same rule. Every edge is stored in both
directions, sorted by (source, target). Nodes are sorted by atom (or residue) index, so antibody
nodes come first. Residues are merged residue indices counted from 0.

Node features (``node_data``, float32 unless said, shape (k, d)):

==================  ====  =====================================================================
``atom_type``       38    one-hot over ``ATOM_NAMES`` (last column "other"); atom graphs only:
                          residue graphs omit it (the residue type says which atoms exist)
``residue_type``    20    one-hot over ``AMINO_ACIDS`` (parent amino acid; "X" → zeros)
``role``            4     one-hot over heavy, light, scfv, antigen
``polarity``        4     one-hot over apolar, polar, negative, positive
``charge``          1     formal residue charge at pH 7, e (D, E −1; K, R +1; others 0)
``position``        3     x, y, z in Å: the atom, or the residue's Cα (atom mean without Cα)
``bsa``             1     residue's buried surface area on binding, Å² (freesasa, see ``sasa``)
``region``          1     int32 code into ``REGIONS``; 0 ("unknown") until annotation fills it
==================  ====  =====================================================================

Interface edge features (``edge_data``, float32, shape (e, d)): ``distance`` (Å; smallest
heavy-atom distance for residue edges), ``covalent`` (1.0 when distance < 2.1 Å),
``orientation`` (3: unit vector from the source residue's Cα to the target residue's Cα in the
source's N-Cα-C frame, zero when a backbone atom is missing), ``coulomb`` and ``lennard_jones``
(kcal/mol; summed over all atom pairs of two residues in residue graphs; parameters in
``vocab``), and ``voronoi_area`` (Å², only when ``GraphParams.voronota``). Internal edge
features (``internal_edge_data``): ``distance`` and ``covalent``. ``feature_names`` maps
"<group>/<feature>" to the names of its columns.
"""

from workbench._lazy import lazy_exports

__all__ = [
    "AMINO_ACIDS",
    "ATOM_NAMES",
    "FEATURE_GROUPS",
    "POLARITY_CLASSES",
    "REGIONS",
    "GraphParams",
    "InterfaceGraph",
    "NoInterfaceError",
    "VoronotaError",
    "build_graph",
    "residue_bsa",
    "voronota_available",
]

# names load on first use: importing the room's options must not import its heavy modules
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "AMINO_ACIDS": "vocab",
        "ATOM_NAMES": "vocab",
        "FEATURE_GROUPS": "record",
        "POLARITY_CLASSES": "vocab",
        "REGIONS": "vocab",
        "GraphParams": "params",
        "InterfaceGraph": "record",
        "NoInterfaceError": "params",
        "VoronotaError": "voronoi",
        "build_graph": "build",
        "residue_bsa": "build",
        "voronota_available": "voronoi",
    },
)
