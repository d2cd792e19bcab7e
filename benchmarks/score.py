"""Scoring figures, as ratios measured in one run.

1. Throughput of a whole ``workbench score`` process (imports, checkpoint, reading, scoring,
   writing) on 80 graphs, graphs/s, against DeepRank-Ab's own ``predict`` on this kind of
   machine: 8.5 graphs/s on 50 graphs of the same size class, including dataset construction,
   without its 5-6 s of imports (tests/data/deeprank-ab/README.md). Their code cannot run here
   (torch_scatter and torch_geometric are not installable offline), so their figure is the
   denominator; ours is measured fresh, fp32 and, where the CPU has bf16 units, bf16.
2. Loader starvation: the share of each device's wall time spent waiting for its next batch,
   with two simulated devices.

The 80 graphs are the seven reference graphs, each copied with its coordinates moved rigidly
(a seeded rotation of up to 4 degrees and a shift of up to 0.5 A), so no two are equal and no
score comes from the cache.

The timed processes cache their bytecode, as an installed copy does, after an untimed first
one has written it (``installed.py``: this machine turns the caching off).

Run: ``python benchmarks/score.py`` from the repository root.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
from installed import environment
from scipy.spatial.transform import Rotation

from workbench.score import load_checkpoint, score_files

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "data" / "deeprank-ab"
THEIR_GRAPHS_PER_S = 8.5
COUNT = 80


def perturbed_graphs(path: Path, count: int = COUNT, seed: int = 7) -> Path:
    """``count`` rigidly moved copies of the reference graphs in one file."""
    rng = np.random.default_rng(seed)
    with h5py.File(REFERENCE / "graphs.h5", "r") as source, h5py.File(path, "w") as target:
        names = list(source)
        for i in range(count):
            name = names[i % len(names)]
            copy = f"{name}_d{i:03d}"
            source.copy(source[name], target, name=copy)
            pos = target[f"{copy}/node_data/pos"][()]
            axis = rng.normal(size=3)
            turn = Rotation.from_rotvec(axis / np.linalg.norm(axis) * np.radians(rng.uniform(0, 4)))
            centre = pos.mean(axis=0)
            target[f"{copy}/node_data/pos"][...] = (
                turn.apply(pos - centre) + centre + rng.uniform(-0.5, 0.5, 3)
            )
    return path


def whole_process(graphs: Path, out: Path, precision: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "score",
            str(graphs),
            "--scorer",
            f"deeprank-ab:{REFERENCE / 'checkpoint_plain.pth.tar'}",
            "--out",
            str(out),
            "--no-cache",
            "--precision",
            precision,
        ],
        check=True,
        capture_output=True,
        env=environment(),
    )
    return time.perf_counter() - started


def starvation(graphs: Path) -> dict[str, float]:
    checkpoint = load_checkpoint(REFERENCE / "checkpoint_plain.pth.tar")
    started = time.perf_counter()
    result = score_files([graphs], checkpoint, devices="sim:1,sim:0.5", budget=(1_200, 10_000))
    wall = time.perf_counter() - started
    shares = {}
    for device in {batch.device for batch in result.batches}:
        waited = sum(b.waited for b in result.batches if b.device == device)
        shares[device] = waited / wall
    return shares


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        graphs = perturbed_graphs(Path(folder) / "perturbed.h5")
        whole_process(graphs, Path(folder) / "first", "fp32")  # untimed: bytecode caches
        for precision in ("fp32", "bf16"):
            seconds = whole_process(graphs, Path(folder) / precision, precision)
            rate = COUNT / seconds
            print(
                f"workbench score, {COUNT} graphs, {precision}, whole process: {rate:.1f} graphs/s "
                f"= {rate / THEIR_GRAPHS_PER_S:.2f}x DeepRank-Ab predict ({THEIR_GRAPHS_PER_S})"
            )
        for device, share in sorted(starvation(graphs).items()):
            print(f"loader starvation on {device}: {share:.1%} of the scoring wall time")


if __name__ == "__main__":
    main()
