"""Live view of one run directory: stage progress and ETA, throughput, cache and telemetry charts,
bottleneck hints, failures.

``RunMonitor`` polls the run's event log by id (only new events are read) from a periodic
callback and streams what they add into the charts; watching your own run and attaching to a run
started elsewhere are the same code path. Everything drawn from events is HTML-escaped.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import panel as pn
import param
from panel.viewable import Viewer

from workbench.record import (
    RunFold,
    RunOutcome,
    RunView,
    StageStatus,
    run_outcome,
    untrained_weights,
)
from workbench.record.eventlog import PAGE_EVENTS
from workbench.record.fold import Update
from workbench.report.charts import RunCharts
from workbench.report.summary import (
    attempts_html,
    badge_html,
    banner_html,
    cards_html,
    fmt_seconds,
    hints_html,
)

__all__ = ["RunMonitor", "stages_html"]

_MAX_FAILURES_SHOWN = 200
_QUIET_POLLS = 4  # polls with no new event after run.json says finished, for logs with no end


def stages_html(stages: list[StageStatus]) -> str:
    """An HTML table of stage progress with a bar, done/total, failures, time and ETA."""
    if not stages:
        return (
            f"{_MOVING_CSS}<p class='starting'>Starting the run process: loading the pipeline…</p>"
            f"{_bar(None)}"
        )
    rows = []
    for s in stages:
        frac = s.fraction
        pct = "…" if frac is None else f"{100 * frac:.0f}%"
        bar = _bar(frac)
        total = "…" if s.total is None else s.total
        state = "running" if s.running else "finished"
        rows.append(
            f"<tr class='stage' data-stage='{html.escape(s.stage)}'><td>{html.escape(s.stage)}</td>"
            f"<td>{bar}</td><td>{pct}</td><td>{s.done}/{total}</td><td>{s.failed}</td>"
            f"<td>{state}</td><td>{fmt_seconds(s.seconds)}</td><td>{fmt_seconds(s.eta)}</td></tr>"
        )
    head = (
        "<tr><th>stage</th><th>progress</th><th></th><th>done</th><th>failed</th>"
        "<th>state</th><th>time</th><th>ETA</th></tr>"
    )
    return f"{_MOVING_CSS}<table class='stages'>{head}{''.join(rows)}</table>"


_MOVING_CSS = (
    "<style>@keyframes wb-slide{from{margin-left:-40%}to{margin-left:100%}}"
    ".wb-moving{width:40%;height:10px;background:#1f77b4;animation:wb-slide 1.2s linear infinite}"
    "</style>"
)


def _bar(fraction: float | None) -> str:
    """A progress bar; an indeterminate (moving) one while the total is unknown."""
    inner = (
        "<div class='wb-moving'></div>"
        if fraction is None
        else f"<div style='background:#1f77b4;width:{int(100 * fraction)}%;height:10px'></div>"
    )
    return f"<div style='background:#eee;width:160px;overflow:hidden'>{inner}</div>"


class RunMonitor(Viewer):
    """Watches a run directory live from its event log (or reviews it when finished)."""

    run_dir = param.String(default="", doc="Run directory to watch; empty shows nothing.")
    interval_ms = param.Integer(
        default=500, bounds=(100, 1000), doc="Polling period in ms (at least once a second)."
    )
    rollover = param.Integer(default=2000, bounds=(10, None), doc="Points kept per chart line.")
    live = param.Boolean(default=True, doc="Poll from a periodic callback; off: call poll().")
    status = param.String(
        default="", constant=True, doc="Outcome: running, completed, completed_with_failures, …"
    )
    n_events = param.Integer(default=0, constant=True, doc="Events read so far.")

    def __init__(self, run_dir: str | Path = "", **params) -> None:
        super().__init__(run_dir=str(run_dir), **params)
        self._stages = pn.pane.HTML("", sizing_mode="stretch_width", name="stages")
        self._cards = pn.pane.HTML("", sizing_mode="stretch_width", name="cards")
        self._banner = pn.pane.HTML("", sizing_mode="stretch_width", name="banner")
        self._summary = pn.pane.HTML("", sizing_mode="stretch_width")
        self._failures = pn.pane.HTML("", sizing_mode="stretch_width", max_height=300)
        self._hints = pn.pane.HTML("", sizing_mode="stretch_width", name="hints")
        self._layout = pn.Column(sizing_mode="stretch_width")
        self._callback = None
        self._meta_mtime: float | None = None
        self._meta: dict | None = None
        self._quiet = 0
        self._reset()

    def __panel__(self) -> pn.Column:
        return self._layout

    @param.depends("run_dir", watch=True)
    def _reset(self) -> None:
        """Start over on a new run directory: fresh totals, fresh charts, polling restarted."""
        self._stop()
        self._fold = RunFold()
        self._charts = RunCharts(rollover=self.rollover)
        self._meta_mtime = None
        self._meta = None
        self._quiet = 0
        with param.edit_constant(self):
            self.status = ""
            self.n_events = 0
        self._failures.object = ""
        self._stages.object = ""
        self._summary.object = ""
        self._cards.object = ""
        self._banner.object = ""
        self._hints.object = ""
        self._layout.objects = [
            self._summary,
            self._cards,
            self._banner,
            self._stages,
            pn.Row(
                pn.pane.Bokeh(self._charts.throughput, sizing_mode="stretch_width"),
                pn.pane.Bokeh(self._charts.tokens, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            pn.Row(
                pn.pane.Bokeh(self._charts.timeline, sizing_mode="stretch_width"),
                pn.pane.Bokeh(self._charts.cache, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            pn.Row(
                pn.pane.Bokeh(self._charts.utilisation, sizing_mode="stretch_width"),
                pn.pane.Bokeh(self._charts.memory, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            pn.pane.Markdown("#### Bottleneck hints"),
            self._hints,
            pn.pane.Markdown("#### Failed items"),
            self._failures,
        ]
        if self.run_dir:
            self.poll()
            if self.live and not self.finished:
                self._callback = pn.state.add_periodic_callback(self.poll, period=self.interval_ms)

    def show_starting(self) -> None:
        """What a Run press shows before its run directory exists: the starting badge and bar."""
        self._stop()
        for pane in (self._cards, self._banner, self._hints, self._failures):
            pane.object = ""
        self._summary.object = f"<b>New run</b> {badge_html('waiting')}"
        self._stages.object = stages_html([])

    @property
    def finished(self) -> bool:
        return self.status not in ("", "waiting", "running")

    @property
    def fold(self) -> RunFold:
        return self._fold

    @property
    def charts(self) -> RunCharts:
        return self._charts

    def poll(self) -> Update:
        """Read the events added since the last poll (one page of them, so a monitor opened on a
        long log catches up page by page in bounded memory) and show what they change."""
        view = RunView(self.run_dir)
        update = self._fold.feed(view.events(after=self._fold.last_id, limit=PAGE_EVENTS))
        self._charts.apply(update)
        meta = self._read_meta(view)
        outcome = self._outcome(meta, new_events=update.last_id > self.n_events)
        with param.edit_constant(self):
            self.status = outcome.outcome
            self.n_events = self._fold.last_id
        now = None if self.finished else time.time()
        stages = self._fold.stage_status(now)
        self._stages.object = stages_html(stages)
        if update.stages_changed or not self.finished:
            self._charts.set_stages(stages)
        self._summary.object = self._summary_html(meta)
        self._cards.object = cards_html(self._fold, outcome, now)
        self._banner.object = banner_html(self._fold, outcome)
        if update.telemetry or update.stages_changed or update.throughput:
            self._hints.object = hints_html(self._fold)
        if update.failures:
            self._failures.object = self._failures_html()
        if self.finished:
            self._stop()
        return update

    def _outcome(self, meta: dict | None, new_events: bool) -> RunOutcome:
        """The run's outcome; finished only once the log's end is read (its RunFinished event),
        or, for a log that has none, after a few quiet polls once run.json says finished."""
        outcome = run_outcome(self._fold, meta)
        if self._fold.status is not None or not outcome.finished:
            return outcome
        self._quiet = 0 if new_events else self._quiet + 1
        if self._quiet >= _QUIET_POLLS:
            return outcome
        return run_outcome(self._fold, None if self._fold.last_id else meta)

    def _read_meta(self, view: RunView) -> dict | None:
        """run.json, re-read only when it changed on disk."""
        try:
            mtime = view.layout.run_json.stat().st_mtime
        except FileNotFoundError:
            return self._meta
        if mtime != self._meta_mtime:
            meta = view.info
            if meta is not None:
                self._meta, self._meta_mtime = meta, mtime
        return self._meta

    def _summary_html(self, meta: dict | None) -> str:
        parts = [
            f"<b>Run</b> <code>{html.escape(self.run_dir)}</code> "
            f"{badge_html(self.status or 'waiting')} {self._fold.last_id} events"
        ]
        rates = ", ".join(
            f"{html.escape(c.stage)} {100 * c.hit_rate:.0f}% ({c.hits} hits / {c.misses} misses)"
            for c in self._fold.cache.values()
        )
        if self._fold.attempts:
            parts.append(attempts_html(self._fold))
        if rates:
            parts.append(f"<b>Cache hit rate</b>: <span class='hit-rate'>{rates}</span>")
        dashboard = (meta or {}).get("dashboard")
        if dashboard and str(dashboard).startswith(("http://", "https://")):
            url = html.escape(str(dashboard), quote=True)
            parts.append(f"<b>Dask dashboard</b>: <a href='{url}' target='_blank'>{url}</a>")
        if untrained_weights(meta):
            parts.append(
                "<span class='untrained-note' style='color:#a05a00'><b>Embeddings use untrained "
                "(random) ESM-2 weights: they test the pipeline but carry no biology.</b></span>"
            )
        return "<br>".join(parts)

    def _failures_html(self) -> str:
        shown = self._fold.failures[-_MAX_FAILURES_SHOWN:]
        rows = "".join(
            f"<tr><td>{html.escape(f.stage)}</td><td>{html.escape(f.source)}</td>"
            f"<td>{html.escape(f.reason)}</td></tr>"
            for f in shown
        )
        more = len(self._fold.failures) - len(shown)
        note = f"<p>{more} earlier failures not shown (see the report).</p>" if more else ""
        return (
            f"{note}<table class='failures'><tr><th>stage</th><th>source</th><th>reason</th></tr>"
            f"{rows}</table>"
        )

    def _stop(self) -> None:
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
