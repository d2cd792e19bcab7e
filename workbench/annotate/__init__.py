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

from workbench.annotate.cluster import CODE_VERSION, annotate_unique, cache_key
from workbench.annotate.hmm import hmm_checksum, model_names
from workbench.annotate.numbering import number_sequences
from workbench.annotate.options import CDR_DEFINITIONS, SCHEMES, AnnotateOptions, cdr_bounds
from workbench.annotate.records import Domain, SequenceNumbering
from workbench.annotate.regions import CONSTANT_MIN_LENGTH, REGIONS, regions_for_sequence
from workbench.annotate.roles import chain_kinds, check_declared_roles, detect_roles

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
