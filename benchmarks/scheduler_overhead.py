"""The scheduler's own time per batch, with devices whose compute is instant.

Two simulated devices (sim_token_seconds=0) whose forward pass is replaced by a zero float16
output of the right shape, so a run's wall time is what the embedding stage spends around the
compute: tokenising, assigning, collecting the per-sequence arrays, reassembling, and (second
figure) handing each result to the cache writer and storing it in a CacheStore in a temp folder.
A few thousand short sequences in 4,096-token batches; best and median of ``--rounds`` runs
per figure, after one warm-up run. Goal: <= 2 ms/batch, so the scheduler never limits a GPU.
The cache figure is bound by creating one entry file per sequence in the temp folder (set
TMPDIR to measure another filesystem). ``--profile`` profiles the caller's thread, which does
the per-sequence work (the device threads mostly wait).

Usage: python benchmarks/scheduler_overhead.py [--n 4000] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import tempfile
import time

import torch

from workbench.cache.store import CacheStore
from workbench.embed import EmbedOptions, embed_unique, load_model
from workbench.embed import device as device_module

AA = "ACDEFGHIKLMNPQRSTVWY"
BUDGET = 4096


def sequences(n: int, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    return {f"s{i}": "".join(rng.choices(AA, k=rng.randint(20, 150))) for i in range(n)}


def instant_launch(width: int):
    """A launch that computes nothing: zeros shaped as the encoder's output."""

    def launch(model, tokens, layers, precision):
        return torch.zeros(*tokens.shape, width * len(layers), dtype=torch.float16)

    return launch


def one_run(seqs, loaded, options, cache=None) -> tuple[float, int]:
    """Seconds and batches of one run over ``seqs``."""
    batches = []
    start = time.perf_counter()
    for _ in embed_unique(seqs, options, cache, batches.append, model=loaded):
        pass
    return time.perf_counter() - start, len(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="sequences (20-150 residues)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one uncached run")
    args = parser.parse_args()
    loaded = load_model("random:custom_t2_d32_h4")
    device_module.launch = instant_launch(loaded.embed_dim)
    options = EmbedOptions(
        devices="sim:1.0,sim:1.0",
        token_budget=BUDGET,
        prefetch=2,
        sim_token_seconds=0.0,
        cpu_threads=1,
    )
    seqs = sequences(args.n)
    one_run(seqs, loaded, options)  # warm-up
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        one_run(seqs, loaded, options)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    plain = [one_run(seqs, loaded, options) for _ in range(args.rounds)]
    stored = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            stored.append(one_run(seqs, loaded, options, CacheStore(tmp)))
    for name, runs in (("no cache", plain), (f"cache store in {tempfile.gettempdir()}", stored)):
        per_batch = [1000 * seconds / batches for seconds, batches in runs]
        print(
            f"{name}: {min(per_batch):.2f} ms/batch best, {statistics.median(per_batch):.2f} "
            f"median of {len(runs)} runs; {runs[0][1]} batches of <= {BUDGET} tokens, "
            f"{len(seqs)} sequences (goal <= 2 ms/batch)"
        )
    seconds = min(s for s, _ in stored)
    print(f"cache store: {1000 * seconds / len(seqs):.2f} ms per stored sequence (best run)")


if __name__ == "__main__":
    main()
