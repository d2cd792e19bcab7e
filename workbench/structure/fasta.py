"""FASTA records of a merged complex: one sequence per chain, headed item|role|chain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from Bio import SeqIO
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord

from workbench.structure.records import Complex

__all__ = ["fasta_records", "write_fasta"]


def fasta_records(item_id: str, complex: Complex) -> list[tuple[str, str]]:
    """(header, sequence) per chain in merged order; header is ``<item_id>|<role>|<chain>``."""
    return [(f"{item_id}|{chain.role}|{chain.chain}", chain.sequence) for chain in complex.chains]


def write_fasta(records: Iterable[tuple[str, str]], handle: TextIO) -> int:
    """Write (header, sequence) records as FASTA to an open text handle; returns the count."""
    return SeqIO.write(
        (SeqRecord(Seq(sequence), id=header, description="") for header, sequence in records),
        handle,
        "fasta",
    )
