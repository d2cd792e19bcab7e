"""A warm rerun into a new folder / the cold run, whole ``workbench run`` processes (issue 14).

Inputs: N complexes (default 53, the issue's count): the 14 bundled cases
(tests/data/complexes) and, beyond them, rigidly moved copies of the DeepRank-Ab example, in one
folder with one manifest. Copies share their sequences, so the cold run numbers and embeds less
than N distinct complexes would: the ratio is no better than theirs. Default stages and options
(prep with Voronoi areas where voronota is installed, annotate, embed; a small random-weight
ESM-2), cold into an empty cache, then the same command into a new folder with that cache warm
(issue 14), then the same command again into the cold run's folder (issue 12: it finds every
shard still right and writes none). All are timed from process start to exit, so interpreter
start-up and imports count; run.json's own wall time says what the pipeline spent after its
imports. The warm run is taken three times, each into its own new folder, and the median
counts. Goal: ≤ 0.05 for both.

The timed processes cache their bytecode, as an installed copy does, after an untimed first
one has written it (``installed.py``: this machine turns the caching off).

Run: ``python benchmarks/warm_rerun.py [N]`` from the repository root.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, perturbed_copies
from installed import environment

COMPLEXES = Path(__file__).resolve().parents[1] / "tests" / "data" / "complexes"
WORKBENCH = Path(sys.executable).with_name("workbench")
WARM_RUNS = 3  # a warm run is short, so the machine's noise is large: the median of three


def inputs(folder: Path, n: int) -> Path:
    """``n`` complexes and their manifest in ``folder``; returns the manifest."""
    folder.mkdir()
    bundled = sorted(COMPLEXES.glob("*.pdb"))[:n]
    for path in bundled:
        shutil.copy(path, folder)
    rows = (COMPLEXES / "cases.tsv").read_text().splitlines()
    chains = "\t".join(DEEPRANK_CHAINS[side] for side in ("heavy", "light", "antigen"))
    for tag, text in perturbed_copies(DEEPRANK_EXAMPLE, max(0, n - len(bundled))):
        (folder / f"{tag}.pdb").write_text(text)
        rows.append(f"{tag}\t{chains}")
    manifest = folder / "cases.tsv"
    manifest.write_text("\n".join(rows) + "\n")
    return manifest


def whole_process(folder: Path, manifest: Path, out: Path, cache: Path) -> tuple[float, dict]:
    """(process wall s, run.json) of one run."""
    started = time.perf_counter()
    subprocess.run(
        [
            str(WORKBENCH),
            "run",
            str(folder),
            "--manifest",
            str(manifest),
            "--out",
            str(out),
            "--cache-dir",
            str(cache),
            "--model",
            "random:esm2_t6_8M_UR50D",
        ],
        check=True,
        capture_output=True,
        env=environment(),
    )
    wall = time.perf_counter() - started
    return wall, json.loads((out / "run.json").read_text())


def main(n: int = 53) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        first = inputs(tmp / "first", 2)  # untimed: writes the bytecode caches (installed)
        whole_process(tmp / "first", first, tmp / "first-run", tmp / "first-cache")
        manifest = inputs(tmp / "inputs", n)
        cold, cold_info = whole_process(tmp / "inputs", manifest, tmp / "cold", tmp / "cache")
        warm_runs = [
            whole_process(tmp / "inputs", manifest, tmp / f"warm{i}", tmp / "cache")
            for i in range(WARM_RUNS)
        ]
        warm, warm_info = sorted(warm_runs, key=lambda run: run[0])[WARM_RUNS // 2]
        before = {p.name: p.stat().st_mtime_ns for p in (tmp / "cold" / "graphs").iterdir()}
        again, _ = whole_process(tmp / "inputs", manifest, tmp / "cold", tmp / "cache")
        after = {p.name: p.stat().st_mtime_ns for p in (tmp / "cold" / "graphs").iterdir()}
    cold_inner, warm_inner = cold_info["wall_seconds"], warm_info["wall_seconds"]
    print(
        f"{n} complexes ({min(n, 14)} bundled cases, the rest moved copies), "
        f"prep+annotate+embed, whole processes, "
        f"voronota {'on' if cold_info['voronota'] else 'off (not installed)'}"
    )
    print(
        f"cold {cold:.2f} s (run {cold_inner:.2f} s); warm, new folder {warm:.2f} s "
        f"(run {warm_inner:.2f} s; the median of {WARM_RUNS}: "
        f"{', '.join(f'{w:.2f}' for w, _ in warm_runs)} s)"
    )
    print(
        f"warm / cold = {warm / cold:.3f}  (goal ≤ 0.05); start-up and shutdown outside the "
        f"run: {warm - warm_inner:.2f} s"
    )
    print(
        f"the same command again, same folder: {again:.2f} s, / cold = {again / cold:.3f} "
        f"(goal ≤ 0.05); shards rewritten: {sum(before.get(k) != v for k, v in after.items())} "
        f"of {len(after)}"
    )
    stages = ", ".join(f"{k} {v['seconds']:.2f} s" for k, v in warm_info["stages"].items())
    print(
        f"warm run: {stages}; cluster started: {warm_info['cluster_started']}, ESM model "
        f"built: {warm_info['embeddings_model_built']}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 53)
