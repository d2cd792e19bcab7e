"""Bringing a launched batch's output to the host, so a device can run the next batch meanwhile.

CPU-backed devices read the output synchronously when it is collected (:class:`HostTransfer`,
:func:`collect`). On CUDA (:class:`CudaTransfer`) the real residues' rows are gathered on the
compute stream (the padding and BOS/EOS never leave the device), then copied on a separate copy
stream into a pinned host buffer that is reused by later batches (grown to the next power of two
when a batch needs more); an event marks the copy's end, so collecting waits for that copy only.

What has run on a real GPU: nothing. The CUDA path runs on the CPU in the tests with fake
streams, events and pinned memory (tests/embed/test_overlap.py), which check the order of the
steps and the numbers, not that the copies overlap compute on a device.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch

__all__ = ["CudaTransfer", "HostTransfer", "InTransit", "Transfer", "collect", "pinned"]


def collect(stacked: torch.Tensor, lengths: Sequence[int]) -> list[np.ndarray]:
    """Wait for the batch, bring it to the host once, and cut one copy per sequence."""
    host = stacked.cpu().numpy()
    return [host[i, 1 : n + 1].copy() for i, n in enumerate(lengths)]  # numpy: no torch dispatch


def pinned(numel: int) -> torch.Tensor:
    """An uninitialised float16 host buffer in page-locked memory (the target of async copies)."""
    return torch.empty(numel, dtype=torch.float16, pin_memory=True)


@dataclass(slots=True)
class InTransit:
    """One batch's output on its way to the host."""

    lengths: list[int]
    source: torch.Tensor  # the device tensor; held until the copy is done
    host: torch.Tensor | None = None  # (sum of lengths, D) view of ``buffer`` on CUDA
    buffer: torch.Tensor | None = None
    done: Any = None  # torch.cuda.Event recorded after the copy


class Transfer(Protocol):
    def start(self, out: torch.Tensor, lengths: Sequence[int]) -> InTransit: ...

    def finish(self, transit: InTransit) -> list[np.ndarray]: ...


class HostTransfer:
    """CPU-backed devices: nothing to start; the output is read when finished."""

    def start(self, out: torch.Tensor, lengths: Sequence[int]) -> InTransit:
        return InTransit(list(lengths), out)

    def finish(self, transit: InTransit) -> list[np.ndarray]:
        return collect(transit.source, transit.lengths)


class CudaTransfer:
    """Real rows to reused pinned buffers on a copy stream, one buffer per batch in flight."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.stream = torch.cuda.Stream(device=device)
        self._free: list[torch.Tensor] = []

    def start(self, out: torch.Tensor, lengths: Sequence[int]) -> InTransit:
        """Queue the gather (compute stream) and the copy to the host (copy stream)."""
        rows = torch.cat([out[i, 1 : n + 1] for i, n in enumerate(lengths)])
        buffer = self._buffer(rows.numel())
        host = buffer[: rows.numel()].view(rows.shape)
        self.stream.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(self.stream):
            host.copy_(rows, non_blocking=True)
            done = torch.cuda.Event()
            done.record(self.stream)
        return InTransit(list(lengths), rows, host, buffer, done)

    def finish(self, transit: InTransit) -> list[np.ndarray]:
        """Wait for this batch's copy only, cut one array per sequence, free the buffer."""
        transit.done.synchronize()
        flat = transit.host.numpy()
        ends = np.cumsum(transit.lengths)
        arrays = [flat[end - n : end].copy() for n, end in zip(transit.lengths, ends, strict=True)]
        self._free.append(transit.buffer)
        return arrays

    def _buffer(self, numel: int) -> torch.Tensor:
        """A free buffer of at least ``numel`` elements (the largest free one, or a new one)."""
        self._free.sort(key=torch.Tensor.numel)
        if self._free and self._free[-1].numel() >= numel:
            return self._free.pop()
        if self._free:
            self._free.pop()  # too small: replaced by a larger one
        return pinned(1 << max(0, numel - 1).bit_length())
