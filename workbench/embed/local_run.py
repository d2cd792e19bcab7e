"""One scheduled run over the local devices: the torch side of ``runner.embed_unique``."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator

from workbench.embed import scheduler as sch
from workbench.embed.device import (
    CPU_BUDGET,
    Crashed,
    DeviceWorker,
    Finished,
    OutOfMemory,
    Ready,
    Tuned,
    calibrate_token_seconds,
    choose_cpu_threads,
    intra_op_threads,
)
from workbench.embed.devices import local_devices
from workbench.embed.runner import BatchReport, EmbedError, Pieces

__all__ = ["LocalRun"]


class LocalRun:
    """One scheduled run over the local devices: the I/O shell around the scheduler."""

    def __init__(self, pieces: Pieces, loaded, options, layers, on_batch, precision) -> None:
        self.pieces = pieces
        self.on_batch = on_batch
        self.devices = local_devices(options.devices)
        on_cpu = sum(d.kind != "cuda" for d in self.devices)
        self.threads = options.cpu_threads
        if self.threads is None and on_cpu:
            self.threads = choose_cpu_threads(loaded, layers, on_cpu)
        token_seconds = options.sim_token_seconds
        if token_seconds is None:
            sim = any(d.kind == "sim" for d in self.devices)
            with self._threads():
                token_seconds = calibrate_token_seconds(loaded, layers) if sim else 0.0
        self.outbox: queue.Queue = queue.Queue()
        self.workers = {
            d.name: DeviceWorker(
                d,
                loaded,
                pieces.texts,
                layers,
                self.outbox,
                precision=precision,
                budget=options.token_budget,
                prefetch=options.prefetch,
                token_seconds=token_seconds,
            )
            for d in self.devices
        }
        budgets = dict.fromkeys(self.workers, options.token_budget or CPU_BUDGET)
        self.scheduler = sch.Scheduler(pieces.pieces(), budgets, capacity=1 + options.prefetch)
        self.totals: dict[str, tuple[int, float]] = dict.fromkeys(self.workers, (0, 0.0))

    def _threads(self) -> contextlib.AbstractContextManager:
        """The CPU-backed devices' intra-op threads (torch's setting is process-wide)."""
        return intra_op_threads(self.threads) if self.threads else contextlib.nullcontext()

    def results(self) -> Iterator[tuple[str, object]]:
        """(lead hash, embedding or failure reason) as sequences complete."""
        with self._threads():
            yield from self._drive()

    def _drive(self) -> Iterator[tuple[str, object]]:
        for worker in self.workers.values():
            worker.start()
        try:
            while not self.scheduler.finished:
                yield from self._step(self.outbox.get())
        finally:
            for worker in self.workers.values():
                worker.stop()
            for worker in self.workers.values():
                worker.join(timeout=30)

    def _step(self, message) -> Iterator[tuple[str, object]]:
        name = message.device
        if isinstance(message, Crashed):
            raise EmbedError(f"device {name} failed: {message.error!r}") from message.error
        if isinstance(message, Ready):
            yield from self._apply(self.scheduler.handle(sch.SetBudget(name, message.budget)))
            instructions = self.scheduler.handle(sch.DeviceIdle(name))
        elif isinstance(message, Tuned):
            instructions = self.scheduler.handle(sch.SetBudget(name, message.budget))
        elif isinstance(message, OutOfMemory):
            instructions = self.scheduler.handle(sch.BatchOOM(name, message.batch.batch_id))
        else:
            yield from self._finished(message)
            instructions = self.scheduler.handle(
                sch.BatchDone(name, message.batch.batch_id, message.seconds)
            )
        yield from self._apply(instructions)

    def _finished(self, message: Finished) -> Iterator[tuple[str, object]]:
        batch = message.batch
        tokens, seconds = self.totals[message.device]
        tokens, seconds = tokens + batch.tokens, seconds + message.seconds
        self.totals[message.device] = (tokens, seconds)
        if self.on_batch is not None:
            rate = tokens / max(seconds, 1e-9)
            report = BatchReport(
                message.device, len(batch.pieces), batch.tokens, message.seconds, rate
            )
            self.on_batch(report)
        for piece, array in zip(batch.pieces, message.arrays, strict=True):
            done = self.pieces.add(piece.key, array)
            if done is not None:
                yield done

    def _apply(self, instructions) -> Iterator[tuple[str, object]]:
        for ins in instructions:
            if isinstance(ins, sch.Assign):
                self.workers[ins.device].submit(ins.batch)
            elif isinstance(ins, sch.Fail):
                seq_hash = self.pieces.fail(ins.piece.key)
                if seq_hash is not None:
                    yield seq_hash, ins.reason
