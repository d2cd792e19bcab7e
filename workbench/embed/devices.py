"""Device specs: the ``--devices`` grammar, readable without torch (the configuration checks it),
and this process's devices without torch where no NVIDIA device can be there."""

from __future__ import annotations

import dataclasses
import glob
import os
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GRAMMAR",
    "DeviceKind",
    "DeviceSpec",
    "check_grammar",
    "cuda_present",
    "device_specs",
    "local_devices",
]

DeviceKind = Literal["cpu", "cuda", "sim"]
GRAMMAR = "auto, cpu, cuda:<index> or sim:<speed > 0>[:<max tokens>], comma-separated"


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """One device: unique ``name``; ``kind`` cpu, cuda or sim; where torch runs it."""

    name: str
    kind: DeviceKind
    torch_device: str
    speed: float = 1.0
    oom_tokens: int | None = None  # sim only: batches above this raise SimulatedOOM


def _one(raw: str) -> DeviceSpec:
    parts = raw.split(":")
    if raw == "cpu":
        return DeviceSpec("cpu", "cpu", "cpu")
    if parts[0] == "cuda" and len(parts) == 2 and parts[1].isdigit():
        return DeviceSpec(raw, "cuda", raw)
    if parts[0] == "sim" and len(parts) in (2, 3):
        try:
            speed = float(parts[1])
            oom = int(parts[2]) if len(parts) == 3 else None
        except ValueError:
            speed = -1.0
        if speed > 0:
            return DeviceSpec(raw, "sim", "cpu", speed, oom)
    raise ValueError(f"device {raw!r}: expected {GRAMMAR}")


def check_grammar(spec: str) -> None:
    """Raise ValueError unless ``spec`` follows the grammar (CUDA indices are checked at run)."""
    if spec.strip() != "auto":
        for raw in spec.split(","):
            _one(raw.strip())


def device_specs(spec: str, cuda_count: int) -> list[DeviceSpec]:
    """Specs of 'auto' (every CUDA device, else cpu), 'cpu', 'cuda:0,cuda:1' or 'sim:1.0,...';
    a device named twice gets '#1', '#2' after its name."""
    if spec.strip() == "auto":
        spec = ",".join(f"cuda:{i}" for i in range(cuda_count)) or "cpu"
    out: list[DeviceSpec] = []
    for raw in (s.strip() for s in spec.split(",")):
        device = _one(raw)
        if device.kind == "cuda" and int(device.torch_device.split(":")[1]) >= cuda_count:
            found = f"{cuda_count} CUDA device(s)" if cuda_count else "no CUDA device"
            raise ValueError(f"device {raw!r}: this machine has {found}")
        taken = sum(d.name.split("#")[0] == device.name for d in out)
        out.append(dataclasses.replace(device, name=f"{device.name}#{taken}") if taken else device)
    return out


def cuda_present() -> bool:
    """Whether an NVIDIA device is visible, judged without importing any GPU library."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    return bool(glob.glob("/dev/nvidia[0-9]*"))


def local_devices(spec: str) -> list[DeviceSpec]:
    """This process's devices for ``spec``: torch counts the CUDA devices where one is named
    or may be present, else none are (no device file: CUDA cannot see one) and torch stays out."""
    if cuda_present() or any(raw.strip().startswith("cuda") for raw in spec.split(",")):
        from workbench.embed.device import parse_devices

        return parse_devices(spec)
    return device_specs(spec, 0)
