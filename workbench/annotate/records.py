"""Numbering records: one per sequence, one Domain per variable domain found in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Domain", "SequenceNumbering"]


@dataclass(frozen=True, slots=True)
class Domain:
    """A variable domain numbered by ANARCI; residue indices count from 0 in the sequence."""

    chain_type: str  # ANARCI chain type: H, K, L (A, B, G, D for TCR chains when allowed)
    species: str  # species of the best HMM, e.g. "human"
    start: int  # index of the first numbered residue
    end: int  # one past the last numbered residue (sequence[start:end] is the domain)
    numbering: tuple[tuple[int, str, str], ...]  # (number, insertion code or "", aa or "-")
    positions: tuple[str, ...]  # scheme label ("111A") of residue start + k, len end - start
    regions: tuple[str, ...]  # FR1..FR4 / CDR1..CDR3 of residue start + k, len end - start
    cdr1: str
    cdr2: str
    cdr3: str
    evalue: float  # hmmscan i-Evalue of the best hit, as ANARCI reports it
    bitscore: float  # its domain bit score
    germline: dict[str, Any] | None = None  # v_gene, v_identity, j_gene, j_identity, species

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, for the cache."""
        return {
            "chain_type": self.chain_type,
            "species": self.species,
            "start": self.start,
            "end": self.end,
            "numbering": [list(entry) for entry in self.numbering],
            "positions": list(self.positions),
            "regions": list(self.regions),
            "cdr1": self.cdr1,
            "cdr2": self.cdr2,
            "cdr3": self.cdr3,
            "evalue": self.evalue,
            "bitscore": self.bitscore,
            "germline": self.germline,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Domain:
        """Inverse of to_dict."""
        return cls(
            chain_type=data["chain_type"],
            species=data["species"],
            start=int(data["start"]),
            end=int(data["end"]),
            numbering=tuple((int(n), str(i), str(a)) for n, i, a in data["numbering"]),
            positions=tuple(data["positions"]),
            regions=tuple(data["regions"]),
            cdr1=data["cdr1"],
            cdr2=data["cdr2"],
            cdr3=data["cdr3"],
            evalue=float(data["evalue"]),
            bitscore=float(data["bitscore"]),
            germline=data["germline"],
        )


@dataclass(frozen=True, slots=True)
class SequenceNumbering:
    """All domains of one sequence in sequence order; ``error`` says why numbering failed."""

    sequence: str
    domains: tuple[Domain, ...]
    error: str | None = None

    @property
    def chain_types(self) -> tuple[str, ...]:
        """Chain type of each domain, in sequence order."""
        return tuple(domain.chain_type for domain in self.domains)

    def positions(self) -> tuple[str, ...]:
        """Scheme label of every residue of the sequence, "" outside the domains."""
        labels = [""] * len(self.sequence)
        for domain in self.domains:
            labels[domain.start : domain.end] = domain.positions
        return tuple(labels)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, for the cache."""
        return {
            "sequence": self.sequence,
            "domains": [domain.to_dict() for domain in self.domains],
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SequenceNumbering:
        """Inverse of to_dict."""
        domains = tuple(Domain.from_dict(domain) for domain in data["domains"])
        return cls(data["sequence"], domains, data["error"])
