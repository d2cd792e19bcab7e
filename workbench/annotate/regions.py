"""Per-residue regions of a numbered chain: FR1-4 and CDR1-3 inside domains, labels elsewhere."""

from __future__ import annotations

import numpy as np

from workbench.annotate.records import SequenceNumbering
from workbench.structure.records import REGIONS

__all__ = ["CONSTANT_MIN_LENGTH", "REGIONS", "regions_for_sequence"]

# A Fab's CH1 or CL domain is ~100 residues: a C-terminal tail at least this long after the
# last variable domain is called "constant"; shorter tails (tags, hinges, linkers) are "other".
CONSTANT_MIN_LENGTH = 80


def regions_for_sequence(numbering: SequenceNumbering) -> np.ndarray:
    """Region of every residue of a chain, by alignment position (never by letter matching).

    Parameters
    ----------
    numbering : SequenceNumbering
        The chain's numbering; its domains carry per-residue FR/CDR regions of the scheme
        they were numbered with.

    Returns
    -------
    numpy.ndarray, dtype=str (``<U8``), shape=(len(numbering.sequence),)
        FR1, CDR1, FR2, CDR2, FR3, CDR3 or FR4 inside a domain; "constant" after the last
        domain when at least ``CONSTANT_MIN_LENGTH`` residues follow it; "other" elsewhere
        outside domains (N-terminal extras, scFv linkers, short tails); "unknown" everywhere
        when the chain numbers as nothing (or failed to number).
    """
    length = len(numbering.sequence)
    if not numbering.domains:
        return np.full(length, "unknown", dtype="<U8")
    out = np.full(length, "other", dtype="<U8")
    for domain in numbering.domains:
        out[domain.start : domain.end] = domain.regions
    tail = numbering.domains[-1].end
    if length - tail >= CONSTANT_MIN_LENGTH:
        out[tail:] = "constant"
    return out
