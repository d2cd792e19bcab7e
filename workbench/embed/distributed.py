"""Multi-node embedding: batches as Dask tasks on workers that declare the resource ``GPU=1``.

Each worker process loads the model once (module-level cache keyed by weights checksum, device
and precision) and reuses it for every batch, from all of its threads; on a CUDA device it is
placed from the host copy with its Linear layers cast once to the precision, and the host copy
is let go (:func:`~workbench.embed.weights.place_model`). Balancing is Dask's (a free
worker takes the next task, idle workers steal queued ones); a batch whose worker dies is
recomputed on another by the Dask scheduler; an out-of-memory batch comes back as such and is
split in two and resubmitted. On a worker the device is the first of ``options.devices``
(default "auto": its first visible GPU, else the CPU); simulated devices there are paced by
``options.sim_token_seconds`` (0 if unset). Before the batches are cut, every GPU worker reports
its device (:func:`cluster_compute`: the precision "auto" resolves to bf16 only when all of them
have it) and, without ``token_budget``, the budget its free memory allows (the smallest is used).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import torch

from workbench.embed.compute import Compute, bf16_capable, device_kind, resolve_precision
from workbench.embed.device import (
    CPU_BUDGET,
    DeviceSpec,
    check_simulated_memory,
    forward,
    pace,
    parse_devices,
    probe_budget,
    recover_from_oom,
)
from workbench.embed.models import LoadedModel, ModelError, load_model
from workbench.embed.options import EmbedOptions
from workbench.embed.runner import (
    BatchReport,
    EmbedFailure,
    Pieces,
    Store,
    embed_with,
)
from workbench.embed.scheduler import Piece, cut_batches, oom_reason, split_in_half
from workbench.embed.tokens import Tokenizer
from workbench.embed.weights import place_model

__all__ = [
    "BatchJob",
    "WorkerDevice",
    "cluster_budget",
    "cluster_compute",
    "describe_device",
    "embed_on_cluster",
    "run_batch",
    "worker_budget",
]

_HOST: dict[str, LoadedModel] = {}  # loaded on the host, not yet placed on a CUDA device
_MODELS: dict[tuple[str, str, str], tuple[LoadedModel, DeviceSpec]] = {}
_BUDGETS: dict[tuple[str, str, str], int] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class BatchJob:
    """What every batch task needs to find (or load) the model and run it."""

    model: str
    seed: int
    weights_checksum: str
    layers: tuple[int, ...]
    precision: str
    devices: str
    token_seconds: float


def _host_model(job: BatchJob) -> LoadedModel:
    """The model as loaded on this worker's host, checked against the client's weights (the
    caller holds _LOCK)."""
    if job.weights_checksum not in _HOST:
        loaded = load_model(job.model, job.seed)
        if loaded.weights_checksum != job.weights_checksum:
            raise ModelError(
                job.model,
                f"weights on this worker ({loaded.weights_checksum}) differ from the "
                f"client's ({job.weights_checksum}); give every node the same file",
            )
        _HOST[job.weights_checksum] = loaded
    return _HOST[job.weights_checksum]


def _worker_model(job: BatchJob) -> tuple[LoadedModel, DeviceSpec]:
    """The model for ``job`` on the worker's device, placed once per process and precision; on
    CUDA its Linear layers are cast once and the host copy is let go."""
    key = (job.weights_checksum, job.devices, job.precision)
    with _LOCK:
        if key not in _MODELS:
            loaded = _host_model(job)
            device = parse_devices(job.devices)[0]
            if device.kind == "cuda":
                module = place_model(loaded.model, device.torch_device, job.precision)
                loaded = dataclasses.replace(loaded, build=lambda: module)
                del _HOST[job.weights_checksum]
            _MODELS[key] = (loaded, device)
        return _MODELS[key]


@dataclass(frozen=True, slots=True)
class WorkerDevice:
    """A GPU worker's device as it reports it: kind (cpu, cuda, sim) and native bf16."""

    kind: str
    bf16: bool


def describe_device(job: BatchJob) -> WorkerDevice:
    """Task body: the worker's device, model loaded on the host (``job.precision`` may still be
    "auto", so nothing is placed on the device yet)."""
    with _LOCK:
        _host_model(job)
    device = parse_devices(job.devices)[0]
    return WorkerDevice(device.kind, bf16_capable(device))


def worker_budget(job: BatchJob) -> int | None:
    """Task body: padded tokens the worker's CUDA device's free memory allows (probed once per
    model and precision), None off CUDA."""
    loaded, device = _worker_model(job)
    if device.kind != "cuda":
        return None
    key = (job.weights_checksum, job.devices, job.precision)
    with _LOCK:
        if key not in _BUDGETS:
            _BUDGETS[key] = probe_budget(
                loaded.model, device, loaded.max_len, job.layers, job.precision
            )
        return _BUDGETS[key]


def _on_each_gpu_worker(client, function: Callable[[BatchJob], object], job: BatchJob) -> list:
    """``function(job)`` as one task per GPU worker (a task thread, not the worker's event loop,
    as loading a model can take minutes)."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    addresses = [a for a, w in workers.items() if w.get("resources", {}).get("GPU", 0) > 0]
    futures = [
        client.submit(
            function,
            job,
            workers=[a],
            allow_other_workers=True,
            resources={"GPU": 1},
            pure=False,
        )
        for a in addresses
    ]
    return client.gather(futures)


def cluster_compute(client, options: EmbedOptions, loaded: LoadedModel) -> Compute:
    """Device kind and resolved precision of a run on ``client``'s GPU workers."""
    job = _job(options, loaded, loaded.resolve_layers(options.layers), options.precision)
    found = _on_each_gpu_worker(client, describe_device, job)
    if not found:
        raise RuntimeError(
            "no Dask worker declares the resource GPU (dask worker --resources GPU=1)"
        )
    kind = device_kind(d.kind for d in found)
    return Compute(kind, resolve_precision(options.precision, (d.bf16 for d in found)))


def cluster_budget(client, job: BatchJob, token_budget: int | None) -> int:
    """``token_budget``, else the smallest budget a CUDA worker's memory allows (CPU_BUDGET
    when none of the GPU workers has CUDA)."""
    if token_budget is not None:
        return token_budget
    found = _on_each_gpu_worker(client, worker_budget, job)
    budgets = [b for b in found if b is not None]
    return min(budgets) if budgets else CPU_BUDGET


def _job(options: EmbedOptions, loaded: LoadedModel, layers, precision: str) -> BatchJob:
    return BatchJob(
        options.model,
        options.seed,
        loaded.weights_checksum,
        tuple(layers),
        precision,
        options.devices,
        options.sim_token_seconds or 0.0,
    )


def run_batch(
    job: BatchJob, items: tuple[tuple[str, str], ...]
) -> tuple[str, list[np.ndarray] | None, float]:
    """Task body: (device@worker, per-piece float16 arrays or None on out-of-memory, seconds)."""
    from distributed import get_worker

    loaded, device = _worker_model(job)
    where = f"{device.name}@{get_worker().address}"
    tokens = torch.from_numpy(Tokenizer(loaded.alphabet)(items))
    start = time.perf_counter()
    padded = tokens.numel()
    try:
        tokens = tokens.to(device.torch_device)
        check_simulated_memory(device, padded)
        arrays = forward(
            loaded.model, tokens, job.layers, [len(t) for _, t in items], job.precision
        )
    except Exception as exc:
        if not recover_from_oom(exc, device):
            raise
        return where, None, time.perf_counter() - start
    pace(device, padded, job.token_seconds, start)
    return where, arrays, time.perf_counter() - start


def embed_on_cluster(
    sequences: Mapping[str, str],
    options: EmbedOptions,
    client,
    cache: Store | None = None,
    on_batch: Callable[[BatchReport], None] | None = None,
    *,
    model: LoadedModel | None = None,
    on_failure: Callable[[EmbedFailure], None] | None = None,
    compute: Compute | None = None,
) -> Iterator[tuple[str, np.ndarray]]:
    """Like :func:`~workbench.embed.runner.embed_unique`, with batches run on ``client``'s cluster.

    Parameters
    ----------
    client : distributed.Client
        Its workers must declare the resource ``GPU`` (``dask worker --resources GPU=1``) and be
        able to load ``options.model`` (same file path, or same hub cache, on every node).

    Yields
    ------
    seq_hash : str
    embedding : ndarray, dtype=float16, shape (L, D x n_layers)
    """
    from distributed import as_completed

    loaded = model or load_model(options.model, options.seed)
    compute = compute or cluster_compute(client, options, loaded)

    def cluster(pieces: Pieces, layers: tuple[int, ...]) -> Iterator[tuple[str, object]]:
        job = _job(options, loaded, layers, compute.precision)
        running = as_completed()
        batches: dict[object, tuple[Piece, ...]] = {}
        totals: dict[str, tuple[int, float]] = {}

        def submit(batch: tuple[Piece, ...]) -> None:
            items = tuple((p.key, pieces.texts[p.key]) for p in batch)
            future = client.submit(run_batch, job, items, resources={"GPU": 1}, pure=False)
            batches[future] = batch
            running.add(future)

        for batch in cut_batches(
            pieces.pieces(), cluster_budget(client, job, options.token_budget)
        ):
            submit(batch)
        for future in running:
            batch = batches.pop(future)
            device, arrays, seconds = future.result()
            if arrays is None:
                yield from _out_of_memory(batch, device, pieces, submit)
                continue
            padded = max(p.tokens for p in batch) * len(batch)
            tokens, busy = totals.get(device, (0, 0.0))
            totals[device] = (tokens + padded, busy + seconds)
            if on_batch is not None:
                rate = totals[device][0] / max(totals[device][1], 1e-9)
                on_batch(BatchReport(device, len(batch), padded, seconds, rate))
            for piece, array in zip(batch, arrays, strict=True):
                done = pieces.add(piece.key, array)
                if done is not None:
                    yield done

    return embed_with(cluster, sequences, options, cache, loaded, on_failure, compute)


def _out_of_memory(batch, device, pieces: Pieces, submit) -> Iterator[tuple[str, object]]:
    """Split and resubmit, or fail a lone piece that does not fit."""
    if len(batch) > 1:
        for half in split_in_half(batch):
            submit(half)
        return
    piece = batch[0]
    seq_hash = pieces.fail(piece.key)
    if seq_hash is not None:
        yield seq_hash, oom_reason(device, piece)
