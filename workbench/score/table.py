"""``scores.parquet``: one row per scored graph, with its CAPRI class and its ranks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.fs import PARTIAL_SUFFIX, AtomicFile

__all__ = ["SCORES_SCHEMA", "ScoreRow", "capri_class", "scores_table", "write_scores"]

SCORES_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()),
        ("source", pa.string()),  # input file (or graph file) the item came from
        ("member", pa.string()),  # model / entry within the source; "" for a single structure
        ("group", pa.string()),  # manifest group, else the source: ranks are also given within it
        ("scorer", pa.string()),  # "deeprank-ab:PATH" or "random:deeprank-ab:SEED"
        ("checkpoint", pa.string()),  # sha256 of the checkpoint file; "random:<seed>"
        ("score", pa.float64()),  # predicted DockQ, as the model outputs it (not clipped)
        ("capri", pa.string()),  # incorrect / acceptable / medium / high, by DockQ 0.23/0.49/0.80
        ("rank", pa.int64()),  # 1 = best in the run
        ("rank_in_group", pa.int64()),  # 1 = best in its group
        ("untrained", pa.bool_()),  # random weights: the score means nothing
        (
            "outside_training",
            pa.bool_(),
        ),  # a nanobody (heavy chain only): not what it was trained on
        ("clash", pa.bool_()),  # an interface Lennard-Jones term far above well-packed complexes
    ]
)

CAPRI_EDGES = ((0.80, "high"), (0.49, "medium"), (0.23, "acceptable"))


def capri_class(dockq: float) -> str:
    """CAPRI quality class of a DockQ value (Basu and Wallner 2016 thresholds)."""
    return next((label for edge, label in CAPRI_EDGES if dockq >= edge), "incorrect")


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One scored item before ranking."""

    item_id: str
    source: str
    member: str
    group: str
    score: float
    outside_training: bool
    clash: bool


def scores_table(
    rows: Sequence[ScoreRow], scorer: str, checkpoint: str, untrained: bool
) -> pd.DataFrame:
    """Rows with CAPRI classes and ranks (ties share the better rank), best first."""
    frame = pd.DataFrame(
        [
            {
                "item_id": row.item_id,
                "source": row.source,
                "member": row.member,
                "group": row.group,
                "score": row.score,
                "outside_training": row.outside_training,
                "clash": row.clash,
            }
            for row in rows
        ],
        columns=[
            "item_id",
            "source",
            "member",
            "group",
            "score",
            "outside_training",
            "clash",
        ],
    )
    frame["scorer"] = scorer
    frame["checkpoint"] = checkpoint
    frame["untrained"] = untrained
    frame["capri"] = [capri_class(value) for value in frame["score"]]
    frame["rank"] = frame["score"].rank(ascending=False, method="min").astype("int64")
    frame["rank_in_group"] = (
        frame.groupby("group")["score"].rank(ascending=False, method="min").astype("int64")
    )
    frame = frame.sort_values(["rank", "item_id"], kind="stable").reset_index(drop=True)
    return frame[SCORES_SCHEMA.names]


def write_scores(path: str | Path, table: pd.DataFrame, metadata: Mapping[str, str]) -> Path:
    """Write the table atomically, with the scorer's provenance in the file's metadata."""
    arrow = pa.Table.from_pandas(table, schema=SCORES_SCHEMA, preserve_index=False)
    arrow = arrow.replace_schema_metadata(
        {**(arrow.schema.metadata or {}), **{f"workbench.{k}": v for k, v in metadata.items()}}
    )
    with AtomicFile(path, suffix=PARTIAL_SUFFIX) as temp:
        pq.write_table(arrow, temp.path)
    return temp.target
