"""The embedding scheduler, a pure state machine: events in, instructions out, no torch or threads.

Work is a set of *pieces* (a sequence, or one window of a long sequence) with a token count
(residues + BOS + EOS). Pieces wait in one queue, longest first, so the end of a run is made of
short pieces. A device with spare capacity is handed the next batch, cut from the front of the
queue by that device's own token budget (ESM's ``get_batch_indices``: ``max_len x n <= budget``),
so any idle device takes what is left (live rebalancing). Near the end the cut is capped by the
device's fair share of all remaining work (share proportional to its observed tokens/s), and a
device declines work another device would finish sooner, so no device idles while another holds a
long batch; a lone device keeps full batches to the end (exactly :func:`cut_batches`). An
out-of-memory batch is split in two and requeued at the front (the halves come back as ``Assign``
instructions, each cut again to the budget of the device that takes it) and the device's budget
drops below that batch; the budget never again reaches the smallest batch that ran out of memory
there (:class:`Budget`), whatever the device's tuner reports later. A single piece that runs out
of memory on its own is offered to the device with the largest budget that has not run out of
memory on as many tokens, and fails (``Fail``) once none is left.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "Assign",
    "Batch",
    "BatchDone",
    "BatchOOM",
    "Budget",
    "DeviceIdle",
    "Fail",
    "Piece",
    "Scheduler",
    "SetBudget",
    "cut_batches",
    "oom_reason",
    "split_in_half",
]

MIN_BUDGET = 64  # tokens: the budget never drops below this after out-of-memory errors


@dataclass(frozen=True, slots=True)
class Piece:
    """One unit of model input: ``key`` names it, ``tokens`` = residues + 2 (BOS, EOS)."""

    key: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Batch:
    """Pieces run together in one forward pass, padded to the longest."""

    batch_id: int
    pieces: tuple[Piece, ...]
    tokens: int = field(init=False, compare=False)  # padded: what the device computes and holds

    def __post_init__(self) -> None:
        # set once: the scheduler reads it for every load and finish-time estimate
        object.__setattr__(self, "tokens", max(p.tokens for p in self.pieces) * len(self.pieces))


@dataclass(slots=True)
class Budget:
    """A device's padded tokens per batch, kept below the smallest batch that ran out of memory
    on it (``ceiling``), so that a tuner cannot raise it back to a size that just failed."""

    tokens: int
    ceiling: int | None = None  # the smallest batch that ran out of memory, in padded tokens

    def __post_init__(self) -> None:
        self.tokens = self.clamp(self.tokens)

    def clamp(self, tokens: int) -> int:
        """``tokens`` within [MIN_BUDGET, ceiling - 1]."""
        top = tokens if self.ceiling is None else min(tokens, self.ceiling - 1)
        return max(MIN_BUDGET, top)

    def set(self, tokens: int) -> None:
        self.tokens = self.clamp(tokens)

    def failed(self, tokens: int) -> None:
        """A batch of ``tokens`` ran out of memory: lower the ceiling, halve below the batch."""
        self.ceiling = tokens if self.ceiling is None else min(self.ceiling, tokens)
        self.tokens = self.clamp(min(self.tokens, tokens // 2))

    def fits(self, tokens: int) -> bool:
        """False once a batch of ``tokens`` or fewer ran out of memory here."""
        return self.ceiling is None or tokens < self.ceiling


@dataclass(frozen=True, slots=True)
class DeviceIdle:
    """The device is ready for work (sent once when it starts)."""

    device: str


@dataclass(frozen=True, slots=True)
class BatchDone:
    """The device finished the batch in ``seconds`` of compute."""

    device: str
    batch_id: int
    seconds: float


@dataclass(frozen=True, slots=True)
class BatchOOM:
    """The device ran out of memory on the batch."""

    device: str
    batch_id: int


@dataclass(frozen=True, slots=True)
class SetBudget:
    """The device's autotuner measured how many padded tokens fit in one batch."""

    device: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Assign:
    """The device must run the batch (out-of-memory halves come back as new assignments)."""

    device: str
    batch: Batch


@dataclass(frozen=True, slots=True)
class Fail:
    """A piece that cannot be computed; ``reason`` says why."""

    piece: Piece
    device: str
    reason: str


Event = DeviceIdle | BatchDone | BatchOOM | SetBudget
Instruction = Assign | Fail


@dataclass(slots=True)
class _Device:
    budget: Budget
    ready: bool = False
    outstanding: dict[int, Batch] = field(default_factory=dict)
    retries: deque[Batch] = field(default_factory=deque)  # lone pieces other devices could not fit
    tokens_done: int = 0
    seconds: float = 0.0

    @property
    def load(self) -> int:
        return sum(b.tokens for b in self.outstanding.values())

    def speed(self, default: float) -> float:
        """Observed padded tokens/s, or ``default`` before the first batch."""
        return self.tokens_done / self.seconds if self.seconds > 0 else default


class Scheduler:
    """Turns device events into batch assignments; ``handle`` is the only way to change it."""

    def __init__(
        self,
        pieces: Iterable[Piece],
        budgets: Mapping[str, int],
        capacity: int = 1,
    ) -> None:
        if not budgets:
            raise ValueError("the scheduler needs at least one device")
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self._queue = deque(sorted(pieces, key=lambda p: (-p.tokens, p.key)))
        self._ready: deque[Batch] = deque()
        self._devices = {name: _Device(Budget(b)) for name, b in budgets.items()}
        self._tried: dict[str, set[str]] = {}  # lone piece -> devices it ran out of memory on
        self._capacity = capacity
        self._next_id = 0
        self._queued_tokens = sum(p.tokens for p in self._queue)

    @property
    def finished(self) -> bool:
        """True when every piece is done or failed."""
        return not self._has_work() and not self.in_flight

    @property
    def in_flight(self) -> int:
        return sum(len(d.outstanding) for d in self._devices.values())

    def handle(self, event: Event) -> list[Instruction]:
        """Apply one event and return what the devices must do next."""
        out: list[Instruction] = []
        device = self._devices[event.device]
        if isinstance(event, DeviceIdle):
            device.ready = True
        elif isinstance(event, SetBudget):
            device.budget.set(event.tokens)
        elif isinstance(event, BatchDone):
            batch = device.outstanding.pop(event.batch_id)
            device.tokens_done += batch.tokens
            device.seconds += max(event.seconds, 1e-9)
        elif isinstance(event, BatchOOM):
            out.extend(self._oom(event.device, device, device.outstanding.pop(event.batch_id)))
        else:
            raise TypeError(f"unknown scheduler event {event!r}")
        out.extend(self._fill())
        return out

    def _oom(self, name: str, device: _Device, batch: Batch) -> list[Instruction]:
        """Requeue both halves at the front (``_fill`` assigns them), or offer a lone piece to
        another device (fail it when none could fit it); lower the budget below the batch."""
        device.budget.failed(batch.tokens)
        if len(batch.pieces) == 1:
            piece = batch.pieces[0]
            tried = self._tried.setdefault(piece.key, set())
            tried.add(name)
            others = [
                d
                for n, d in self._devices.items()
                if n not in tried and d.budget.fits(piece.tokens)
            ]
            if not others:
                return [Fail(piece, name, oom_reason(name, piece))]
            max(others, key=lambda d: d.budget.tokens).retries.append(self._new_batch([piece]))
            return []
        halves = [self._new_batch(half) for half in split_in_half(batch.pieces)]
        self._ready.extendleft(reversed(halves))
        return []

    def _has_work(self) -> bool:
        return bool(self._queue or self._ready or any(d.retries for d in self._devices.values()))

    def _new_batch(self, pieces: Iterable[Piece]) -> Batch:
        self._next_id += 1
        return Batch(self._next_id, tuple(pieces))

    def _fill(self) -> list[Instruction]:
        """Hand batches to devices with spare capacity, least loaded (in time) first."""
        out: list[Instruction] = []
        progress = True
        while progress and self._has_work():
            progress = False
            for name in self._order():
                device = self._devices[name]
                if not self._has_work():
                    break
                if not device.ready or len(device.outstanding) >= self._capacity:
                    continue
                batch = self._cut(name)
                if batch is not None:
                    device.outstanding[batch.batch_id] = batch
                    out.append(Assign(name, batch))
                    progress = True
        return out

    def _default_speed(self) -> float:
        seen = [d.speed(0.0) for d in self._devices.values() if d.seconds > 0]
        return sum(seen) / len(seen) if seen else 1.0

    def _finish_time(self, device: _Device, extra: int, default: float) -> float:
        return (device.load + extra) / device.speed(default)

    def _order(self) -> list[str]:
        default = self._default_speed()
        return sorted(self._devices, key=lambda n: self._finish_time(self._devices[n], 0, default))

    def _cut(self, name: str) -> Batch | None:
        """Next batch for ``name``, or None when another device would finish the work sooner."""
        device = self._devices[name]
        if device.retries:
            return device.retries.popleft()
        if self._ready:
            return self._recut(self._ready.popleft(), device.budget.tokens)
        if not self._queue:
            return None
        default = self._default_speed()
        first = self._queue[0]
        mine = self._finish_time(device, first.tokens, default)
        others = [
            self._finish_time(d, first.tokens, default)
            for n, d in self._devices.items()
            if n != name and d.ready
        ]
        if self.in_flight and others and mine > min(others):
            return None
        target = device.budget.tokens
        if len(self._devices) > 1:  # alone, a device gains nothing from smaller tail batches
            total_speed = sum(d.speed(default) for d in self._devices.values())
            remaining = self._queued_tokens + sum(d.load for d in self._devices.values())
            share = remaining * device.speed(default) / total_speed - device.load
            target = min(target, max(share, first.tokens))
        count = max(1, int(target // first.tokens))
        pieces = [self._queue.popleft() for _ in range(min(count, len(self._queue)))]
        self._queued_tokens -= sum(p.tokens for p in pieces)
        return self._new_batch(pieces)

    def _recut(self, batch: Batch, budget: int) -> Batch:
        """The front of ``batch`` that fits ``budget``; the rest goes back to the ready front."""
        count = max(1, budget // max(p.tokens for p in batch.pieces))
        if count >= len(batch.pieces):
            return batch
        self._ready.appendleft(self._new_batch(batch.pieces[count:]))
        return self._new_batch(batch.pieces[:count])


def split_in_half(pieces: tuple[Piece, ...]) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    """The two batches an out-of-memory batch of two or more pieces is retried as, in order."""
    half = len(pieces) // 2
    return pieces[:half], pieces[half:]


def oom_reason(device: str, piece: Piece) -> str:
    """Why a piece failed: it ran out of memory on ``device`` alone, so splitting cannot help."""
    return f"out of memory on {device} with this sequence alone ({piece.tokens} tokens)"


def cut_batches(pieces: Iterable[Piece], budget: int) -> list[tuple[Piece, ...]]:
    """Static cut, longest first, ``max_len x n <= budget`` (for executors that balance by
    themselves, such as a Dask cluster)."""
    ordered = sorted(pieces, key=lambda p: (-p.tokens, p.key))
    out: list[tuple[Piece, ...]] = []
    i = 0
    while i < len(ordered):
        count = max(1, budget // ordered[i].tokens)
        out.append(tuple(ordered[i : i + count]))
        i += count
    return out
