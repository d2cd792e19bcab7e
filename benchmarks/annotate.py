"""Annotation figures, as ratios measured in one run.

1. Unique-sequence throughput of ``annotate_unique`` (LocalCluster, 2 worker processes) and of
   in-process ``number_sequences`` against ANARCI's one ``anarci()`` call (hmmscan binary of
   PyPI ``hmmer``) on the same >= 500 sequences, with the share of identical numbering.
2. Annotation wall time of 1,000 decoys of one complex against that of the single complex
   (chains deduplicated by sequence hash before annotation, as a run does).
Each timing is the best of three interleaved repetitions, since the cores are shared.

Run: ``python benchmarks/annotate.py`` from the repository root.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import random
import time
from pathlib import Path

import hmmer
from Bio.PDB import PDBParser
from distributed import Client, LocalCluster

from workbench.annotate import AnnotateOptions, annotate_unique, number_sequences
from workbench.cache import DisabledCache
from workbench.structure import chain_sequences, sequence_hash

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
ANARCI = importlib.import_module("anarci.anarci")
REPEATS = 3


def data_chains() -> dict[str, dict[str, str]]:
    """File stem -> chain -> sequence for the structures of tests/data."""
    parser = PDBParser(QUIET=True)
    return {
        path.stem: chain_sequences(parser.get_structure(path.stem, path))
        for folder in ("complexes", "structures-misc")
        for path in sorted((DATA / folder).glob("*.pdb"))
    }


def workload(chains: dict[str, dict[str, str]], n: int = 600) -> list[str]:
    """Distinct real chain sequences plus seeded point mutants, n in all."""
    base = list(dict.fromkeys(seq for per_file in chains.values() for seq in per_file.values()))
    rng, out = random.Random(7), list(base)
    while len(out) < n:
        letters = list(base[len(out) % len(base)])
        for _ in range(rng.randint(1, 6)):
            letters[rng.randrange(len(letters))] = rng.choice("ACDEFGHIKLMNPQRSTVWY")
        out.append("".join(letters))
    return list(dict.fromkeys(out))


def anarci_call(sequences: list[str]) -> tuple[float, list]:
    """ANARCI's own path: one anarci() call running the hmmscan binary."""
    os.environ["PATH"] = (
        f"{Path(hmmer.__file__).parent / 'data' / 'bin'}{os.pathsep}{os.environ['PATH']}"
    )
    named = [(f"s{i}", s) for i, s in enumerate(sequences)]
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        numbered, details, _ = ANARCI.anarci(named, allow={"H", "K", "L"})
    elapsed = time.perf_counter() - start
    reference = []
    for num, det in zip(numbered, details, strict=True):
        domains = [] if num is None else [
            (d["chain_type"], d["species"], s, e + 1, tuple((p, i.strip(), a) for (p, i), a in ent))
            for (ent, s, e), d in zip(num, det, strict=True)
        ]  # fmt: skip
        reference.append(domains)
    return elapsed, reference


def ours(records) -> list:
    """Our records in the reference's terms."""
    return [
        [(d.chain_type, d.species, d.start, d.end, d.numbering) for d in r.domains] for r in records
    ]


def main() -> None:
    chains = data_chains()
    sequences = workload(chains)
    options = AnnotateOptions()
    t_anarci, t_local, t_dask = float("inf"), float("inf"), float("inf")

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        annotate_unique({"warm": sequences[0]}, options, client, DisabledCache())
        unique = {sequence_hash(s): s for s in sequences}
        for _ in range(REPEATS):  # interleaved, best of REPEATS: the 2 cores are shared
            elapsed, reference = anarci_call(sequences)
            t_anarci = min(t_anarci, elapsed)
            start = time.perf_counter()
            in_process = number_sequences(sequences, options)
            t_local = min(t_local, time.perf_counter() - start)
            start = time.perf_counter()
            got = annotate_unique(unique, options, client, DisabledCache(), batch_size=128)
            t_dask = min(t_dask, time.perf_counter() - start)
        dask_records = [got[sequence_hash(s)] for s in sequences]

        complex_chains = chains["3EOA"]
        start = time.perf_counter()
        single = {sequence_hash(s): s for s in complex_chains.values()}
        annotate_unique(single, options, client, DisabledCache())
        t_single = time.perf_counter() - start
        start = time.perf_counter()
        decoy_chains = [(d, c, s) for d in range(1000) for c, s in complex_chains.items()]
        decoys = {sequence_hash(s): s for _, _, s in decoy_chains}
        annotate_unique(decoys, options, client, DisabledCache())
        t_decoys = time.perf_counter() - start

    n = len(sequences)
    same_local = sum(a == b for a, b in zip(ours(in_process), reference, strict=True))
    same_dask = sum(a == b for a, b in zip(ours(dask_records), reference, strict=True))
    print(f"sequences: {n} unique ({sum(bool(r) for r in reference)} numbered by ANARCI)")
    print(f"ANARCI anarci() one call:        {n / t_anarci:7.1f} seq/s")
    local_ratio = t_anarci / t_local
    print(f"number_sequences (1 process):    {n / t_local:7.1f} seq/s  ratio {local_ratio:.2f}x")
    print(
        f"annotate_unique (2 workers):     {n / t_dask:7.1f} seq/s  ratio {t_anarci / t_dask:.2f}x"
    )
    print(
        f"identical numbering: in-process {same_local}/{n} ({100 * same_local / n:.1f}%), "
        f"dask {same_dask}/{n} ({100 * same_dask / n:.1f}%)"
    )
    print(
        f"1,000 decoys vs single complex (3EOA): {t_decoys:.3f} s vs {t_single:.3f} s, "
        f"ratio {t_decoys / t_single:.2f}x"
    )


if __name__ == "__main__":
    main()
