"""Embedding figures as ratios measured in one run (random weights on the CPU).

1. scheduler tokens/s vs a bare fair-esm forward (``model(tokens, repr_layers=...)``) over the
   same batches (t6, one CPU device), and vs a bare loop of the scheduler's own encoder over the
   same batches (what the scheduler itself costs);
2. scheduler vs an extract.py-style pipeline (4,096 tokens per batch, fp32, one .pt per sequence);
   all at the intra-op thread count the scheduler's probe picks, one untimed warm-up round for
   all, then interleaved rounds in rotating order (best-of and median per-round ratios); the bare
   encoder once more at the other count (what the probe saves when the cores are busy);
3. makespan of simulated devices sim:1.0 + sim:0.5 vs the ideal (work / total speed), and a
   static equal split for comparison (tiny model, so the simulated time dominates);
4. 1,000 decoys of one complex vs the complex alone: the embed stage of two whole runs;
5. tokens/s of the vectorised tokeniser vs fair-esm's BatchConverter, large and small batches.

Usage: python benchmarks/embed.py [--model random:esm2_t6_8M_UR50D] [--n 60] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import esm
import torch
from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, write_decoy_quiver

import workbench
from workbench.embed import EmbedOptions, embed_unique, load_model
from workbench.embed.device import choose_cpu_threads, forward, intra_op_threads
from workbench.embed.scheduler import Piece, cut_batches
from workbench.embed.tokens import Tokenizer

AA = "ACDEFGHIKLMNPQRSTVWY"


def sequences(n: int, low: int, high: int, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    return {
        f"s{i}": "".join(rng.choice(AA) for _ in range(rng.randint(low, high))) for i in range(n)
    }


def scheduler_run(seqs, loaded, options, outside: list | None = None) -> tuple[float, int]:
    """Seconds and padded tokens; ``outside`` collects the share of the wall time spent outside
    the batches' own compute (the scheduler's cost, free of the forward pass's noise)."""
    reports = []
    start = time.perf_counter()
    for _ in embed_unique(seqs, options, None, reports.append, model=loaded):
        pass
    seconds = time.perf_counter() - start
    if outside is not None:
        outside.append(1 - sum(r.seconds for r in reports) / seconds)
    return seconds, sum(r.tokens for r in reports)


def bare_run(seqs, loaded, budget: int, layers, stock: bool = False) -> tuple[float, int]:
    """The same length-sorted batches through the encoder and the scheduler's tokeniser (or
    fair-esm's forward and BatchConverter), nothing else."""
    batches = cut_batches([Piece(k, len(s) + 2) for k, s in seqs.items()], budget)
    convert = loaded.alphabet.get_batch_converter()
    tokenize = Tokenizer(loaded.alphabet)
    start, tokens = time.perf_counter(), 0
    for batch in batches:
        items = [(p.key, seqs[p.key]) for p in batch]
        toks = convert(items)[2] if stock else torch.from_numpy(tokenize(items))
        if stock:
            with torch.inference_mode():
                loaded.model(toks, repr_layers=list(layers))
        else:
            forward(loaded.model, toks, layers, [p.tokens - 2 for p in batch])
        tokens += toks.numel()
    return time.perf_counter() - start, tokens


def extract_run(seqs, loaded, layer: int) -> tuple[float, int]:
    """fair-esm scripts/extract.py: 4096-token batches, no_grad, one torch.save per sequence."""
    dataset = esm.FastaBatchedDataset(list(seqs), list(seqs.values()))
    batches = dataset.get_batch_indices(4096, extra_toks_per_seq=1)
    loader = torch.utils.data.DataLoader(
        dataset, collate_fn=loaded.alphabet.get_batch_converter(), batch_sampler=batches
    )
    start, tokens = time.perf_counter(), 0
    with tempfile.TemporaryDirectory() as out, torch.no_grad():
        for labels, strs, toks in loader:
            result = loaded.model(toks, repr_layers=[layer], return_contacts=False)
            reps = result["representations"][layer]
            tokens += toks.numel()
            for i, label in enumerate(labels):
                n = len(strs[i])
                torch.save(
                    {
                        "label": label,
                        "representations": {layer: reps[i, 1 : n + 1].clone()},
                        "mean_representations": {layer: reps[i, 1 : n + 1].mean(0).clone()},
                    },
                    Path(out) / f"{label}.pt",
                )
    return time.perf_counter() - start, tokens


def rounds(runs: dict[str, Callable[[], tuple[float, int]]], count: int) -> dict[str, list[float]]:
    """tokens/s of every run per round: one untimed warm-up round for all, then ``count`` rounds,
    the order rotated each round so that no run always follows the same neighbour."""
    names = list(runs)
    for name in names:
        runs[name]()
    out: dict[str, list[float]] = {name: [] for name in names}
    for i in range(count):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            seconds, tokens = runs[name]()
            out[name].append(tokens / seconds)
    return out


def ratios(rates: dict[str, list[float]], a: str, b: str) -> str:
    """Best-of ratio and the median of the per-round ratios (robust to drifting load)."""
    best = max(rates[a]) / max(rates[b])
    paired = statistics.median(x / y for x, y in zip(rates[a], rates[b], strict=True))
    return f"best-of {best:.2f}, median per round {paired:.2f}"


def throughput(model: str, n: int, count: int) -> None:
    loaded = load_model(model)
    seqs = sequences(n, 50, 300)
    layers = loaded.resolve_layers((-1,))
    cores = len(os.sched_getaffinity(0))
    start = time.perf_counter()
    threads = choose_cpu_threads(loaded, layers, 1)
    probe = time.perf_counter() - start
    options = EmbedOptions(devices="cpu", prefetch=1, cpu_threads=threads)
    outside: list[float] = []
    with intra_op_threads(threads):
        rates = rounds(
            {
                "sched": lambda: scheduler_run(seqs, loaded, options, outside),
                "bare": lambda: bare_run(seqs, loaded, 4096, layers),
                "fair-esm": lambda: bare_run(seqs, loaded, 4096, layers, stock=True),
                "extract": lambda: extract_run(seqs, loaded, layers[0]),
            },
            count,
        )
    other = 1 if threads > 1 else cores
    with intra_op_threads(other):
        seconds, tokens = bare_run(seqs, loaded, 4096, layers)
    with intra_op_threads(cores):
        extract_seconds, extract_tokens = extract_run(seqs, loaded, layers[0])
    best = {k: max(v) for k, v in rates.items()}
    print(
        f"tokens/s ({model}, {n} sequences, CPU, {threads} of {cores} threads picked by a "
        f"{probe:.2f} s probe, best of {count} interleaved rounds after a warm-up round): "
        + ", ".join(f"{k} {v:.0f}" for k, v in best.items())
    )
    print(f"bare encoder at {threads} / at {other} threads: {best['bare'] * seconds / tokens:.2f}")
    print(
        f"scheduler / bare fair-esm forward: {ratios(rates, 'sched', 'fair-esm')}  (target >= 0.95)"
    )
    print(f"scheduler / bare encoder loop:     {ratios(rates, 'sched', 'bare')}  (its own cost)")
    print(
        "scheduler wall time outside its batches' compute: "
        f"median {statistics.median(outside):.1%} over {len(outside)} runs"
    )
    print(
        f"scheduler / extract.py-style:      {ratios(rates, 'sched', 'extract')}  (target >= 1.3)"
    )
    print(
        "scheduler / extract.py-style at torch's default threads (as extract.py runs, one run): "
        f"{best['sched'] * extract_seconds / extract_tokens:.2f}"
    )


def makespan() -> None:
    loaded = load_model("random:custom_t2_d32_h4")
    seqs = sequences(300, 20, 80, seed=1)
    cost = 5e-4  # s per padded token at speed 1.0, well above the tiny model's compute
    opts = dict(token_budget=600, prefetch=1, sim_token_seconds=cost, cpu_threads=1)
    seconds, tokens = scheduler_run(seqs, loaded, EmbedOptions(devices="sim:1.0,sim:0.5", **opts))
    ideal = tokens * cost / 1.5
    ordered = sorted(seqs, key=lambda k: len(seqs[k]))
    halves = [dict((k, seqs[k]) for k in ordered[i::2]) for i in (0, 1)]
    times = {}

    def one(name, part, device):
        times[name] = scheduler_run(part, loaded, EmbedOptions(devices=device, **opts))[0]

    threads = [
        threading.Thread(target=one, args=(i, halves[i], d))
        for i, d in enumerate(("sim:1.0", "sim:0.5"))
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    static = time.perf_counter() - start
    print(
        f"sim:1.0+sim:0.5 makespan / ideal: dynamic {seconds / ideal:.3f} (target <= 1.05), "
        f"static equal split {static / ideal:.3f}"
    )


def decoys(model: str, repeats: int = 2) -> None:
    """The embed stage of whole runs: 1,000 perturbed copies of a complex vs the complex alone,
    ``repeats`` interleaved pairs (the stage is mostly fixed costs here: model build, thread
    probe, HDF5 file; its batches are the same few unique chains either way)."""

    options = {
        "stages": ("prep", "embed"),
        "model": model,
        "devices": "cpu",
        "no_cache": True,
        "voronota": False,
        **DEEPRANK_CHAINS,
    }
    seconds: dict[str, list[float]] = {"single": [], "decoys": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = write_decoy_quiver(tmp / "decoys.qv", DEEPRANK_EXAMPLE, 1000)
        for i in range(repeats):
            for name, inputs in (("single", [DEEPRANK_EXAMPLE]), ("decoys", [archive])):
                workbench.run(inputs, tmp / f"{name}{i}", **options)
                info = workbench.open_run(tmp / f"{name}{i}").info
                seconds[name].append(info["stages"]["embed"]["seconds"])
    best = min(seconds["decoys"]) / min(seconds["single"])
    pairs = zip(seconds["decoys"], seconds["single"], strict=True)
    each = ", ".join(f"{d:.2f}/{s:.2f} s" for d, s in pairs)
    print(
        f"1,000 decoys / 1 complex, embed stage wall time of whole runs, best of {repeats}: "
        f"{best:.3f} (target <= 1.1; each pair decoys/single: {each})"
    )


def tokenising(repeats: int = 5) -> None:
    """Best of ``repeats`` over the same batches: 512 sequences of 50-450 residues (231k padded
    tokens, a large GPU batch) and 40 of 100 (4,080 tokens, a CPU batch)."""
    alphabet = esm.data.Alphabet.from_architecture("ESM-1b")
    converter, tokenize = alphabet.get_batch_converter(), Tokenizer(alphabet)
    for n, low, high in ((512, 50, 450), (40, 100, 100)):
        items = list(sequences(n, low, high, seed=3).items())
        best = {}
        for name, run in (("vectorised", tokenize), ("BatchConverter", converter)):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                run(items)
                times.append(time.perf_counter() - start)
            best[name] = min(times)
        tokens = tokenize(items).size
        print(
            f"tokenising {n} sequences ({tokens} padded tokens): vectorised "
            f"{tokens / best['vectorised'] / 1e6:.1f} M tokens/s, BatchConverter "
            f"{tokens / best['BatchConverter'] / 1e6:.2f} M tokens/s; vectorised / "
            f"BatchConverter: {best['BatchConverter'] / best['vectorised']:.0f}x (target >= 20x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="random:esm2_t6_8M_UR50D")
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (>= 3)")
    args = parser.parse_args()
    tokenising()
    makespan()
    decoys(args.model)
    throughput(args.model, args.n, max(3, args.rounds))


if __name__ == "__main__":
    main()
