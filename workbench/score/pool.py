"""Scoring on a device pool: one thread per device pulls loaded batches from one queue.

An idle device takes the next batch, so a fast device scores more of the run than a slow one
and the last batches go to whichever device is free. Out of memory splits the batch in halves
and retries them on the same device; a single graph that does not fit is scored on the CPU.
Scores never depend on batch composition: every reduction in the model is per graph.
"""

from __future__ import annotations

import copy
import queue
import struct
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import torch

from workbench.cache import Cache, CacheKey
from workbench.embed.device import check_simulated_memory, recover_from_oom
from workbench.embed.devices import DeviceSpec
from workbench.score.checkpoint import ScorerCheckpoint
from workbench.score.graphs import collate
from workbench.score.loader import GraphNotes, LoadedBatch

__all__ = ["CODE_VERSION", "DeviceScorer", "ScoreBatch", "Scored", "score_key", "score_on_pool"]

CODE_VERSION = "score-1"
_DONE = object()


@dataclass(frozen=True, slots=True)
class ScoreBatch:
    """One batch scored on one device; ``waited`` is how long the device sat idle for its data."""

    device: str
    graphs: int
    nodes: int
    edges: int
    seconds: float
    waited: float
    cached: int
    splits: int


@dataclass(frozen=True, slots=True)
class Scored:
    """A graph's score with what its inputs say about trusting it."""

    score: float
    notes: GraphNotes


def score_key(checkpoint: ScorerCheckpoint, digest: str) -> CacheKey:
    """A score is reusable for the same model inputs and the same checkpoint file."""
    return CacheKey.make(
        "score",
        digest,
        {
            "checkpoint": checkpoint.checksum,
            "node": list(checkpoint.node_features),
            "edge": list(checkpoint.edge_features),
            "ema": checkpoint.ema,
        },
        CODE_VERSION,
    )


def _autocast(device: torch.device, precision: str):
    if precision == "fp32":
        return torch.autocast(device.type, enabled=False)
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device.type, dtype=dtype)


class DeviceScorer:
    """The model on one device, scoring with out-of-memory back-off."""

    def __init__(self, spec: DeviceSpec, checkpoint: ScorerCheckpoint, precision: str) -> None:
        self.spec = spec
        self.checkpoint = checkpoint
        self.device = torch.device(spec.torch_device)
        self.precision = precision
        cpu_model = checkpoint.model
        self.model = (
            copy.deepcopy(cpu_model).to(self.device) if self.device.type != "cpu" else cpu_model
        )
        self.cpu_model = cpu_model
        self.splits = 0

    def _forward(self, batch, model, device) -> list[float]:
        with torch.inference_mode(), _autocast(device, self.precision):
            out = model(batch.to(device, non_blocking=True))
        return out.float().cpu().tolist()

    def score(self, graphs: Sequence, batch=None) -> list[float]:
        batch = collate(graphs) if batch is None else batch
        try:
            if self.spec.kind == "sim":
                check_simulated_memory(self.spec, int(batch.pos.shape[0]))
            return self._forward(batch, self.model, self.device)
        except Exception as exc:
            if not recover_from_oom(exc, self.spec):
                raise
        self.splits += 1
        if len(graphs) == 1:
            return self._forward(batch, self.cpu_model, torch.device("cpu"))
        half = len(graphs) // 2
        return self.score(graphs[:half]) + self.score(graphs[half:])


def _feed(
    batches: Iterable[LoadedBatch],
    work: queue.Queue,
    devices: int,
    errors: list,
    cancel: threading.Event | None,
) -> None:
    try:
        for loaded in batches:
            if errors or (cancel is not None and cancel.is_set()):
                break
            work.put(loaded)
    except BaseException as exc:  # raised again by score_on_pool
        errors.append(exc)
    finally:
        for _ in range(devices):
            work.put(_DONE)


def score_on_pool(
    checkpoint: ScorerCheckpoint,
    batches: Iterable[LoadedBatch],
    devices: Sequence[DeviceSpec],
    *,
    cache: Cache | None = None,
    precision: str = "fp32",
    on_batch: Callable[[ScoreBatch], None] | None = None,
    cancel: threading.Event | None = None,
) -> dict[tuple[str, str], Scored]:
    """Scores by (file, graph name) of every graph in ``batches``, computed on ``devices``."""
    work: queue.Queue = queue.Queue(maxsize=max(2, 2 * len(devices)))
    scores: dict[tuple[str, str], Scored] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(spec: DeviceSpec) -> None:
        try:
            scorer = DeviceScorer(spec, checkpoint, precision)
            while True:
                started = time.perf_counter()
                loaded = work.get()
                waited = time.perf_counter() - started
                if loaded is _DONE or (cancel is not None and cancel.is_set()) or errors:
                    if loaded is not _DONE:
                        continue
                    return
                report = _score_batch(scorer, checkpoint, loaded, cache, waited, scores, lock)
                if on_batch is not None:
                    on_batch(report)
        except BaseException as exc:
            errors.append(exc)
            while work.get() is not _DONE:  # let the feeder finish
                pass

    feeder = threading.Thread(
        target=_feed,
        args=(batches, work, len(devices), errors, cancel),
        name="score-feed",
        daemon=True,
    )
    threads = [
        threading.Thread(target=run, args=(spec,), name=f"score-{spec.name}", daemon=True)
        for spec in devices
    ]
    feeder.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    feeder.join()
    if errors:
        raise errors[0]
    return scores


def _score_batch(
    scorer: DeviceScorer,
    checkpoint: ScorerCheckpoint,
    loaded: LoadedBatch,
    cache: Cache | None,
    waited: float,
    scores: dict,
    lock: threading.Lock,
) -> ScoreBatch:
    started = time.perf_counter()
    results: dict[int, float] = {}
    keys = [score_key(checkpoint, digest) for digest in loaded.digests]
    if cache is not None:
        for i, key in enumerate(keys):
            payload = cache.get(key)
            if payload is not None and len(payload) == 8:
                results[i] = struct.unpack("<d", payload)[0]
    todo = [i for i in range(len(loaded.graphs)) if i not in results]
    splits_before = scorer.splits
    if todo:
        whole = loaded.batch if len(todo) == len(loaded.graphs) else None
        computed = scorer.score([loaded.graphs[i] for i in todo], whole)
        for i, value in zip(todo, computed, strict=True):
            results[i] = value
            if cache is not None:
                cache.put(keys[i], struct.pack("<d", value))
    elapsed = time.perf_counter() - started
    if scorer.spec.kind == "sim" and todo and scorer.spec.speed < 1:
        time.sleep(elapsed * (1.0 / scorer.spec.speed - 1.0))  # a slower simulated device
    with lock:
        for i, ref in enumerate(loaded.refs):
            scores[(ref.path, ref.name)] = Scored(results[i], loaded.notes[i])
    return ScoreBatch(
        device=scorer.spec.name,
        graphs=len(loaded.refs),
        nodes=sum(ref.nodes for ref in loaded.refs),
        edges=sum(ref.edges for ref in loaded.refs),
        seconds=time.perf_counter() - started,
        waited=waited,
        cached=len(loaded.refs) - len(todo),
        splits=scorer.splits - splits_before,
    )
