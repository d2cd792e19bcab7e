"""Annotation: ANARCI numbering through pyhmmer, regions on residues, chain roles.

Data model
----------
- :class:`SequenceNumbering` per sequence: its :class:`Domain` records in sequence order and
  an ``error`` (None when numbering ran; a chain that numbers as nothing has no domains and
  no error).
- :class:`Domain`: chain type (H, K, L), species of the best HMM, ``start``/``end`` as
  residue indices counted from 0 with ``end`` exclusive (``sequence[start:end]``), ANARCI's
  numbering as (number, insertion code or "", amino acid or "-" for an empty scheme
  position), per-residue scheme labels and FR/CDR regions, CDR1-3 sequences, optional germline.
- Regions per residue (:func:`regions_for_sequence`), strings of :data:`REGIONS`.

Numbering is ANARCI's: the HMMs ANARCI ships are searched in process with pyhmmer, one model
over a batch of sequences at a time (:func:`number_sequences`; on Dask
:func:`annotate_unique`), and ANARCI's own functions number the alignments. CDR definitions
per scheme: :data:`CDR_DEFINITIONS`.
"""

from workbench._lazy import lazy_exports

__all__ = [
    "CDR_DEFINITIONS",
    "CODE_VERSION",
    "CONSTANT_MIN_LENGTH",
    "REGIONS",
    "SCHEMES",
    "AnnotateOptions",
    "Domain",
    "SequenceNumbering",
    "annotate_unique",
    "cache_key",
    "cdr_bounds",
    "chain_kinds",
    "check_declared_roles",
    "detect_roles",
    "hmm_checksum",
    "model_names",
    "number_sequences",
    "regions_for_sequence",
]

# names load on first use: importing the room's options must not import its heavy modules
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "CDR_DEFINITIONS": "options",
        "CODE_VERSION": "cluster",
        "CONSTANT_MIN_LENGTH": "regions",
        "REGIONS": "regions",
        "SCHEMES": "options",
        "AnnotateOptions": "options",
        "Domain": "records",
        "SequenceNumbering": "records",
        "annotate_unique": "cluster",
        "cache_key": "cluster",
        "cdr_bounds": "options",
        "chain_kinds": "roles",
        "check_declared_roles": "roles",
        "detect_roles": "roles",
        "hmm_checksum": "hmm",
        "model_names": "hmm",
        "number_sequences": "numbering",
        "regions_for_sequence": "regions",
    },
)
