"""What a run's embeddings depend on beyond the weights and options: the kind of device that
computes them, the precision resolved for it ("auto": bf16 on CUDA devices that have it, fp32
elsewhere), and the torch and fair-esm versions (random weights come from torch's generator
through fair-esm's initialisation; kernels round differently across versions and devices).
Light: a run whose embeddings are all cached works its key out here without importing torch.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from types import MappingProxyType

from workbench.embed.devices import DeviceSpec

__all__ = [
    "Compute",
    "bf16_capable",
    "compute_for",
    "device_kind",
    "library_versions",
    "resolve_precision",
]


@dataclass(frozen=True, slots=True)
class Compute:
    """Where and how a run computes: ``device_kind`` 'cpu', 'cuda' or 'cpu+cuda' (sim is cpu);
    ``precision`` resolved (fp32, bf16 or fp16, never auto)."""

    device_kind: str
    precision: str


@functools.cache
def library_versions() -> Mapping[str, str]:
    """torch and fair-esm versions as installed (the modules' ``__version__``, read without
    importing them), once per process: importlib.metadata parses METADATA files, ~1.5 ms a call,
    and the key of every sequence needs them."""
    return MappingProxyType({"torch": version("torch"), "fair_esm": version("fair-esm")})


def bf16_capable(device: DeviceSpec) -> bool:
    """True for a CUDA device with native bf16 (compute capability 8.0 or later)."""
    if device.kind != "cuda":
        return False
    import torch  # a CUDA device was named or counted, so torch is imported already

    return torch.cuda.get_device_capability(device.torch_device) >= (8, 0)


def resolve_precision(precision: str, capable: Iterable[bool]) -> str:
    """'auto' -> bf16 when every device is a bf16-capable CUDA device, else fp32; others as is."""
    if precision != "auto":
        return precision
    flags = list(capable)
    return "bf16" if flags and all(flags) else "fp32"


def device_kind(kinds: Iterable[str]) -> str:
    """'cpu', 'cuda' or 'cpu+cuda' from device kinds (a simulated device computes on the CPU)."""
    return "+".join(sorted({"cuda" if kind == "cuda" else "cpu" for kind in kinds}))


def compute_for(devices: Sequence[DeviceSpec], precision: str) -> Compute:
    """The Compute of a run on ``devices`` of this process."""
    kind = device_kind(d.kind for d in devices)
    return Compute(kind, resolve_precision(precision, (bf16_capable(d) for d in devices)))
