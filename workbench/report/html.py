"""One standalone HTML report of a run, from its event log and dataset only, opening offline.

Bokeh's JavaScript is inlined (``bokeh.resources.INLINE``), so the file needs no network.
Every name or message taken from inputs or events is HTML-escaped before it enters the page.
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bokeh.embed import file_html
from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, Div, FactorRange
from bokeh.plotting import figure
from bokeh.resources import INLINE

from workbench.fs import write_text_atomic
from workbench.record import RunFold, RunLayout, RunView, StageStatus, untrained_weights
from workbench.report.charts import RunCharts

__all__ = ["write_report"]

_STYLE = (
    "<style>table{border-collapse:collapse;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
    ".banner{background:#fff3cd;border:1px solid #e0b000;padding:8px;font-weight:bold}</style>"
)


def _e(value: Any) -> str:
    return html.escape(str(value))


def _kv_table(pairs: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(v if isinstance(v, str) else json.dumps(v, default=str))}"
        "</td></tr>"
        for k, v in pairs.items()
    )
    return f"<table>{rows}</table>"


def _dotted(nested: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested option records as one level, ``graph.cutoff`` style."""
    out: dict[str, Any] = {}
    for key, value in nested.items():
        if isinstance(value, dict):
            out.update(_dotted(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _df_table(df: pd.DataFrame, empty: str) -> str:
    if df.empty:
        return f"<p>{_e(empty)}</p>"
    return df.to_html(index=False, escape=True, border=0, na_rep="")


def _div(text: str) -> Div:
    return Div(text=_STYLE + text, sizing_mode="stretch_width")


def _header(meta: dict[str, Any] | None, agg: RunFold, run_dir: Path) -> Div:
    meta = meta or {}
    status = meta.get("status") or agg.status or "unknown"
    started = meta.get("started") or agg.t0
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)) if started else "?"
    parts = [
        f"<h1>Workbench run {_e(meta.get('run_id', run_dir.name))}</h1>",
        f"<p>Status <b>{_e(status)}</b>, started {_e(when)}, "
        f"wall time {_e(round(float(meta.get('wall_seconds') or 0.0), 2))} s.</p>",
    ]
    if untrained_weights(meta):
        parts.append(
            "<p class='banner' id='untrained-banner'>Embeddings in this run come from UNTRAINED "
            "(random) ESM-2 weights: use them to test the pipeline, not for science.</p>"
        )
    if meta.get("dashboard"):
        parts.append(f"<p>Dask dashboard: {_e(meta['dashboard'])}</p>")
    parts += [
        "<h2>Configuration</h2>",
        _kv_table(_dotted(meta.get("config", {}))),
        "<h2>Package versions</h2>",
        _kv_table(meta.get("versions", {})),
    ]
    return _div("".join(parts))


def _inputs(meta: dict[str, Any] | None, agg: RunFold) -> Div:
    counts = (meta or {}).get("counts", {})
    failures = pd.DataFrame(
        [(f.stage, f.source, f.item_id, f.reason) for f in agg.failures],
        columns=["stage", "source", "item", "reason"],
    )
    return _div(
        "<h2>Inputs and failures</h2>"
        + _kv_table({k: counts.get(k, "?") for k in ("items", "done", "failed")})
        + f"<p>{len(agg.failures)} failed item(s), {agg.n_warnings} warning(s).</p>"
        + _df_table(failures, "No item failed.")
    )


def _stages(stages: list[StageStatus]) -> list[Any]:
    df = pd.DataFrame(
        [(s.stage, round(s.seconds, 3), s.done, s.total, s.failed) for s in stages],
        columns=["stage", "seconds", "done", "total", "failed"],
    )
    fig = figure(
        title="Stage timings (s)",
        x_range=FactorRange(*[s.stage for s in stages]),
        height=220,
        width=500,
    )
    fig.vbar(x="stage", top="seconds", width=0.6, source=ColumnDataSource(df.to_dict("list")))
    return [_div("<h2>Stages</h2>" + _df_table(df, "No stage ran.")), fig]


def _cache(agg: RunFold, charts: RunCharts) -> list[Any]:
    df = pd.DataFrame(
        [(c.stage, c.hits, c.misses, c.corrupt, round(c.hit_rate, 3)) for c in agg.cache.values()],
        columns=["stage", "hits", "misses", "corrupt", "hit rate"],
    )
    return [_div("<h2>Cache</h2>" + _df_table(df, "No cache lookups recorded.")), charts.cache]


def _histogram(values: np.ndarray, title: str, name: str) -> Any:
    fig = figure(title=title, height=220, width=420, name=name)
    if len(values):
        counts, edges = np.histogram(values, bins=min(30, max(1, len(set(values.tolist())))))
        fig.quad(top=counts, bottom=0, left=edges[:-1], right=edges[1:], alpha=0.7)
    return fig


def _dataset(run_dir: Path) -> list[Any]:
    view = RunView(run_dir)
    structures, sequences = view.structures, view.sequences
    summary: dict[str, Any] = {}
    if not structures.empty:
        summary["structures"] = len(structures)
        summary.update(
            {f"structures {k}": int(v) for k, v in structures["status"].value_counts().items()}
        )
    lengths = np.array([], dtype=int)
    cdr3 = np.array([], dtype=int)
    if not sequences.empty:
        summary["unique sequences"] = len(sequences)
        lengths = sequences["length"].to_numpy(dtype=int)
        if "cdr3" in sequences:
            cdr3 = np.array([len(s) for s in sequences["cdr3"].dropna() if s], dtype=int)
    sizes = RunLayout(run_dir).file_sizes()
    files = pd.DataFrame(sorted(sizes.items()), columns=["file", "bytes"])
    return [
        _div("<h2>Dataset</h2>" + _kv_table(summary) + _df_table(files, "No dataset files yet.")),
        row(
            _histogram(lengths, "Sequence lengths (residues)", "sequence-lengths"),
            _histogram(cdr3, "CDR3 lengths (residues)", "cdr3-lengths"),
        ),
    ]


def write_report(run_dir: str | Path, out_html: str | Path) -> Path:
    """Write the run's standalone HTML report to ``out_html`` (atomically) and return its path."""
    view = RunView(run_dir)
    run_dir = view.run_dir
    if not view.layout.is_run():
        raise FileNotFoundError(f"{run_dir} is not a run directory (no run.json, no events.sqlite)")
    meta = view.info
    agg = RunFold()
    charts = RunCharts(rollover=None)
    charts.apply(agg.feed(view.events()))
    layout = column(
        _header(meta, agg, run_dir),
        _inputs(meta, agg),
        *_stages(agg.stage_status()),
        _div("<h2>Throughput per device</h2>"),
        charts.throughput,
        charts.tokens,
        *_cache(agg, charts),
        *_dataset(run_dir),
        sizing_mode="stretch_width",
    )
    title = f"Workbench report {(meta or {}).get('run_id', run_dir.name)}"
    page = file_html(layout, INLINE, title=title)
    out = Path(out_html)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, page)
    return out
