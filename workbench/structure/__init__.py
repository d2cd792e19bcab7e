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

from workbench._lazy import lazy_exports

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

# names load on first use: importing the room's options must not import its heavy modules
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "ANTIBODY_ROLES": "records",
        "BREAK_DISTANCE": "merge",
        "HYDROGEN_ELEMENTS": "select",
        "REGIONS": "records",
        "ROLES": "records",
        "AtomTable": "records",
        "ChainRecord": "records",
        "ChainSpec": "records",
        "Complex": "records",
        "ExcludedResidue": "records",
        "Manifest": "manifest",
        "ManifestEntry": "manifest",
        "ResidueMap": "records",
        "StructureError": "errors",
        "StructureWarning": "errors",
        "apply_chain_wise": "select",
        "chain_sequences": "sequences",
        "fasta_records": "fasta",
        "load_manifest": "manifest",
        "merge": "merge",
        "one_letter": "sequences",
        "output_chain_ids": "pdbout",
        "parse_chain_spec": "manifest",
        "parse_structure": "parse",
        "parse_warnings": "parse",
        "residue_kind": "sequences",
        "select_chains": "select",
        "select_heavy_atoms": "select",
        "select_side": "select",
        "sequence_hash": "sequences",
        "split_chain_ids": "manifest",
        "spread_chain_wise": "select",
        "to_pdb": "pdbout",
        "write_fasta": "fasta",
    },
)
