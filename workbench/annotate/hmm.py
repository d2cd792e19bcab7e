"""The pyhmmer wrapper: ANARCI's HMMs loaded once per process, one model searched over a batch.

Scanning one sequence against every model (``hmmscan``) and searching every sequence with one
model (``hmmsearch``) give the same raw scores; only E-values depend on the search space. The
hits kept here carry P-values, so the caller rebuilds hmmscan's E-values with Z = the number of
models in ALL.hmm, exactly as ``hmmscan`` would report them to ANARCI.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import pyhmmer
from pyhmmer import easel, plan7

__all__ = [
    "ALPHABET_LETTERS",
    "NUMBERING_SOFTWARE",
    "DomainHit",
    "ModelHit",
    "anarci_module",
    "hmm_checksum",
    "hmm_path",
    "model_names",
    "numbering_identity",
    "scan_model",
]

_ALPHABET = easel.Alphabet.amino()
ALPHABET_LETTERS = "ACDEFGHIKLMNPQRSTVWYBJZOUX"  # residue letters HMMER reads (any case)
_DEFAULT_F3 = 1e-5  # HMMER's default Forward filter P-value threshold
_LOCK = threading.Lock()
_MODELS: tuple[_Model, ...] | None = None
_CHECKSUM: str | None = None
# the code that numbers: part of every key whose value depends on numbering
NUMBERING_SOFTWARE = f"anarci-{importlib.metadata.version('anarci')}/pyhmmer-{pyhmmer.__version__}"


@dataclass(frozen=True, slots=True)
class DomainHit:
    """One domain of a model on a sequence, as hmmscan's domain table and alignment show it."""

    pvalue: float  # independent P-value; hmmscan's i-Evalue is pvalue * number of models
    score: float  # domain bit score
    bias: float  # null2 bias correction, bits
    hmm_from: int  # first model state, from 1
    hmm_to: int  # last model state, inclusive
    target_from: int  # first sequence residue, from 1
    target_to: int  # last sequence residue, inclusive
    rf: str  # reference line: "x" at match/delete columns, "." at insert columns
    pp: str  # posterior probability line: "." at delete columns


@dataclass(frozen=True, slots=True)
class ModelHit:
    """A model's hit on one sequence: its per-sequence P-value and domains in HMMER's order."""

    name: str  # model name, "<species>_<chain type>", e.g. "human_H"
    pvalue: float  # per-sequence P-value; hmmscan ranks hits by it, then by name
    domains: tuple[DomainHit, ...]


@dataclass(frozen=True, slots=True)
class _Model:
    """A loaded model: optimized profile kept hot, plus its Forward E-value parameters."""

    name: str
    profile: plan7.OptimizedProfile
    f_tau: float
    f_lambda: float


def anarci_module():
    """ANARCI's own module, imported when a numbering is computed (it pulls in Bio.SearchIO)."""
    return importlib.import_module("anarci.anarci")


def hmm_path() -> str:
    """ALL.hmm as shipped by the installed ANARCI, found without importing it (warm runs)."""
    package = importlib.util.find_spec("anarci").submodule_search_locations[0]
    return os.path.join(package, "dat", "HMMs", "ALL.hmm")


def _models() -> tuple[_Model, ...]:
    """Load and optimise every model once per process (workers keep them between tasks)."""
    global _MODELS
    with _LOCK:
        if _MODELS is None:
            background = plan7.Background(_ALPHABET)
            models = []
            with plan7.HMMFile(hmm_path()) as handle:
                for hmm in handle:
                    profile = plan7.Profile(hmm.M, _ALPHABET)
                    profile.configure(hmm, background, 400)
                    params = hmm.evalue_parameters
                    models.append(
                        _Model(hmm.name, profile.to_optimized(), params.f_tau, params.f_lambda)
                    )
            _MODELS = tuple(models)
        return _MODELS


def model_names() -> tuple[str, ...]:
    """Names of the models in ALL.hmm, in file order; index i is the unit of work i."""
    return tuple(model.name for model in _models())


def hmm_checksum() -> str:
    """sha256 of ALL.hmm, part of every annotation cache key."""
    global _CHECKSUM
    if _CHECKSUM is None:
        with open(hmm_path(), "rb") as handle:
            _CHECKSUM = hashlib.sha256(handle.read()).hexdigest()
    return _CHECKSUM


def numbering_identity() -> dict[str, str]:
    """What a numbering depends on besides its options: ANARCI, pyhmmer and ALL.hmm itself."""
    return {"software": NUMBERING_SOFTWARE, "hmm_sha256": hmm_checksum()}


def _digitize(sequences: Sequence[str]) -> easel.DigitalSequenceBlock:
    """Digitize the sequences HMMER accepts, each named by its input index."""
    digital = []
    for index, sequence in enumerate(sequences):
        if not sequence:
            continue
        try:
            text = easel.TextSequence(name=str(index).encode(), sequence=sequence)
            digital.append(text.digitize(_ALPHABET))
        except ValueError:
            continue
    return easel.DigitalSequenceBlock(_ALPHABET, digital)


def scan_model(
    model_index: int,
    sequences: Sequence[str],
    floor_bits: float | None = None,
    min_domain_bits: float | None = None,
) -> list[ModelHit | None]:
    """Search one model over a batch: per sequence its hit, or None.

    With ``floor_bits`` the Forward filter also drops sequences whose Forward score is below
    it; HMMER's default filters apply otherwise. With ``min_domain_bits`` only domains scoring
    at least that are kept, and hits left without domains are dropped. Sequences HMMER cannot
    read give None.
    """
    model = _models()[model_index]
    f3 = _DEFAULT_F3
    if floor_bits is not None:
        f3 = min(f3, math.exp(-model.f_lambda * (floor_bits - model.f_tau)))
    block = _digitize(sequences)
    out: list[ModelHit | None] = [None] * len(sequences)
    if not len(block):
        return out
    pipeline = plan7.Pipeline(_ALPHABET, Z=len(_models()), E=1e300, domE=1e300, F3=f3)
    for hit in pipeline.search_hmm(model.profile, block):
        domains = tuple(
            _domain_hit(domain)
            for domain in hit.domains
            if min_domain_bits is None or domain.score >= min_domain_bits
        )
        if not domains:
            continue
        name = hit.name.decode() if isinstance(hit.name, bytes) else hit.name
        out[int(name)] = ModelHit(model.name, hit.pvalue, domains)
    return out


def _domain_hit(domain: plan7.Domain) -> DomainHit:
    """Keep what ANARCI reads from an hmmscan domain: coordinates, RF and PP lines, scores."""
    ali = domain.alignment
    rf = "".join("." if column == "." else "x" for column in ali.hmm_sequence)
    return DomainHit(
        pvalue=domain.pvalue,
        score=domain.score,
        bias=domain.bias,
        hmm_from=ali.hmm_from,
        hmm_to=ali.hmm_to,
        target_from=ali.target_from,
        target_to=ali.target_to,
        rf=rf,
        pp=ali.posterior_probabilities,
    )
