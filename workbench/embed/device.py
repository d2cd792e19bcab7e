"""Device workers: one thread per device carrying out the scheduler's assignments with torch.

A worker tokenises the batches it was given ahead of time (pinned memory and non-blocking
copies on CUDA, up to ``prefetch`` batches ahead), runs the forward pass under
``torch.inference_mode`` (:func:`~workbench.embed.encoder.encode`; autocast bf16/fp16 on CUDA,
bf16 on CPU), and posts one message per batch to the runner: ``Finished``, ``OutOfMemory``
(CUDA OOM or a simulated one) or ``Crashed``. Simulated devices (``sim:<speed>``) compute on
the CPU and then wait until the batch has lasted ``padded tokens x token_seconds / speed``.

A CUDA device keeps ``CUDA_IN_FLIGHT`` (2) batches launched: batch N+1 is queued before batch
N's output is read, and that output comes back on a copy stream into pinned buffers, real
residues only (:mod:`workbench.embed.transfer`). CPU-backed devices run one batch at a time,
launch then collect, as before. What has run on a real GPU: nothing; the CUDA path is tested on
the CPU with fake streams, events and memory functions.

CPU-backed devices (cpu, sim) share one model (the encoder keeps no state on its modules) and
the cores: :func:`choose_cpu_threads` picks torch's intra-op thread count for them. A CUDA
device gets a replica built from that one host copy with its Linear weights already in the
run's precision (:func:`~workbench.embed.weights.place_model`), so autocast casts no weights
per batch.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from workbench.embed.devices import DeviceSpec, device_specs
from workbench.embed.encoder import encode
from workbench.embed.models import LoadedModel
from workbench.embed.scheduler import Batch, Budget
from workbench.embed.tokens import Tokenizer
from workbench.embed.transfer import CudaTransfer, HostTransfer, InTransit, Transfer, collect
from workbench.embed.weights import LOW_PRECISION, place_model

__all__ = [
    "Crashed",
    "DeviceSpec",
    "DeviceWorker",
    "Finished",
    "OutOfMemory",
    "Ready",
    "SimulatedOOM",
    "Tuned",
    "budget_from_memory",
    "calibrate_token_seconds",
    "check_simulated_memory",
    "choose_cpu_threads",
    "collect",
    "forward",
    "intra_op_threads",
    "is_oom",
    "launch",
    "pace",
    "parse_devices",
    "probe_budget",
    "probe_tokens",
    "recover_from_oom",
    "transfer_for",
]

CPU_BUDGET = 4096
MAX_BUDGET = 1 << 17
CUDA_IN_FLIGHT = 2  # batches launched and not yet collected on a CUDA device


def parse_devices(spec: str) -> list[DeviceSpec]:
    """'auto', 'cpu', 'cuda:0,cuda:1' or 'sim:1.0,sim:0.5[:max_tokens]' to device specs."""
    return device_specs(spec, torch.cuda.device_count() if torch.cuda.is_available() else 0)


class SimulatedOOM(RuntimeError):
    """A simulated device's stand-in for torch.cuda.OutOfMemoryError."""


def is_oom(exc: BaseException) -> bool:
    """True for CUDA out-of-memory errors and their simulated stand-in."""
    return isinstance(exc, SimulatedOOM | torch.cuda.OutOfMemoryError)


def check_simulated_memory(device: DeviceSpec, tokens: int) -> None:
    """Raise SimulatedOOM when a batch of ``tokens`` padded tokens exceeds a sim device's memory."""
    if device.oom_tokens is not None and tokens > device.oom_tokens:
        raise SimulatedOOM(f"{device.name}: {tokens} tokens do not fit")


def recover_from_oom(exc: BaseException, device: DeviceSpec) -> bool:
    """True for an out-of-memory error, after freeing CUDA's cached blocks for the split halves."""
    if not is_oom(exc):
        return False
    if device.kind == "cuda":
        torch.cuda.empty_cache()
    return True


def pace(
    device: DeviceSpec,
    tokens: int,
    token_seconds: float,
    started: float,
    wait: Callable[[float], object] = time.sleep,
) -> None:
    """Make a sim device's batch last ``tokens x token_seconds / speed`` from ``started``
    (a ``time.perf_counter`` reading) by calling ``wait``; other devices do not wait."""
    if device.kind == "sim":
        wait(max(0.0, tokens * token_seconds / device.speed - (time.perf_counter() - started)))


def probe_tokens(padding_idx: int, max_len: int, device: str = "cpu") -> torch.Tensor:
    """Two rows of ``max_len`` + 2 tokens, the second padded from half way: a padded batch, so
    the forward pass passes a mask and attention runs the kernel real batches use."""
    n = max_len + 2
    tokens = torch.randint(4, 24, (2, n), device=device)
    tokens[1, n // 2 :] = padding_idx
    return tokens


def probe_budget(
    model: torch.nn.Module, device: DeviceSpec, max_len: int, layers: Sequence[int], precision: str
) -> int:
    """Padded tokens per batch on a CUDA device: one padded full-length batch of two
    (:func:`probe_tokens`), its peak memory scaled to the free memory."""
    dev = torch.device(device.torch_device)
    torch.cuda.reset_peak_memory_stats(dev)
    before = torch.cuda.memory_allocated(dev)
    tokens = probe_tokens(model.padding_idx, max_len, device.torch_device)
    forward(model, tokens, layers, [max_len, tokens.shape[1] // 2 - 2], precision)
    per_token = (torch.cuda.max_memory_allocated(dev) - before) / tokens.numel()
    free, _ = torch.cuda.mem_get_info(dev)
    return budget_from_memory(free, per_token)


def budget_from_memory(free_bytes: int, bytes_per_token: float, headroom: float = 0.7) -> int:
    """Padded tokens that fit in ``headroom`` of the free memory, within [64, MAX_BUDGET]."""
    if bytes_per_token <= 0:
        return MAX_BUDGET
    return int(min(MAX_BUDGET, max(64, headroom * free_bytes / bytes_per_token)))


def _autocast(device_type: str, precision: str) -> contextlib.AbstractContextManager:
    dtype = LOW_PRECISION[precision]
    if dtype is None:
        return contextlib.nullcontext()
    if device_type == "cpu" and precision == "fp16":
        raise ValueError("precision fp16 is not supported on CPU: use fp32 or bf16")
    return torch.autocast(device_type, dtype=dtype)


def forward(
    model: torch.nn.Module,
    tokens: torch.Tensor,
    layers: Sequence[int],
    lengths: Sequence[int],
    precision: str = "fp32",
) -> list[np.ndarray]:
    """Per-residue representations of one tokenised batch (BOS/EOS dropped).

    Returns
    -------
    list of ndarray, dtype=float16, shape (length, D x len(layers))
        One array per sequence, the chosen layers concatenated along the feature axis in the
        order given; each is a copy, not a view of the batch.
    """
    return collect(launch(model, tokens, layers, precision), lengths)


def launch(
    model: torch.nn.Module, tokens: torch.Tensor, layers: Sequence[int], precision: str
) -> torch.Tensor:
    """Queue the forward pass (asynchronous on CUDA); float16 (B, T, D x len(layers))."""
    with torch.inference_mode(), _autocast(tokens.device.type, precision):
        reps = encode(model, tokens, set(layers))
        return torch.cat([reps[layer] for layer in layers], dim=-1).to(torch.float16)


@contextlib.contextmanager
def intra_op_threads(count: int) -> Iterator[None]:
    """torch's intra-op threads set to ``count`` for the block (process-wide), then restored."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def choose_cpu_threads(loaded: LoadedModel, layers: Sequence[int], devices: int) -> int:
    """Intra-op threads for ``devices`` CPU-backed device threads sharing this process's cores.

    Each gets an equal share of the cores, unless one thread runs a short probe faster: when
    other processes keep the cores busy, OpenMP teams spin at every barrier waiting for a
    descheduled peer, and a forward pass slows down many times over (interleaved, best of two
    unless the first round is clear by 2x).
    """
    share = max(1, len(os.sched_getaffinity(0)) // max(1, devices))
    if share == 1:
        return 1
    tokens = torch.randint(4, 24, (1, 66))
    best = {1: float("inf"), share: float("inf")}  # the first call's warm-up falls on 1
    for _ in range(2):
        for count in best:
            with intra_op_threads(count):
                start = time.perf_counter()
                forward(loaded.model, tokens, layers, [64])
                best[count] = min(best[count], time.perf_counter() - start)
        if max(best.values()) > 2 * min(best.values()):
            break
    return share if best[share] <= best[1] else 1


def calibrate_token_seconds(loaded: LoadedModel, layers: Sequence[int]) -> float:
    """Seconds per padded token of a CPU forward pass (best of two on a 4x256 probe)."""
    tokens = torch.randint(4, 24, (4, 258))
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        forward(loaded.model, tokens, layers, [256] * 4)
        best = min(best, time.perf_counter() - start)
    return best / tokens.numel()


@dataclass(frozen=True, slots=True)
class Ready:
    device: str
    budget: int  # padded tokens per batch for this device


@dataclass(frozen=True, slots=True)
class Tuned:
    """A CUDA device measured room for a larger budget after a batch."""

    device: str
    budget: int


@dataclass(frozen=True, slots=True)
class Finished:
    device: str
    batch: Batch
    arrays: list[np.ndarray]
    seconds: float


@dataclass(frozen=True, slots=True)
class OutOfMemory:
    device: str
    batch: Batch


@dataclass(frozen=True, slots=True)
class Crashed:
    device: str
    error: BaseException


Message = Ready | Tuned | Finished | OutOfMemory | Crashed


def transfer_for(device: DeviceSpec) -> Transfer:
    """A copy stream and pinned buffers on CUDA; a synchronous read on CPU-backed devices."""
    return CudaTransfer(device.torch_device) if device.kind == "cuda" else HostTransfer()


@dataclass(slots=True)
class _Launched:
    """A batch whose forward pass and copy to the host are queued."""

    batch: Batch
    transit: InTransit
    started: float  # time.perf_counter() at its launch
    peak_bytes: int  # CUDA memory its launch allocated at the peak, above what was held before


class DeviceWorker(threading.Thread):
    """Runs assigned batches on one device and reports each outcome to ``outbox``."""

    def __init__(
        self,
        device: DeviceSpec,
        loaded: LoadedModel,
        texts: Mapping[str, str],
        layers: Sequence[int],
        outbox: queue.Queue,
        *,
        precision: str = "fp32",
        budget: int | None = None,
        prefetch: int = 2,
        token_seconds: float = 0.0,
    ) -> None:
        super().__init__(name=f"embed-{device.name}", daemon=True)
        self.device = device
        self.texts = texts
        self.layers = tuple(layers)
        self.outbox = outbox
        self.inbox: queue.Queue[Batch | None] = queue.Queue()
        self.precision = precision
        self.prefetch = prefetch
        self.token_seconds = token_seconds
        self._loaded = loaded
        self._start_budget = budget
        self.budget = Budget(budget or CPU_BUDGET)  # mirrors the scheduler's after every OOM
        self.model = loaded.model  # this device's replica once set up
        self._tokenize = Tokenizer(loaded.alphabet)
        self._cuda = device.kind == "cuda"
        self.depth = CUDA_IN_FLIGHT if self._cuda else 1  # batches launched, not yet collected
        self._finished_at = float("-inf")
        self._halt = threading.Event()

    def submit(self, batch: Batch) -> None:
        self.inbox.put(batch)

    def stop(self) -> None:
        """Drop the batches not yet started; the thread exits after the one running."""
        self._halt.set()
        self.inbox.put(None)

    def run(self) -> None:
        try:
            self._setup()
            self.outbox.put(Ready(self.device.name, self.budget.tokens))
            self._loop()
        except BaseException as exc:
            self.outbox.put(Crashed(self.device.name, exc))

    def _setup(self) -> None:
        """The model placed on a CUDA device from the one host copy, its Linear layers cast
        once to the precision (CPU devices share the loaded one); the budget from free memory
        on CUDA, CPU_BUDGET elsewhere."""
        _autocast(self.device.torch_device.split(":")[0], self.precision)
        if self._cuda:
            self.model = place_model(self.model, self.device.torch_device, self.precision)
            if self._start_budget is None:
                self.budget.set(self._probe_budget())

    def _probe_budget(self) -> int:
        return probe_budget(
            self.model, self.device, self._loaded.max_len, self.layers, self.precision
        )

    def _prepare(self, batch: Batch) -> tuple[Batch, torch.Tensor]:
        """Tokenise; on CUDA pin and start the copy so it overlaps the running batch."""
        items = [(p.key, self.texts[p.key]) for p in batch.pieces]
        tokens = torch.from_numpy(self._tokenize(items))
        if self._cuda:
            tokens = tokens.pin_memory().to(self.device.torch_device, non_blocking=True)
        return batch, tokens

    def _take(self, pending: deque, block: bool) -> bool:
        """Move submitted batches into ``pending`` (prepared); False once told to stop."""
        if self._halt.is_set():
            return False
        while len(pending) <= self.prefetch:
            try:
                item = self.inbox.get(block=block and not pending)
            except queue.Empty:
                return True
            if item is None or self._halt.is_set():
                return False
            pending.append(self._prepare(item))
        return True

    def _loop(self) -> None:
        """Run the batches in order, launching up to ``depth`` before the oldest is collected;
        one prepared before an out-of-memory error that is at least as large as the batch that
        failed goes back unrun (the scheduler splits it). Once told to stop, the batches already
        launched are still collected."""
        transfer = transfer_for(self.device)
        pending: deque[tuple[Batch, torch.Tensor]] = deque()
        flight: deque[_Launched] = deque()
        running = True
        while running or flight:
            if running:
                running = self._take(pending, block=not flight)
            if running and pending and len(flight) < self.depth:
                self._launch(*pending.popleft(), transfer, flight)
            elif flight:
                self._finish(flight.popleft(), transfer)

    def _launch(
        self, batch: Batch, tokens: torch.Tensor, transfer: Transfer, flight: deque
    ) -> None:
        """Queue the forward pass and the copy of its output; report an out-of-memory error.

        Peak memory is read right after the launch: the caching allocator accounts for a
        batch's allocations when they are queued, so the figure is this batch's alone even
        with another batch still in flight."""
        if not self.budget.fits(batch.tokens):
            self.outbox.put(OutOfMemory(self.device.name, batch))
            return
        started = time.perf_counter()
        peak = 0
        try:
            check_simulated_memory(self.device, batch.tokens)
            if self._cuda:
                torch.cuda.reset_peak_memory_stats(self.device.torch_device)
                before = torch.cuda.memory_allocated(self.device.torch_device)
            out = launch(self.model, tokens, self.layers, self.precision)
            transit = transfer.start(out, [p.tokens - 2 for p in batch.pieces])
            if self._cuda:
                peak = torch.cuda.max_memory_allocated(self.device.torch_device) - before
        except Exception as exc:
            if not recover_from_oom(exc, self.device):
                raise
            self.budget.failed(batch.tokens)
            self.outbox.put(OutOfMemory(self.device.name, batch))
            return
        flight.append(_Launched(batch, transit, started, peak))

    def _finish(self, launched: _Launched, transfer: Transfer) -> None:
        """Read a launched batch's output, grow the budget on CUDA, pace sim, report it; its
        seconds count from its launch or the previous batch's end, whichever is later."""
        batch = launched.batch
        arrays = transfer.finish(launched.transit)
        if self._cuda:
            self._grow(batch, launched.peak_bytes)
        pace(self.device, batch.tokens, self.token_seconds, launched.started, self._halt.wait)
        now = time.perf_counter()
        seconds = now - max(launched.started, self._finished_at)
        self._finished_at = now
        self.outbox.put(Finished(self.device.name, batch, arrays, seconds))

    def _grow(self, batch: Batch, peak_bytes: int) -> None:
        """After a batch that filled most of the budget, raise the budget if memory allows
        (never to the smallest batch that ran out of memory here). ``peak_bytes`` is that
        batch's own (measured at its launch); the free memory is read with the next batch, if
        any, in flight, so the headroom left also covers that batch's output."""
        if batch.tokens < self.budget.tokens // 2 or peak_bytes <= 0:
            return
        free, _ = torch.cuda.mem_get_info(self.device.torch_device)
        suggested = self.budget.clamp(budget_from_memory(free, peak_bytes / batch.tokens))
        if suggested > 1.25 * self.budget.tokens:
            self.budget.set(suggested)
            self.outbox.put(Tuned(self.device.name, suggested))
