"""Prep stage figures (interface graphs issue), measured in one run as ratios.

- atom-graph prep of the DeepRank-Ab example over N rigidly perturbed copies, per complex per
  core, voronota off (target ≤ 0.15 s) and on; as a ratio to DeepRank2's 2.99 s per graph;
- throughput of 2 workers / 1 worker (target ≥ 1.7);
- warm-cache rerun / cold run (target ≤ 0.05): the same command again, and into a new folder.

Run: python benchmarks/prep.py [N]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, write_decoy_quiver

import workbench

DEEPRANK2_SECONDS = 2.99


def timed(archive: Path, out: Path, workers: int, cache: Path | None, voronota: bool) -> float:
    options = {"cache_dir": str(cache)} if cache else {"no_cache": True}
    start = time.perf_counter()
    summary = workbench.run(
        [archive],
        out,
        stages=("prep",),
        workers=workers,
        voronota=voronota,
        **options,
        **DEEPRANK_CHAINS,
    )
    assert summary.n_failed == 0, workbench.open_run(out).structures.error.dropna().head()
    return time.perf_counter() - start


def main(n: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = write_decoy_quiver(tmp / "decoys.qv", DEEPRANK_EXAMPLE, n)
        timed(archive, tmp / "warmup", 2, None, False)
        one = timed(archive, tmp / "w1", 1, None, False)
        two = timed(archive, tmp / "w2", 2, None, False)
        cold = timed(archive, tmp / "cold", 2, tmp / "cache", False)
        warm = timed(archive, tmp / "cold", 2, tmp / "cache", False)
        moved = timed(archive, tmp / "warm", 2, tmp / "cache", False)
        if shutil.which("voronota"):
            small = write_decoy_quiver(tmp / "few.qv", DEEPRANK_EXAMPLE, max(10, n // 20))
            vor = timed(small, tmp / "vor", 1, None, True) / max(10, n // 20)
        else:
            vor = None
    per_core = one / n
    print(f"{n} perturbed copies of {DEEPRANK_EXAMPLE.name}, atom graph, stage prep")
    print(
        f"1 worker: {per_core:.3f} s per complex per core (target ≤ 0.15), "
        f"{per_core / DEEPRANK2_SECONDS:.3f} of DeepRank2's {DEEPRANK2_SECONDS} s"
    )
    if vor is not None:
        print(
            f"voronota on: {vor:.3f} s per complex per core, "
            f"{vor / DEEPRANK2_SECONDS:.3f} of DeepRank2's; {vor / per_core:.1f}× voronota off"
        )
    print(f"2 workers / 1 worker throughput = {one / two:.2f}  (target ≥ 1.7)")
    print(f"warm rerun (same command) / cold run = {warm / cold:.3f}  (target ≤ 0.05)")
    print(f"warm rerun into a new folder / cold run = {moved / cold:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
