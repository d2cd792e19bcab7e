"""Warm-cache rerun vs cold run of the same inputs (issue: foundation; figure: ≤ 5 %).

Run: python benchmarks/cache_rerun.py [N_DECOYS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, write_decoy_quiver

import workbench


def timed_run(inputs: list[Path], out: Path, cache: Path, stages: tuple[str, ...]) -> float:
    start = time.perf_counter()
    summary = workbench.run(
        inputs, out, cache_dir=str(cache), stages=stages, voronota=False, **DEEPRANK_CHAINS
    )
    assert summary.n_failed == 0, summary
    return time.perf_counter() - start


def main(n: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = write_decoy_quiver(tmp / "decoys.qv", DEEPRANK_EXAMPLE, n)
        cold = timed_run([archive], tmp / "cold", tmp / "cache", ("prep",))
        warm = timed_run([archive], tmp / "warm", tmp / "cache", ("prep",))
    print(f"items: {n} perturbed copies of {DEEPRANK_EXAMPLE.name}, stage prep")
    print(f"cold run: {cold:.2f} s, warm rerun: {warm:.2f} s")
    print(f"warm / cold = {warm / cold:.3f}  (target ≤ 0.05)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
