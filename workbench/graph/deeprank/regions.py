"""DeepRank-Ab's ``region`` node feature: one label per residue of the merged antibody chain.

DeepRank-Ab (``src/tools/annotate.py``, called by ``scripts/split_stageA_cpu.py``) merges the
heavy then the light chain into chain "A", every residue of both input chains kept (hetero
residues and waters too) and renumbered 1..n, and labels merged residue ``n`` with the label
at index ``n - 1`` of a per-residue list built as follows; the model was trained on these
labels, so :func:`region_labels` rebuilds them the same way. The quirks that change a label:

- The merged chain reads as one letter per residue from a 20-letter map plus MSE -> M; every
  other residue name (modified residues, ions, PO4, waters) is "X" (:func:`merged_letters`).
- The heavy and light sequences located in it are the input chains' Biopython ``PPBuilder``
  peptides concatenated, not the merged letters (so they lack the "X" residues and any
  non-standard residue).
- Each start is the ``start`` of ``Bio.pairwise2.align.localms(merged, chain, 2, -1, -0.5,
  -0.1, one_alignment_only=True)``. That index counts positions of the *gapped* alignment
  string, so it is shifted right by the leading gaps pairwise2 puts before the merged
  sequence when the chain's unaligned head is longer than the merged sequence's; it is used
  as an index into the ungapped merged sequence all the same. From there it steps back one
  residue at a time until the merged letter equals the chain's first letter (or index 0).
- Only the first 130 letters of each chain are numbered (ANARCI, IMGT scheme, its default
  species human and mouse and chain types H, K, L, A, B, G, D), and only the first domain
  found is used.
- Numbered residues are put back by letter, greedily: from the start, skip merged residues
  until one has the numbered residue's letter, label it, move one on; stop at the end. A
  mismatch therefore skips residues (and can run past the chain into the next one).
- IMGT 27-38, 56-65 and 105-117 (insertions by their number) are H1-H3 on the heavy chain
  and L1-L3 on the light chain, by the chain's role, whatever type ANARCI assigns. Every
  other residue, numbered or not, is CONST: framework residues are never FR.
- The heavy labels are laid down first; the light chain's then overwrite them wherever the
  light label is not CONST.
- DeepRank-Ab drops a complex whose heavy sequence is empty or whose alignment fails (no
  label list, so the graph is not built); here every residue is CONST instead. A chain with
  no antibody domain is all CONST in both.

Numbering is the caller's: the graph room may not import the annotate room (a peer), so, as
for the native profile, the annotate stage numbers the sequences :func:`variable_sequences`
names with ``AnnotateOptions(**ANARCI_OPTIONS)`` (``workbench.annotate.number_sequences``,
in process, through pyhmmer) and passes the records here keyed by sequence.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Protocol

with warnings.catch_warnings():  # deprecated, but its alignment (and tie-breaking) is theirs
    warnings.simplefilter("ignore")
    from Bio import pairwise2

__all__ = [
    "ANARCI_OPTIONS",
    "REGION_LABELS",
    "VARIABLE_LENGTH",
    "NumberedSequence",
    "merged_letters",
    "region_labels",
    "variable_sequences",
]

REGION_LABELS = ("FR", "L1", "L2", "L3", "H1", "H2", "H3", "CONST", "AG")
CONST = "CONST"
VARIABLE_LENGTH = 130  # DeepRank-Ab numbers chain[:130] as the variable domain
# ANARCI's defaults as DeepRank-Ab calls it, as ``AnnotateOptions`` fields (germline
# assignment, which it also asks for, never changes the numbering)
ANARCI_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {
        "scheme": "imgt",
        "germline": False,
        "allowed_species": ("human", "mouse"),
        "chain_types": ("H", "K", "L", "A", "B", "G", "D"),
    }
)
_CDRS = ((27, 38), (56, 65), (105, 117))  # DeepRank-Ab's CDR_H / CDR_L (IMGT), inclusive
_ONE_LETTER = {
    "ALA": "A", "ARG": "R", "ASN": "N", "ASP": "D", "CYS": "C", "GLU": "E", "GLN": "Q",
    "GLY": "G", "HIS": "H", "ILE": "I", "LEU": "L", "LYS": "K", "MET": "M", "PHE": "F",
    "PRO": "P", "SER": "S", "THR": "T", "TRP": "W", "TYR": "Y", "VAL": "V", "MSE": "M",
}  # fmt: skip


class NumberedSequence(Protocol):
    """What is read of a ``workbench.annotate.SequenceNumbering``: its domains in order, each
    with ``numbering`` = (IMGT number, insertion, letter or "-") per scheme position."""

    @property
    def domains(self) -> Sequence[Any]: ...


def merged_letters(residue_names: Iterable[str]) -> str:
    """The merged chain as DeepRank-Ab reads it: one letter per residue, "X" for the rest."""
    return "".join(_ONE_LETTER.get(name.strip().upper(), "X") for name in residue_names)


def variable_sequences(heavy: str, light: str | None) -> list[str]:
    """The sequences DeepRank-Ab numbers for a complex (each chain's first 130 letters)."""
    return [chain[:VARIABLE_LENGTH] for chain in (heavy, light) if chain]


def region_labels(
    chain_a: str,
    heavy: str,
    light: str | None,
    numbering: Mapping[str, NumberedSequence],
) -> list[str]:
    """DeepRank-Ab's region label of every merged chain-A residue (see the module docstring).

    Parameters
    ----------
    chain_a : str
        One letter per merged chain-A residue in merged order, heavy residues then light
        ones (:func:`merged_letters` of their residue names).
    heavy, light : str
        The ``PPBuilder`` sequences of the input heavy and light chains; ``light`` is None
        (or empty) for a nanobody.
    numbering : mapping of str to SequenceNumbering
        The numbering of each of :func:`variable_sequences` (more keys are allowed), made
        with ``AnnotateOptions(**ANARCI_OPTIONS)``.

    Returns
    -------
    list of str, length len(chain_a)
        One of :data:`REGION_LABELS` per residue: H1-H3, L1-L3 or CONST (never FR or AG).

    Raises
    ------
    KeyError
        A sequence of :func:`variable_sequences` has no numbering.
    """
    missing = [seq for seq in variable_sequences(heavy, light) if seq not in numbering]
    if missing:
        raise KeyError(f"no numbering given for variable sequence {missing[0]!r}")
    labels = [CONST] * len(chain_a)
    chains = [(heavy, "H"), (light, "L")] if light else [(heavy, "H")]
    starts = [_start(chain_a, sequence) for sequence, _ in chains]
    if not heavy or None in starts:
        return labels
    for (sequence, role), start in zip(chains, starts, strict=True):
        numbered = _first_domain(numbering[sequence[:VARIABLE_LENGTH]])
        for index, label in _placed(chain_a, start, numbered):
            if label != CONST:  # light after heavy: overwrites only where it has a CDR
                labels[index] = f"{role}{label}"
    return labels


def _start(chain_a: str, sequence: str) -> int | None:
    """Where DeepRank-Ab starts placing a chain in the merged one; None where it gives up."""
    if not sequence:
        return None
    first = chain_a.find(sequence)
    if first >= 0 and chain_a.find(sequence, first + 1) < 0:
        # a sole exact occurrence is the only alignment scoring 2 per residue (any gap or
        # mismatch costs), pairwise2 pads nothing before it and no step back follows
        return first
    return _aligned_start(chain_a, sequence)


@lru_cache(maxsize=256)
def _aligned_start(chain_a: str, sequence: str) -> int | None:
    """DeepRank-Ab's start from pairwise2's local alignment, its gapped index and step back."""
    alignments = pairwise2.align.localms(
        chain_a, sequence, 2, -1, -0.5, -0.1, one_alignment_only=True
    )
    if not alignments:
        return None
    start = alignments[0].start  # an index into the gapped alignment, used on chain_a as is
    if start >= len(chain_a):
        return None  # their step-back loop raises IndexError here and drops the complex
    while start > 0 and chain_a[start] != sequence[0]:
        start -= 1
    return start


def _first_domain(numbered: NumberedSequence) -> list[tuple[int, str]]:
    """(IMGT number, letter) of the residues of the first domain ANARCI found, in order."""
    if not numbered.domains:
        return []
    return [(number, aa) for number, _, aa in numbered.domains[0].numbering if aa != "-"]


def _placed(chain_a: str, start: int, numbered: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Merged index and CDR ("1".."3") or CONST of each numbered residue, matched greedily."""
    out = []
    index = start
    for number, aa in numbered:
        while index < len(chain_a) and chain_a[index] != aa:
            index += 1
        if index >= len(chain_a):
            break
        out.append((index, _cdr(number)))
        index += 1
    return out


def _cdr(number: int) -> str:
    """The CDR (1, 2 or 3, as text) holding an IMGT number, else CONST."""
    for i, (low, high) in enumerate(_CDRS, start=1):
        if low <= number <= high:
            return str(i)
    return CONST
