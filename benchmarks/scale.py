"""The parent at scale, prep only (issue 12's figures, ratios measured in one run).

1. Parent CPU per item of a rerun whose items are all cache hits (≤ 0.3 ms per item).
2. Peak resident memory of the parent on that rerun, N items vs N/10 (≤ 1.2×); each rerun in
   its own process, so each peak is its own (the issue's sizes are 10^5 vs 10^4).
3. Cold prep throughput on a LocalCluster (``--executor dask``, 2 workers × 1 thread) / local
   joblib with 2 workers, same inputs, each into an empty cache (≥ 0.95).

N rigidly perturbed copies of one complex in a quiver archive, prep only, 2 local workers: a cold
run fills the cache, then the same command again is measured. The workers read their chunks'
entries and write every chunk's graphs into its shard; the parent only reads the archive's
index, hands out chunks of paths and offsets, writes the tables and links each item into
graphs.h5 (INLINE_HITS is set to 0: the steady state of a large run, past the few hundred hits
a run reads and writes in the parent before its pool starts). Parent CPU is this process's
user + system time (its threads included, the worker processes not), printed per item and
against the target.

Run: python benchmarks/scale.py [N_ITEMS] [CHUNK_SIZE] [--no-cluster] [--case NAME];
``--no-cluster`` leaves out 3 (a second cold run of N items: at 10^5, over an hour on 2 cores),
measured at 10^4 instead; ``--case`` copies a bundled case (tests/data/complexes, chains from its
manifest) instead of the DeepRank-Ab example: at 10^5, the example's 313 KB copies make a 31 GB
archive and as much cache, more than this machine's disk holds beside the run.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, write_decoy_quiver

import workbench
from workbench.engine import prep_stage

TARGET_MS = 0.3
COMPLEXES = Path(__file__).resolve().parents[1] / "tests" / "data" / "complexes"


def case(name: str | None) -> tuple[Path, dict[str, str]]:
    """(PDB, chain roles) of a bundled case, or of the DeepRank-Ab example without a name."""
    if name is None:
        return DEEPRANK_EXAMPLE, DEEPRANK_CHAINS
    with (COMPLEXES / "cases.tsv").open() as handle:
        (row,) = (r for r in csv.DictReader(handle, delimiter="\t") if r["case"] == name)
    roles = {role: row[role] for role in ("heavy", "light", "antigen") if row[role] != "-"}
    return COMPLEXES / f"{name}.pdb", roles


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measured_run(
    archive: Path,
    out: Path,
    cache: Path,
    chunk_size: int,
    executor: str = "joblib",
    chains: dict[str, str] = DEEPRANK_CHAINS,
) -> tuple[float, float]:
    """(wall s, parent CPU s) of one prep-only run with 2 workers."""
    wall, cpu = time.perf_counter(), _cpu()
    summary = workbench.run(
        [archive],
        out,
        cache_dir=str(cache),
        stages=("prep",),
        voronota=False,
        workers=2,
        chunk_size=chunk_size,
        executor=executor,
        telemetry="off",
        **chains,
    )
    assert summary.n_failed == 0, summary
    return time.perf_counter() - wall, _cpu() - cpu


def rerun_peak_mib(
    archive: Path, out: Path, cache: Path, chunk_size: int, case_name: str | None
) -> float:
    """Peak resident memory of a fresh process running the all-hit rerun (MiB)."""
    named = ["--case", case_name] if case_name else []
    paths = [str(archive), str(out), str(cache), str(chunk_size)]
    done = subprocess.run(
        [sys.executable, __file__, "--peak", *paths, *named],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.split()[-1])


def _peak(archive: str, out: str, cache: str, chunk_size: str, case_name: str | None) -> None:
    prep_stage.INLINE_HITS = 0
    measured_run(Path(archive), Path(out), Path(cache), int(chunk_size), chains=case(case_name)[1])
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux


def main(
    n: int = 400, chunk_size: int = 4, cluster: bool = True, case_name: str | None = None
) -> None:
    prep_stage.INLINE_HITS = 0
    pdb, chains = case(case_name)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = write_decoy_quiver(tmp / "decoys.qv", pdb, n)
        cold_wall, cold_cpu = measured_run(
            archive, tmp / "run", tmp / "cache", chunk_size, chains=chains
        )
        wall, cpu = measured_run(archive, tmp / "run", tmp / "cache", chunk_size, chains=chains)
        shards = len(list((tmp / "run" / "graphs").iterdir()))
        peak = rerun_peak_mib(archive, tmp / "run", tmp / "cache", chunk_size, case_name)
        small = write_decoy_quiver(tmp / "small.qv", pdb, n // 10)
        measured_run(small, tmp / "small", tmp / "cache", chunk_size, chains=chains)
        small_peak = rerun_peak_mib(small, tmp / "small", tmp / "cache", chunk_size, case_name)
        if cluster:
            dask_wall, _ = measured_run(
                archive, tmp / "dask", tmp / "dask-cache", chunk_size, "dask", chains
            )
    per_item = 1000 * cpu / n
    print(
        f"items: {n} perturbed copies of {pdb.name}, prep only, 2 workers, "
        f"chunks of {chunk_size}; {shards} shards in the folder after the rerun"
    )
    print(f"cold: {cold_wall:.2f} s wall, parent CPU {1000 * cold_cpu / n:.3f} ms/item")
    print(f"all-hit rerun: {wall:.2f} s wall, parent CPU {per_item:.3f} ms/item")
    print(f"parent CPU per item / target ({TARGET_MS} ms) = {per_item / TARGET_MS:.2f}  (≤ 1)")
    print(
        f"parent peak memory, all-hit rerun of {n} / of {n // 10} items = {peak:.0f} / "
        f"{small_peak:.0f} MiB = {peak / small_peak:.3f}  (≤ 1.2)"
    )
    if cluster:
        print(
            f"cold prep throughput, LocalCluster 2x1 / joblib 2 workers = {cold_wall:.2f} / "
            f"{dask_wall:.2f} s = {cold_wall / dask_wall:.3f}  (≥ 0.95)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", help="N_ITEMS [CHUNK_SIZE], or with --peak its paths")
    parser.add_argument("--no-cluster", action="store_true")
    parser.add_argument("--case", default=None)
    parser.add_argument("--peak", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak:
        _peak(*args.sizes, args.case)
    else:
        main(*(int(a) for a in args.sizes), cluster=not args.no_cluster, case_name=args.case)
