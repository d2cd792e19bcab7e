"""Score graph files: checkpoint → planned batches → device pool → ranked ``scores.parquet``."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.cache import Cache
from workbench.embed.device import parse_devices
from workbench.score.checkpoint import (
    EDGE_FEATURE_WIDTHS,
    CheckpointError,
    ScorerCheckpoint,
    load_checkpoint,
    random_checkpoint,
)
from workbench.score.distributed import score_on_cluster
from workbench.score.loader import (
    CPU_BUDGET,
    GraphRef,
    GraphSource,
    graph_refs,
    loader_settings,
    make_loader,
    pack_batches,
)
from workbench.score.pool import ScoreBatch, score_on_pool
from workbench.score.spec import SCORER_GRAMMAR
from workbench.score.table import ScoreRow, scores_table

__all__ = ["ScoreResult", "resolve_scorer", "score_files"]


@dataclass(frozen=True)
class ScoreResult:
    """The ranked table and how the scoring went."""

    table: pd.DataFrame
    batches: tuple[ScoreBatch, ...]


def resolve_scorer(spec: str) -> ScorerCheckpoint:
    """The checkpoint a ``--scorer`` value names; CheckpointError (a ValueError) when it cannot."""
    kind, _, rest = spec.partition(":")
    if kind == "deeprank-ab" and rest:
        return load_checkpoint(os.path.expanduser(rest))
    if kind == "random" and rest.split(":")[0] == "deeprank-ab":
        seed = rest.partition(":")[2]
        if seed and not seed.isdigit():
            raise CheckpointError(spec, f"seed {seed!r} is not a whole number")
        return random_checkpoint(int(seed or 0))
    raise CheckpointError(spec, f"expected {SCORER_GRAMMAR}")


def _item_ids(refs: Sequence[GraphRef]) -> list[str]:
    """Group names, qualified by the file's stem where two files share one."""
    counts: dict[str, int] = {}
    for ref in refs:
        counts[ref.name] = counts.get(ref.name, 0) + 1
    return [
        ref.name if counts[ref.name] == 1 else f"{Path(ref.path).stem}:{ref.name}" for ref in refs
    ]


def score_files(
    paths: Sequence[str | os.PathLike],
    checkpoint: ScorerCheckpoint,
    *,
    devices: str = "cpu",
    cache: Cache | None = None,
    precision: str = "fp32",
    budget: tuple[int, int] = CPU_BUDGET,
    on_batch: Callable[[ScoreBatch], None] | None = None,
    cancel: threading.Event | None = None,
    client=None,
    sources: Mapping[str, tuple[str, str]] | None = None,
) -> ScoreResult:
    """Every graph group of ``paths`` (DeepRank-Ab's HDF5 layout) scored and ranked.

    ``sources``: item id → (source file, member) of the structures the groups were made from
    (a run's items), so that ranks within a group are ranks within a source file; without it
    the graph file is the source.

    With a Dask ``client``, batches run as tasks on its GPU workers (see
    :mod:`workbench.score.distributed`) and ``devices``, ``cache`` and ``cancel`` are not used.
    """
    refs = [ref for path in paths for ref in graph_refs(path)]
    planned = pack_batches(refs, *budget)
    done: list[ScoreBatch] = []

    def record(report: ScoreBatch) -> None:
        done.append(report)
        if on_batch is not None:
            on_batch(report)

    if client is not None:
        scores = score_on_cluster(
            client, checkpoint, refs, planned, precision=precision, on_batch=record
        )
    else:
        scores = _score_here(refs, planned, checkpoint, devices, cache, precision, record, cancel)
    return ScoreResult(_ranked(refs, scores, checkpoint, sources or {}), tuple(done))


def _score_here(refs, planned, checkpoint, devices, cache, precision, record, cancel):
    specs = parse_devices(devices)
    source = GraphSource(
        refs,
        planned,
        checkpoint.node_features,
        checkpoint.edge_features,
        [EDGE_FEATURE_WIDTHS[name] for name in checkpoint.edge_features],
    )
    settings = loader_settings(specs[0].kind, len(specs))
    return score_on_pool(
        checkpoint,
        make_loader(source, settings),
        specs,
        cache=cache,
        precision=precision,
        on_batch=record,
        cancel=cancel,
    )


def _ranked(refs, scores, checkpoint: ScorerCheckpoint, sources) -> pd.DataFrame:
    rows = []
    for ref, item_id in zip(refs, _item_ids(refs), strict=True):
        scored = scores.get((ref.path, ref.name))
        if scored is None:
            continue  # cancelled before its batch
        source, member = sources.get(item_id, (ref.path, ""))
        rows.append(
            ScoreRow(
                item_id=item_id,
                source=source,
                member=member,
                group=source,
                score=scored.score,
                outside_training=scored.notes.heavy_only,
                clash=scored.notes.clash,
            )
        )
    return scores_table(rows, checkpoint.spec, checkpoint.checksum, checkpoint.untrained)
