"""Multi-node scoring: planned batches as Dask tasks on workers that declare ``GPU=1``.

Paths travel, not graphs: a task names its graphs by file and group, and the worker reads them
from the shared filesystem. Each worker process loads the checkpoint once (module-level cache,
keyed by the scorer and the file's checksum, which must equal the parent's) onto its first
device (its first visible GPU, else the CPU) and scores with the same out-of-memory back-off as
the local pool. Balancing is Dask's: a free worker takes the next task; a batch whose worker
dies is recomputed on another by the scheduler, and each batch's result is taken once, so every
graph is scored exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from workbench.embed.device import parse_devices
from workbench.score.checkpoint import EDGE_FEATURE_WIDTHS, CheckpointError, ScorerCheckpoint
from workbench.score.loader import GraphNotes, GraphRef, GraphSource
from workbench.score.pool import DeviceScorer, ScoreBatch, Scored

__all__ = ["ScoreJob", "run_score_batch", "score_on_cluster"]

_SCORERS: dict[tuple[str, str, str], DeviceScorer] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class ScoreJob:
    """What a worker needs to score: the scorer to load, its checksum, device and precision."""

    scorer: str
    checksum: str
    devices: str = "auto"
    precision: str = "fp32"


def _worker_scorer(job: ScoreJob) -> DeviceScorer:
    from workbench.score.scoring import resolve_scorer

    key = (job.scorer, job.checksum, job.precision)
    with _LOCK:
        scorer = _SCORERS.get(key)
        if scorer is None:
            checkpoint = resolve_scorer(job.scorer)
            if checkpoint.checksum != job.checksum:
                raise CheckpointError(
                    job.scorer, "the file on this worker differs from the one the run checked"
                )
            spec = parse_devices(job.devices)[0]
            scorer = _SCORERS[key] = DeviceScorer(spec, checkpoint, job.precision)
        return scorer


def run_score_batch(
    job: ScoreJob, refs: tuple[GraphRef, ...]
) -> tuple[str, list[tuple[float, GraphNotes]], float]:
    """One batch on this worker: its device's name, (score, notes) per graph, seconds."""
    scorer = _worker_scorer(job)
    checkpoint = scorer.checkpoint
    source = GraphSource(
        refs,
        [list(range(len(refs)))],
        checkpoint.node_features,
        checkpoint.edge_features,
        [EDGE_FEATURE_WIDTHS[name] for name in checkpoint.edge_features],
    )
    try:
        loaded = source[0]
    finally:
        source.close()
    started = time.perf_counter()
    scores = scorer.score(list(loaded.graphs), loaded.batch)
    return (
        scorer.spec.name,
        list(zip(scores, loaded.notes, strict=True)),
        time.perf_counter() - started,
    )


def score_on_cluster(
    client,
    checkpoint: ScorerCheckpoint,
    refs: Sequence[GraphRef],
    batches: Sequence[Sequence[int]],
    *,
    precision: str = "fp32",
    on_batch: Callable[[ScoreBatch], None] | None = None,
) -> dict[tuple[str, str], Scored]:
    """Scores by (file, graph name), every planned batch a task on ``client``'s GPU workers."""
    from distributed import as_completed

    workers = client.scheduler_info()["workers"].values()
    if not any(worker.get("resources", {}).get("GPU", 0) > 0 for worker in workers):
        raise ValueError("no Dask worker declares the resource GPU (dask worker --resources GPU=1)")
    job = ScoreJob(checkpoint.spec, checkpoint.checksum, precision=precision)
    planned = {}
    for batch in batches:
        members = tuple(refs[i] for i in batch)
        future = client.submit(run_score_batch, job, members, resources={"GPU": 1}, pure=False)
        planned[future] = members
    scores: dict[tuple[str, str], Scored] = {}
    for future in as_completed(planned):
        members = planned.pop(future)
        device, results, seconds = future.result()
        for ref, (score, notes) in zip(members, results, strict=True):
            scores[(ref.path, ref.name)] = Scored(score, notes)
        if on_batch is not None:
            on_batch(
                ScoreBatch(
                    device=device,
                    graphs=len(members),
                    nodes=sum(ref.nodes for ref in members),
                    edges=sum(ref.edges for ref in members),
                    seconds=seconds,
                    waited=0.0,
                    cached=0,
                    splits=0,
                )
            )
    return scores
