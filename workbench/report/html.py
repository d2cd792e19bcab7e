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
from bokeh.resources import Resources

from workbench.fs import write_text_atomic
from workbench.record import (
    RunFold,
    RunLayout,
    RunOutcome,
    RunView,
    StageStatus,
    run_outcome,
    untrained_weights,
)
from workbench.report.charts import RunCharts, histogram
from workbench.report.scores import dockq_histogram, scores_display, scores_note
from workbench.report.summary import (
    attempts_html,
    badge_html,
    banner_html,
    cards_html,
    fmt_seconds,
    fmt_size,
    hints_html,
)

__all__ = ["write_report"]


class _BokehInline(Resources):
    """Bokeh's own JS and CSS inlined, and nothing else: Bokeh would otherwise add the CDN
    stylesheets of every model loaded in the process (Panel's widgets, in the app), which a
    standalone report neither uses nor can fetch offline."""

    def _collect_external_resources(self, resource_attr: str) -> list[str]:
        return []

    def clone(self, *, components: list[str] | None = None) -> _BokehInline:
        kept = list(self.components) if components is None else components
        return _BokehInline(mode="inline", components=kept)


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


def _title(meta: dict[str, Any], fold: RunFold, run_dir: Path) -> str:
    """A title that names the inputs and the date, not a hash."""
    started = meta.get("started") or fold.t0
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "undated"
    inputs = [Path(str(p)).name for p in meta.get("config", {}).get("inputs", [])]
    named = ", ".join(inputs[:3]) + (f" and {len(inputs) - 3} more" if len(inputs) > 3 else "")
    return f"Workbench run on {named or run_dir.name}, {when}"


def _header(meta: dict[str, Any], fold: RunFold, outcome: RunOutcome, run_dir: Path) -> Div:
    parts = [
        f"<h1>{_e(_title(meta, fold, run_dir))}</h1>",
        f"<p>{badge_html(outcome.outcome)} run <code>{_e(meta.get('run_id', run_dir.name))}"
        f"</code>, wall time {_e(fmt_seconds(float(meta.get('wall_seconds') or 0.0)))}.</p>",
        attempts_html(fold),
        cards_html(fold, outcome, None),
        banner_html(fold, outcome),
    ]
    if untrained_weights(meta):
        parts.append(
            "<p class='banner' id='untrained-banner'>Embeddings in this run come from UNTRAINED "
            "(random) ESM-2 weights: use them to test the pipeline, not for science.</p>"
        )
    return _div("".join(parts))


_ITEM_COLUMNS = [
    "source",
    "member",
    "status",
    "heavy",
    "light",
    "antigen",
    "n_nodes",
    "error",
    "warnings",
]


def _items(view: RunView) -> Div:
    """One row per item, failures included (the science first)."""
    structures = view.structures
    if structures.empty:
        return _div("<h2>Items</h2><p>No item recorded.</p>")
    df = structures[[c for c in _ITEM_COLUMNS if c in structures.columns]].copy()
    df["source"] = df["source"].map(lambda s: Path(str(s)).name)
    return _div("<h2 id='items'>Items</h2>" + _df_table(df.fillna(""), "No item recorded."))


_TOP_SCORES = 10


def _scores(view: RunView) -> list[Any]:
    """The top of the ranking and the predicted-DockQ histogram; nothing when not scored."""
    scores = view.scores
    if scores.empty:
        return []
    top = scores_display(scores, top=_TOP_SCORES)
    return [
        _div(
            f"<h2 id='scores'>Scores (top {min(_TOP_SCORES, len(scores))} of {len(scores)})</h2>"
            + scores_note(scores)
            + _df_table(top, "No item scored.")
        ),
        dockq_histogram(scores),
    ]


def _failures_and_warnings(fold: RunFold) -> Div:
    failures = pd.DataFrame(
        [(f.stage, f.source, f.item_id, f.reason) for f in fold.failures],
        columns=["stage", "source", "item", "reason"],
    )
    warnings = pd.DataFrame(
        [(w.stage, w.item_id, w.message) for w in fold.warnings],
        columns=["stage", "item", "warning"],
    )
    return _div(
        f"<h2 id='failures'>Failures ({len(fold.failures)})</h2>"
        + _df_table(failures, "No item failed.")
        + f"<h2 id='warnings'>Warnings ({len(fold.warnings)})</h2>"
        + _df_table(warnings, "No warning.")
    )


def _settings(meta: dict[str, Any]) -> Div:
    """Configuration and versions, folded away at the end."""
    return _div(
        "<details><summary><b>Configuration</b></summary>"
        + _kv_table(_dotted(meta.get("config", {})))
        + "</details><details><summary><b>Package versions</b></summary>"
        + _kv_table(meta.get("versions", {}))
        + "</details>"
    )


def _stages(stages: list[StageStatus]) -> list[Any]:
    df = pd.DataFrame(
        [(s.stage, round(s.seconds, 2), s.done, s.total or s.done, s.failed) for s in stages],
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


def _cache(fold: RunFold, charts: RunCharts) -> list[Any]:
    df = pd.DataFrame(
        [(c.stage, c.hits, c.misses, c.corrupt, round(c.hit_rate, 3)) for c in fold.cache.values()],
        columns=["stage", "hits", "misses", "corrupt", "hit rate"],
    )
    return [_div("<h2>Cache</h2>" + _df_table(df, "No cache lookups recorded.")), charts.cache]


def _percent(share: float) -> str:
    return f"{100 * share:.0f}"


def _resources(fold: RunFold, charts: RunCharts) -> list[Any]:
    """The bottleneck hints, telemetry per resource and stage with its time series, and each
    device's batch work."""
    resources = fold.resources
    table = pd.DataFrame(
        [
            (
                r.resource,
                r.stage,
                r.samples,
                f"{r.mean:.0f}",
                f"{r.p95:.0f}",
                _percent(r.busy_share),
                "" if r.peak_mem is None else fmt_size(r.peak_mem),
                "" if r.mem_total is None else fmt_size(r.mem_total),
            )
            for r in resources.rows()
        ],
        columns=["resource", "stage", "samples", "mean %", "p95 %", "busy %", "peak memory", "of"],
    )
    work = pd.DataFrame(
        [
            (
                device,
                stage,
                w.batches,
                round(w.busy, 2),
                _percent(w.idle_share),
                f"{w.tokens_per_s:.0f}",
            )
            for (stage, device), w in resources.work.items()
        ],
        columns=["device", "stage", "batches", "busy s", "idle % of span", "tokens/s"],
    )
    section = _div(
        "<h2 id='resources'>Resources</h2>"
        + hints_html(fold)
        + _df_table(table, "No telemetry recorded (run with --telemetry on).")
        + "<h3>Device work</h3>"
        + _df_table(work, "No device batches recorded.")
    )
    if not charts.telemetry_sources:
        return [section]
    return [section, row(charts.utilisation, charts.memory, sizing_mode="stretch_width")]


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
    files = pd.DataFrame(
        [(name, fmt_size(n)) for name, n in sorted(sizes.items())], columns=["file", "size"]
    )
    return [
        _div("<h2>Dataset</h2>" + _kv_table(summary) + _df_table(files, "No dataset files yet.")),
        row(
            histogram(lengths, "Sequence lengths (residues)", "sequence-lengths", "residues"),
            histogram(cdr3, "CDR3 lengths (residues)", "cdr3-lengths", "residues"),
        ),
    ]


def write_report(run_dir: str | Path, out_html: str | Path) -> Path:
    """Write the run's standalone HTML report to ``out_html`` (atomically) and return its path."""
    view = RunView(run_dir)
    run_dir = view.run_dir
    if not view.layout.is_run():
        raise FileNotFoundError(f"{run_dir} is not a run directory (no run.json, no events.sqlite)")
    meta = view.info or {}
    fold = RunFold()
    charts = RunCharts(rollover=None)
    for page in view.event_pages():
        charts.apply(fold.feed(page))
    outcome = run_outcome(fold, meta)
    stages = fold.stage_status()
    charts.set_stages(stages)
    compute = [_div("<h2>Compute</h2>"), *_stages(stages), charts.timeline]
    if fold.tokens:
        compute += [_div("<h3>Throughput per device</h3>"), charts.throughput, charts.tokens]
    if fold.cache:
        compute += _cache(fold, charts)
    compute += _resources(fold, charts)
    layout = column(
        _header(meta, fold, outcome, run_dir),
        _items(view),
        *_scores(view),
        *_dataset(run_dir),
        _failures_and_warnings(fold),
        *compute,
        _settings(meta),
        sizing_mode="stretch_width",
    )
    title = _title(meta, fold, run_dir)
    page = file_html(layout, _BokehInline(mode="inline"), title=title)
    out = Path(out_html)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, page)
    return out
