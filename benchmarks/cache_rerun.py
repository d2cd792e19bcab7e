"""Warm-cache rerun vs cold run of the same inputs (foundation issue; figure: ≤ 5 %).

Two reruns are timed against the cold run: the same command again (same run directory), and a
run into a new directory; both take every item from the cache, and the prep workers write its
graph shards from the cache entries.

Run: python benchmarks/cache_rerun.py [N_DECOYS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, write_decoy_quiver

import workbench


def timed_run(inputs: list[Path], out: Path, cache: Path) -> float:
    start = time.perf_counter()
    summary = workbench.run(
        inputs, out, cache_dir=str(cache), stages=("prep",), voronota=False, **DEEPRANK_CHAINS
    )
    assert summary.n_failed == 0, summary
    return time.perf_counter() - start


def main(n: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = write_decoy_quiver(tmp / "decoys.qv", DEEPRANK_EXAMPLE, n)
        cold = timed_run([archive], tmp / "run", tmp / "cache")
        same = timed_run([archive], tmp / "run", tmp / "cache")
        fresh = timed_run([archive], tmp / "elsewhere", tmp / "cache")
    print(f"items: {n} perturbed copies of {DEEPRANK_EXAMPLE.name}, stage prep, 2 workers")
    print(
        f"cold run {cold:.2f} s; rerun, same folder {same:.2f} s; rerun, new folder {fresh:.2f} s"
    )
    print(f"rerun (same command) / cold = {same / cold:.3f}  (target ≤ 0.05)")
    print(f"rerun into a new folder / cold = {fresh / cold:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
