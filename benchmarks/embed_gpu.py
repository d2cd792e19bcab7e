"""bf16 tokens/s of ESM-2 650M (random weights) on one GPU, and its share of the bf16 peak.

The scheduler (one CUDA device, bf16 autocast, token budget autotuned from free memory) embeds
``--n`` random sequences of antibody and antigen lengths after a warm-up run; fair-esm's own
forward under the same autocast then runs the same length-sorted batches (budget capped at 32k
tokens: it materialises every attention matrix). Model FLOP utilisation counts 2 x parameters
per token (attention's own FLOPs left out, as in the usual estimate) against ``--peak``
(989 TFLOP/s: dense bf16 of an H100/H200 SXM); tokens are the sequences' own (residues + BOS/EOS),
padding not counted.

Usage: python benchmarks/embed_gpu.py [--model random:esm2_t33_650M_UR50D] [--device cuda:0]
           [--n 4000] [--peak 989e12]
Without a GPU, ``--device cpu --precision fp32 --model random:esm2_t6_8M_UR50D --n 40`` runs the
same steps on the CPU (a check of the script, not a figure).
"""

from __future__ import annotations

import argparse
import random
import time

import torch
from embed import AA

from workbench.embed import EmbedOptions, embed_unique, load_model
from workbench.embed.scheduler import Piece, cut_batches

LENGTHS = ((100, 130), (200, 230), (150, 600))  # VH/VHH, light chains / scFv halves, antigens


def sequences(n: int, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    out = {}
    for i in range(n):
        low, high = LENGTHS[i % len(LENGTHS)]
        out[f"s{i}"] = "".join(rng.choice(AA) for _ in range(rng.randint(low, high)))
    return out


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def scheduler_rate(seqs, loaded, options) -> tuple[float, list]:
    reports = []
    start = time.perf_counter()
    for _ in embed_unique(seqs, options, None, reports.append, model=loaded):
        pass
    return time.perf_counter() - start, reports


def fair_esm_rate(seqs, loaded, device: str, precision: str, budget: int) -> float:
    """Seconds of fair-esm's forward (representations of the last layer) over the batches."""
    model = loaded.model.to(device)
    convert = loaded.alphabet.get_batch_converter()
    batches = cut_batches([Piece(k, len(s) + 2) for k, s in seqs.items()], budget)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    autocast = torch.autocast(device.split(":")[0], dtype=dtype, enabled=dtype is not None)
    synchronize(device)
    start = time.perf_counter()
    with torch.inference_mode(), autocast:
        for batch in batches:
            tokens = convert([(p.key, seqs[p.key]) for p in batch])[2].to(device)
            out = model(tokens, repr_layers=[loaded.num_layers])["representations"]
            out[loaded.num_layers].to(torch.float16).cpu()
    synchronize(device)
    seconds = time.perf_counter() - start
    loaded.model.to("cpu")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="random:esm2_t33_650M_UR50D")
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--precision", default="bf16", choices=("bf16", "fp16", "fp32"))
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--peak", type=float, default=989e12, help="FLOP/s of the device")
    parser.add_argument("--skip-fair-esm", action="store_true")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("no CUDA device here: pass --device cpu to check the script on the CPU")
    loaded = load_model(args.model)
    params = sum(p.numel() for p in loaded.model.parameters())
    seqs = sequences(args.n)
    real = sum(len(s) + 2 for s in seqs.values())
    options = EmbedOptions(devices=args.device, precision=args.precision, prefetch=2)
    scheduler_rate(sequences(max(8, args.n // 20), seed=1), loaded, options)  # warm-up
    seconds, reports = scheduler_rate(seqs, loaded, options)
    padded = sum(r.tokens for r in reports)
    rate = real / seconds
    name = torch.cuda.get_device_name(args.device) if args.device.startswith("cuda") else "CPU"
    print(
        f"{args.model} ({params / 1e6:.0f}M parameters), {args.precision}, {name}: "
        f"{args.n} sequences, {real} tokens ({padded / real - 1:.1%} padding), "
        f"{len(reports)} batches, largest {max(r.tokens for r in reports)} padded tokens"
    )
    print(
        f"scheduler: {rate:,.0f} tokens/s ({seconds:.2f} s, whole stage); "
        f"share of the {args.peak / 1e12:.0f} TFLOP/s peak: {2 * params * rate / args.peak:.1%} "
        "(target >= 40% on an H200)"
    )
    if not args.skip_fair_esm:
        budget = min(32768, max(r.tokens for r in reports))
        stock = fair_esm_rate(seqs, loaded, args.device, args.precision, budget)
        print(
            f"fair-esm forward over {budget}-token batches: {real / stock:,.0f} tokens/s; "
            f"scheduler / fair-esm: {stock / seconds:.2f}"
        )


if __name__ == "__main__":
    main()
