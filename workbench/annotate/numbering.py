"""ANARCI numbering of pyhmmer hits: hmmscan's view of the hits rebuilt, then ANARCI's own code.

Per sequence, the hits of all models are put in the order and with the rounded values that
``hmmscan``'s text output gives Biopython (hits by P-value then name, domains in HMMER's
order, i-Evalue printed with two significant digits, bit scores with one decimal), filtered by
hmmscan's default reporting thresholds, and handed to ANARCI's ``_parse_hmmer_query``; the
long-CDR3 J-region rescue of ``anarci.check_for_j`` is ported with its rescan done here; the
numbering itself is ANARCI's ``number_sequences_from_alignment``.

Speed without changing results: ANARCI only looks at domains scoring at least 80 bits. A
domain's score cannot exceed its sequence's Forward score by more than a few bits (length
and multi-hit terms), so the first scan skips sequences whose Forward score is under 50 bits
(a 30-bit margin) and spends no domain definition on them, and it keeps only domains of at
least 79.9 bits (what rounds below 80.0 is dropped by ANARCI; leaving out the other hits only
changes hmmscan's domZ, which cannot unreport a domain that strong). The J rescue (threshold
10 bits) scans with HMMER's default filters and keeps every hit.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.annotate import hmm
from workbench.annotate.hmm import ModelHit
from workbench.annotate.options import AnnotateOptions, cdr_bounds
from workbench.annotate.records import Domain, SequenceNumbering

__all__ = ["combine_batch", "combine_hits", "number_sequences", "scan_batch"]

BIT_SCORE_THRESHOLD = 80.0  # ANARCI's default domain threshold
RESCUE_THRESHOLD = 10.0  # ANARCI's threshold when looking for a J region after a long CDR3
FLOOR_MARGIN = 30.0  # bits under the threshold kept by the first scan's Forward filter
_REPORT_E, _INCLUDE_E, _DOMAIN_E = 10.0, 0.01, 10.0  # hmmscan's defaults -E, --incE, --domE
_FR_CDR = ("FR1", "CDR1", "FR2", "CDR2", "FR3", "CDR3", "FR4")

Alignment = tuple[list, list, list]  # ANARCI's (hit_table, state_vectors, descriptions)


class _Hsp:
    """The attributes of a Biopython HSP that ANARCI reads (and ``order``, which it sets)."""

    __slots__ = (
        "aln_annotation",
        "bias",
        "bitscore",
        "evalue",
        "hit_description",
        "hit_end",
        "hit_id",
        "hit_start",
        "order",
        "query_end",
        "query_start",
    )

    def __init__(self, name: str, domain: hmm.DomainHit, z: int) -> None:
        self.hit_id = name
        self.hit_description = ""
        self.evalue = float(f"{domain.pvalue * z:.2g}")
        self.bitscore = float(f"{domain.score:.1f}")
        self.bias = float(f"{domain.bias:.1f}")
        self.query_start = domain.target_from - 1
        self.query_end = domain.target_to
        self.hit_start = domain.hmm_from - 1
        self.hit_end = domain.hmm_to
        self.aln_annotation = {"RF": domain.rf, "PP": domain.pp}
        self.order = 0


class _Query:
    """The attributes of a Biopython QueryResult that ANARCI reads."""

    __slots__ = ("hsps", "seq_len")

    def __init__(self, hsps: list[_Hsp], seq_len: int) -> None:
        self.hsps = hsps
        self.seq_len = seq_len


def _reported_hsps(hits: Sequence[ModelHit], z: int) -> list[_Hsp]:
    """hmmscan's reported domains in its output order, as Biopython would list them."""
    included = sum(hit.pvalue * z <= _INCLUDE_E for hit in hits)  # hmmscan's domZ
    hsps = []
    for hit in sorted(hits, key=lambda hit: (hit.pvalue, hit.name)):
        if hit.pvalue * z > _REPORT_E:
            continue
        hsps.extend(
            _Hsp(hit.name, domain, z)
            for domain in hit.domains
            if domain.pvalue * included <= _DOMAIN_E
        )
    return hsps


def _alignment(
    sequence: str, hits: Sequence[ModelHit], threshold: float, species: Sequence[str] | None
) -> Alignment:
    """ANARCI's parse of one query, minus its print when the species restriction falls back."""
    hsps = _reported_hsps(hits, len(hmm.model_names()))
    if species and not any(
        hsp.bitscore >= threshold and hsp.hit_id.startswith(tuple(species)) for hsp in hsps
    ):
        species = None
    return hmm.anarci_module()._parse_hmmer_query(
        _Query(hsps, len(sequence)),
        bit_score_threshold=threshold,
        hmmer_species=list(species) if species else None,
    )


def _rescan(sequence: str) -> Alignment:
    """ANARCI's ``run_hmmer(..., bit_score_threshold=10)`` on one sequence, done in process."""
    hits = [hmm.scan_model(i, [sequence])[0] for i in range(len(hmm.model_names()))]
    return _alignment(sequence, [hit for hit in hits if hit], RESCUE_THRESHOLD, None)


def _rescue_long_cdr3(sequence: str, alignment: Alignment) -> None:
    """Port of ``anarci.check_for_j`` for one sequence: splice in a J region found after Cys104."""
    _, state_vectors, details = alignment
    if len(state_vectors) != 1:
        return
    ali = state_vectors[0]
    last_state, last_si = ali[-1][0][0], ali[-1][1]
    if last_state >= 120 or last_si + 30 >= len(sequence):
        return
    cys_si = dict(ali).get((104, "m"), None)
    if cys_si is None:
        return
    cys_ai = ali.index(((104, "m"), cys_si))
    _, re_states, _ = _rescan(sequence[cys_si + 1 :])
    if not (re_states and re_states[0][-1][0][0] >= 126 and re_states[0][0][0][0] <= 117):
        return
    v_region = ali[: cys_ai + 1]
    j_region = [
        (state, index + cys_si + 1)
        for state, index in re_states[0]
        if state[0] >= 117 and index is not None
    ]
    cdr_region = []
    state = 105
    for si in range(cys_si + 1, j_region[0][1]):
        if state >= 116:
            cdr_region.append(((116, "i"), si))
        else:
            cdr_region.append(((state, "m"), si))
            state += 1
    state_vectors[0] = v_region + cdr_region + j_region
    details[0]["query_end"] = j_region[-1][1] + 1


def _domain(sequence: str, numbered: tuple, details: dict, scheme: str) -> Domain:
    """Our record of one ANARCI domain, residues mapped by alignment order, never by letters."""
    entries, start, last = numbered
    numbering = tuple((number, insertion.strip(), aa) for (number, insertion), aa in entries)
    residues = [entry for entry in numbering if entry[2] != "-"]
    if "".join(aa for _, _, aa in residues) != sequence[start : last + 1]:
        raise ValueError(f"numbered residues are not sequence[{start}:{last + 1}]")
    bounds = cdr_bounds(scheme, details["chain_type"])
    regions = tuple(_FR_CDR[_region_index(number, bounds)] for number, _, _ in residues)
    cdrs = ["", "", ""]
    for (_, _, aa), region in zip(residues, regions, strict=True):
        if region.startswith("CDR"):
            cdrs[int(region[3]) - 1] += aa
    return Domain(
        chain_type=details["chain_type"],
        species=details["species"],
        start=start,
        end=last + 1,
        numbering=numbering,
        positions=tuple(f"{number}{insertion}" for number, insertion, _ in residues),
        regions=regions,
        cdr1=cdrs[0],
        cdr2=cdrs[1],
        cdr3=cdrs[2],
        evalue=float(details["evalue"]),
        bitscore=float(details["bitscore"]),
        germline=_germline(details.get("germlines")),
    )


def _region_index(number: int, bounds: tuple[tuple[int, int], ...]) -> int:
    """Index into FR1, CDR1, ..., FR4 of a scheme position number."""
    index = 0
    for low, high in bounds:
        if number < low:
            return index
        if number <= high:
            return index + 1
        index += 2
    return index


def _germline(genes: dict | None) -> dict | None:
    """ANARCI's germline assignment as a flat JSON-able dict (None when not asked for)."""
    if genes is None:
        return None
    (species, v_gene), v_identity = genes.get("v_gene") or ((None, None), None)
    (_, j_gene), j_identity = genes.get("j_gene") or ((None, None), None)
    return {
        "species": species,
        "v_gene": v_gene,
        "v_identity": v_identity,
        "j_gene": j_gene,
        "j_identity": j_identity,
    }


def combine_hits(
    sequence: str, hits: Sequence[ModelHit], options: AnnotateOptions
) -> SequenceNumbering:
    """Number one sequence from its hits on every model (the first, filtered scan)."""
    try:
        alignment = _alignment(sequence, hits, BIT_SCORE_THRESHOLD, options.allowed_species)
        _rescue_long_cdr3(sequence, alignment)
        species = None if options.allowed_species is None else list(options.allowed_species)
        numbered, details, _ = hmm.anarci_module().number_sequences_from_alignment(
            [("sequence", sequence)],
            [alignment],
            scheme=options.scheme,
            allow=set(options.chain_types),
            assign_germline=options.germline,
            allowed_species=species,
        )
    except Exception as exc:  # ANARCI signals bad alignments with assertions; keep the reason
        return SequenceNumbering(sequence, (), f"{type(exc).__name__}: {exc}")
    if numbered[0] is None:
        return SequenceNumbering(sequence, ())
    try:
        domains = tuple(
            _domain(sequence, entry, info, options.scheme)
            for entry, info in zip(numbered[0], details[0], strict=True)
        )
    except ValueError as exc:
        return SequenceNumbering(sequence, (), str(exc))
    return SequenceNumbering(sequence, domains)


def scan_batch(model_index: int, sequences: Sequence[str]) -> list[ModelHit | None]:
    """The unit of work: one model over a batch, with the first scan's floor and domain cut."""
    floor = BIT_SCORE_THRESHOLD - FLOOR_MARGIN
    return hmm.scan_model(model_index, sequences, floor, BIT_SCORE_THRESHOLD - 0.1)


def combine_batch(
    sequences: Sequence[str],
    options: AnnotateOptions,
    per_model: Sequence[Sequence[ModelHit | None]],
) -> list[SequenceNumbering]:
    """Number a batch from the per-model hit lists of ``scan_batch`` (model-major)."""
    out = []
    for i, sequence in enumerate(sequences):
        hits = [model_hits[i] for model_hits in per_model if model_hits[i] is not None]
        out.append(_checked(sequence) or combine_hits(sequence, hits, options))
    return out


def _checked(sequence: str) -> SequenceNumbering | None:
    """A record with an error for input HMMER cannot read, else None."""
    bad = sorted(set(sequence.upper()) - set(hmm.ALPHABET_LETTERS))
    if not sequence:
        return SequenceNumbering(sequence, (), "empty sequence")
    if bad:
        return SequenceNumbering(sequence, (), f"invalid residue letters {''.join(bad)!r}")
    return None


def number_sequences(
    sequences: Sequence[str], options: AnnotateOptions | None = None
) -> list[SequenceNumbering]:
    """Number sequences in process: each model searched once over all of them, then combined."""
    options = options or AnnotateOptions()
    sequences = list(sequences)
    per_model = [scan_batch(i, sequences) for i in range(len(hmm.model_names()))]
    return combine_batch(sequences, options, per_model)
