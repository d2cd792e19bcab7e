"""Cold prep throughput, LocalCluster (2 workers × 1 thread) / joblib (2 workers), interleaved.

``scale.py`` times one joblib run and, minutes later, one Dask run: on this machine speed drifts
by tens of percent within minutes, more than the gap being measured. Here the two alternate,
K pairs, each run cold into its own empty cache on the same N copies (a bundled case, prep only,
voronota off), and the figure is the median of the per-pair ratios, joblib time / Dask time
(≥ 0.95 is issue 12's goal).

Run: ``python benchmarks/cluster_prep.py [N] [K] [--case NAME]`` (defaults 800, 3, 2I25).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from decoys import write_decoy_quiver
from scale import case, measured_run

from workbench.engine import prep_stage


def main(n: int, pairs: int, case_name: str) -> None:
    prep_stage.INLINE_HITS = 0
    pdb, chains = case(case_name)
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = write_decoy_quiver(tmp / "decoys.qv", pdb, n)
        for k in range(pairs):
            walls = {
                executor: measured_run(
                    archive,
                    tmp / f"{executor}{k}",
                    tmp / f"cache-{executor}{k}",
                    4,
                    executor,
                    chains,
                )[0]
                for executor in ("joblib", "dask")
            }
            ratios.append(walls["joblib"] / walls["dask"])
            print(
                f"pair {k + 1}: joblib {walls['joblib']:.1f} s, LocalCluster "
                f"{walls['dask']:.1f} s, ratio {ratios[-1]:.3f}",
                flush=True,
            )
    print(
        f"{n} copies of {pdb.name}, cold prep, {pairs} interleaved pairs: LocalCluster 2x1 / "
        f"joblib 2 workers throughput = {statistics.median(ratios):.3f} median "
        f"({min(ratios):.3f}–{max(ratios):.3f})  (≥ 0.95)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=800)
    parser.add_argument("pairs", nargs="?", type=int, default=3)
    parser.add_argument("--case", default="2I25")
    args = parser.parse_args()
    main(args.n, args.pairs, args.case)
