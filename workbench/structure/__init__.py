"""Chain selection and merging: one structure becomes one canonical antibody–antigen complex.

Data model
----------
``merge`` turns a parsed structure plus a :class:`ChainSpec` into a :class:`Complex`:

==================  ===========================================================
``atoms``           :class:`AtomTable`: ``coord`` float64 (n, 3) in Å, ``name``,
                    ``element`` (upper case, heavy atoms only), ``residue`` int32
                    (n,) merged residue index of each atom
``residues``        :class:`ResidueMap`: per merged residue ``chain``, ``res_seq``,
                    ``ins_code`` (original keys, exactly), ``res_name``, ``aa``
                    (one-letter parent amino acid, "X" unknown), ``role``
``chains``          :class:`ChainRecord` per chain: residues ``start:stop``
``excluded``        waters and ligands, recorded but never indexed
``warnings``        "kind: detail" strings (altloc, duplicate, chain-break, ...)
==================  ===========================================================

Units are Å. Residues are counted from 0 in merged order: scfv, heavy, light chains,
then antigen chains in the declared order. Masks (``select_*``) are boolean arrays over
atoms or residues, Biotite style. Unusable input raises :class:`StructureError`.
"""

from workbench.structure.errors import StructureError, StructureWarning
from workbench.structure.fasta import fasta_records, write_fasta
from workbench.structure.manifest import (
    Manifest,
    ManifestEntry,
    load_manifest,
    parse_chain_spec,
    split_chain_ids,
)
from workbench.structure.merge import BREAK_DISTANCE, merge
from workbench.structure.parse import parse_structure, parse_warnings
from workbench.structure.pdbout import output_chain_ids, to_pdb
from workbench.structure.records import (
    ANTIBODY_ROLES,
    REGIONS,
    ROLES,
    AtomTable,
    ChainRecord,
    ChainSpec,
    Complex,
    ExcludedResidue,
    ResidueMap,
)
from workbench.structure.select import (
    HYDROGEN_ELEMENTS,
    apply_chain_wise,
    select_chains,
    select_heavy_atoms,
    select_side,
    spread_chain_wise,
)
from workbench.structure.sequences import (
    chain_sequences,
    one_letter,
    residue_kind,
    sequence_hash,
)

__all__ = [
    "ANTIBODY_ROLES",
    "BREAK_DISTANCE",
    "HYDROGEN_ELEMENTS",
    "REGIONS",
    "ROLES",
    "AtomTable",
    "ChainRecord",
    "ChainSpec",
    "Complex",
    "ExcludedResidue",
    "Manifest",
    "ManifestEntry",
    "ResidueMap",
    "StructureError",
    "StructureWarning",
    "apply_chain_wise",
    "chain_sequences",
    "fasta_records",
    "load_manifest",
    "merge",
    "one_letter",
    "output_chain_ids",
    "parse_chain_spec",
    "parse_structure",
    "parse_warnings",
    "residue_kind",
    "select_chains",
    "select_heavy_atoms",
    "select_side",
    "sequence_hash",
    "split_chain_ids",
    "spread_chain_wise",
    "to_pdb",
    "write_fasta",
]
