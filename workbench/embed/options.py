"""What to embed with and how: one frozen record, also the source of the cache parameters."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from workbench.embed.devices import GRAMMAR, check_grammar
from workbench.schema import OptionError, check, option

__all__ = ["EmbedOptions", "GraphEmbedding", "Precision"]

Precision = Literal["auto", "fp32", "bf16", "fp16"]
GraphEmbedding = Literal["mean", "full"]
MAX_LEN = 1022  # residues per forward pass of ESM-2 (1024 positions minus BOS and EOS)


@dataclass(frozen=True, slots=True)
class EmbedOptions:
    """Settings of the embedding stage; each field's help says what it means."""

    model: str = option(
        "auto",
        help="ESM-2: auto (largest in the torch hub cache, else random t6 with a warning), "
        "a name (esm2_t33_650M_UR50D), a checkpoint path, or random:<name>",
    )
    layers: tuple[int, ...] = option(
        (-1,),
        expert=True,
        help="representation layers, concatenated; negative counts from the end (-1 = last)",
    )
    precision: Precision = option(
        "auto",
        expert=True,
        help="autocast dtype: auto = bf16 when every device is a CUDA device with bf16 "
        "(compute capability 8.0+), else fp32; on the CPU only fp32 and bf16",
    )
    token_budget: int | None = option(
        None,
        minimum=64,
        unit="tokens",
        expert=True,
        help="padded tokens per batch; None = 4096 on the CPU, measured from free memory on CUDA "
        "(also on Dask GPU workers)",
    )
    devices: str = option(
        "auto",
        help="auto (every CUDA device, else cpu), cpu, cuda:0,cuda:1, or simulated devices "
        "sim:<speed>[:<max tokens before a simulated out-of-memory>]",
    )
    prefetch: int = option(
        2, minimum=0, unit="batches", expert=True, help="batches prepared ahead per device"
    )
    graph_embedding: GraphEmbedding = option(
        "mean",
        expert=True,
        help="graph node embedding: mean (one scalar per residue) or full (the residue's vector)",
    )
    seed: int = option(0, expert=True, help="seed of random weights")
    window: int = option(
        MAX_LEN,
        minimum=2,
        maximum=MAX_LEN,
        unit="residues",
        expert=True,
        help="longer sequences are embedded in overlapping windows of this length",
    )
    overlap: int = option(
        256,
        minimum=0,
        unit="residues",
        expert=True,
        help="smallest overlap between windows (averaged over the overlap)",
    )
    sim_token_seconds: float | None = option(
        None,
        minimum=0.0,
        unit="s",
        expert=True,
        form=False,
        help="a simulated device's seconds per padded token; None = measured once per run",
    )
    cpu_threads: int | None = option(
        None,
        minimum=1,
        expert=True,
        form=False,
        help="torch threads of CPU-backed devices; None = a share of the cores, probed",
    )

    def __post_init__(self) -> None:
        check(self)
        if not self.layers:
            raise OptionError("layers", self.layers, "at least one layer")
        if self.overlap >= self.window:
            raise OptionError("overlap", self.overlap, f"less than the window ({self.window})")
        try:
            check_grammar(self.devices)
        except ValueError as exc:
            raise OptionError("devices", self.devices, GRAMMAR) from exc

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (tuples as lists) for run.json and cache parameters."""
        out = asdict(self)
        out["layers"] = list(self.layers)
        return out
