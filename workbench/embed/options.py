"""What to embed with and how: one frozen record, also the source of the cache parameters."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["EmbedOptions"]

Precision = Literal["fp32", "bf16", "fp16"]


@dataclass(frozen=True, slots=True)
class EmbedOptions:
    """Settings of the embedding stage.

    model: "auto" (largest ESM-2 in the torch hub cache, else random t6 with a warning), an
        ESM-2 name ("esm2_t33_650M_UR50D"), a checkpoint path, or "random:<name>" (seeded random
        weights; names also include "custom_t<layers>_d<dim>_h<heads>").
    layers: representation layers; negative counts from the end (-1 = last, 0 = embeddings).
    precision: autocast dtype on CUDA; on CPU only fp32 and bf16.
    token_budget: padded tokens per batch; None = 4096 on CPU, autotuned from free memory on CUDA.
    devices: "auto" (every CUDA device, else "cpu"), "cpu", "cuda:0,cuda:1", or simulated CPU
        devices "sim:<speed>[:<max tokens before a simulated out-of-memory>]".
    prefetch: batches prepared ahead of the running one per device.
    graph_embedding: "mean" (one scalar per residue) or "full" (the residue's vector).
    seed: seed of random weights.
    window, overlap: sequences longer than ``window`` residues are cut into windows of
        ``window`` residues overlapping by at least ``overlap``; overlaps are averaged.
    sim_token_seconds: a simulated device's batch lasts padded tokens x this / speed (compute
        included); None = measured once per run on the CPU.
    cpu_threads: torch intra-op threads while CPU-backed devices (cpu, sim) run; None = each
        device's share of the cores, or 1 when a probe shows busy cores make threads slower.
    """

    model: str = "auto"
    layers: tuple[int, ...] = (-1,)
    precision: Precision = "fp32"
    token_budget: int | None = None
    devices: str = "auto"
    prefetch: int = 2
    graph_embedding: Literal["mean", "full"] = "mean"
    seed: int = 0
    window: int = 1022
    overlap: int = 256
    sim_token_seconds: float | None = None
    cpu_threads: int | None = None

    def __post_init__(self) -> None:
        if self.precision not in ("fp32", "bf16", "fp16"):
            raise ValueError(f"precision must be fp32, bf16 or fp16, got {self.precision!r}")
        if self.graph_embedding not in ("mean", "full"):
            raise ValueError(f"graph_embedding must be mean or full, got {self.graph_embedding!r}")
        if not self.layers:
            raise ValueError("layers must name at least one layer")
        if self.token_budget is not None and self.token_budget < 64:
            raise ValueError(f"token_budget must be >= 64 tokens, got {self.token_budget}")
        if self.cpu_threads is not None and self.cpu_threads < 1:
            raise ValueError(f"cpu_threads must be >= 1, got {self.cpu_threads}")
        if self.prefetch < 0:
            raise ValueError(f"prefetch must be >= 0, got {self.prefetch}")
        if not 0 <= self.overlap < self.window:
            raise ValueError(f"overlap must be in [0, window), got {self.overlap}/{self.window}")
        object.__setattr__(self, "layers", tuple(int(x) for x in self.layers))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (tuples as lists) for run.json and cache parameters."""
        out = asdict(self)
        out["layers"] = list(self.layers)
        return out
