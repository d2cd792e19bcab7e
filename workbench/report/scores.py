"""A run's scores (scores.parquet) as people read them: the ranked table with its flags in
words, a plain note when the weights were untrained, and the predicted-DockQ histogram. Shared
by the app's Scores tab and the report."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.report.charts import histogram

__all__ = ["SCORE_COLUMNS", "dockq_histogram", "scores_display", "scores_note"]

SCORE_COLUMNS = ["rank", "item_id", "source", "member", "score", "capri", "rank_in_group", "flags"]
_FLAGS = {
    "untrained": "untrained weights",
    "outside_training": "nanobody: outside training",
    "clash": "clash",
}
_BINS = 20


def _flags(row: pd.Series) -> str:
    return ", ".join(word for column, word in _FLAGS.items() if bool(row.get(column)))


def scores_display(scores: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Best first, the columns people read: source as its file name, flags in words, score
    rounded to 3 places, empty values blank; ``top`` rows when given."""
    if scores.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    df = scores.sort_values(["rank", "item_id"], kind="stable")
    df = df.head(top) if top is not None else df
    out = pd.DataFrame(
        {
            "rank": df["rank"].astype(int),
            "item_id": df["item_id"],
            "source": df["source"].map(lambda s: Path(str(s)).name if s else ""),
            "member": df["member"].fillna(""),
            "score": df["score"].round(3),
            "capri": df["capri"],
            "rank_in_group": df["rank_in_group"].astype(int),
            "flags": df.apply(_flags, axis=1),
        },
        columns=SCORE_COLUMNS,
    )
    return out.reset_index(drop=True)


def scores_note(scores: pd.DataFrame) -> str:
    """Who scored how many items, the CAPRI classes counted, and "untrained weights" said plainly
    when the scorer's weights were random; a note on how to score when there are no scores."""
    if scores.empty:
        return (
            "<p class='scores-note'>Not scored: run <code>workbench score RUN/graphs.h5 "
            "--scorer deeprank-ab:CHECKPOINT --out RUN</code> to rank the models.</p>"
        )
    scorers = ", ".join(html.escape(str(s)) for s in scores["scorer"].unique())
    counts = scores["capri"].value_counts()
    classes = ", ".join(f"{n} {html.escape(str(c))}" for c, n in counts.items())
    parts = [f"<p class='scores-note'>{len(scores)} items scored by {scorers}: {classes}.</p>"]
    if scores["untrained"].any():
        parts.append(
            "<p class='banner untrained-scores'>Untrained weights: these scores come from random "
            "weights and mean nothing; use them to test the pipeline, not to rank models.</p>"
        )
    return "".join(parts)


def dockq_histogram(scores: pd.DataFrame):
    """Counts of predicted DockQ over [0, 1] (wider when a score falls outside it)."""
    values = scores["score"].to_numpy(dtype=float) if not scores.empty else np.array([])
    low = min(0.0, float(values.min())) if len(values) else 0.0
    high = max(1.0, float(values.max())) if len(values) else 1.0
    return histogram(
        values,
        "Predicted DockQ",
        "dockq-histogram",
        "predicted DockQ",
        bins=np.linspace(low, high, _BINS + 1),
    )
