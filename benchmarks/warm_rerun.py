"""A warm rerun into a new folder / the cold run, whole ``workbench run`` processes (issue 14).

The bundled complexes (tests/data/complexes, 14 cases with their manifest) with the default
stages and options (prep with Voronoi areas where voronota is installed, annotate, embed; a small
random-weight ESM-2), cold into an empty cache, then
the same command into a new folder with that cache warm. Both are timed from process start to
exit, so interpreter start-up and imports count. Also prints run.json's own wall time of the
warm run, the part the pipeline spends after its imports. Goal: ≤ 0.05.

Run: ``python benchmarks/warm_rerun.py`` from the repository root.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPLEXES = Path(__file__).resolve().parents[1] / "tests" / "data" / "complexes"
WORKBENCH = Path(sys.executable).with_name("workbench")


def whole_process(out: Path, cache: Path) -> tuple[float, dict]:
    """(process wall s, run.json) of one run."""
    started = time.perf_counter()
    subprocess.run(
        [
            str(WORKBENCH),
            "run",
            str(COMPLEXES),
            "--manifest",
            str(COMPLEXES / "cases.tsv"),
            "--out",
            str(out),
            "--cache-dir",
            str(cache),
            "--model",
            "random:esm2_t6_8M_UR50D",
        ],
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    return wall, json.loads((out / "run.json").read_text())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cold, cold_info = whole_process(tmp / "cold", tmp / "cache")
        warm, warm_info = whole_process(tmp / "warm", tmp / "cache")
    cold_inner, warm_inner = cold_info["wall_seconds"], warm_info["wall_seconds"]
    print(
        f"{len(list(COMPLEXES.glob('*.pdb')))} complexes, prep+annotate+embed, whole processes, "
        f"voronota {'on' if cold_info['voronota'] else 'off (not installed)'}"
    )
    print(
        f"cold {cold:.2f} s (run {cold_inner:.2f} s); warm, new folder {warm:.2f} s "
        f"(run {warm_inner:.2f} s)"
    )
    print(
        f"warm / cold = {warm / cold:.3f}  (goal ≤ 0.05); start-up and shutdown outside the "
        f"run: {warm - warm_inner:.2f} s"
    )
    stages = ", ".join(f"{k} {v['seconds']:.2f} s" for k, v in warm_info["stages"].items())
    print(
        f"warm run: {stages}; cluster started: {warm_info['cluster_started']}, ESM model "
        f"built: {warm_info['embeddings_model_built']}"
    )


if __name__ == "__main__":
    main()
