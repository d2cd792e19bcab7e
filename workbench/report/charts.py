"""Bokeh charts of a run (throughput per device, tokens per device, cache lookups per stage, the
stage timeline, utilisation and memory per device and of the host).

Shared by the live monitor, which streams each ``Update`` into named ColumnDataSources
(``throughput:<device>``, ``device-tokens``, ``cache:<stage>``, ``telemetry:<resource>``) with a
rollover cap, and by the
report, which feeds the whole log once. Sources are never rebuilt: streamed, patched, or (the
few rows of ``stage-timeline``) given new data.
"""

from __future__ import annotations

import numpy as np
from bokeh.core.validation import silence
from bokeh.core.validation.warnings import MISSING_RENDERERS
from bokeh.models import (
    AdaptiveTicker,
    ColumnDataSource,
    DataRange1d,
    FactorRange,
    HoverTool,
    Legend,
)
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

from workbench.record.fold import StageStatus, Update
from workbench.record.resources import memory_owner

__all__ = ["RunCharts", "histogram"]

_HEIGHT = 260


def _timeline(title: str, y_label: str, name: str):
    """A time-series figure with its y axis from 0 and its legend beside the plot."""
    fig = figure(
        title=title,
        x_axis_label="s since run start",
        y_axis_label=y_label,
        y_range=DataRange1d(start=0),
        height=_HEIGHT,
        sizing_mode="stretch_width",
        name=name,
    )
    fig.add_layout(Legend(click_policy="hide"), "right")
    return fig


def histogram(values: np.ndarray, title: str, name: str, x_label: str, bins=None):
    """Counts of ``values`` with whole-number count ticks; ``bins`` as numpy takes them (by
    default one per distinct value, at most 30)."""
    fig = figure(
        title=title, height=220, width=420, name=name, y_axis_label="count", x_axis_label=x_label
    )
    fig.yaxis.ticker = AdaptiveTicker(min_interval=1)
    if len(values):
        if bins is None:
            bins = min(30, max(1, len(set(values.tolist()))))
        counts, edges = np.histogram(values, bins=bins)
        fig.quad(top=counts, bottom=0, left=edges[:-1], right=edges[1:], alpha=0.7)
    return fig


# The figures start empty and gain a line per device or stage as events arrive.
silence(MISSING_RENDERERS, True)


class RunCharts:
    """Three Bokeh figures and their named sources, grown in place by ``apply``."""

    def __init__(self, rollover: int | None = 2000) -> None:
        self.rollover = rollover
        self.throughput = _timeline(
            "Throughput per device (tokens/s)", "tokens/s", "throughput-figure"
        )
        self.throughput.add_tools(HoverTool(tooltips=[("device", "$name"), ("tokens/s", "@y")]))
        self.tokens_source = ColumnDataSource({"device": [], "tokens": []}, name="device-tokens")
        self.tokens = figure(
            title="Tokens done per device",
            x_range=FactorRange(),
            y_axis_label="tokens",
            y_range=DataRange1d(start=0),
            height=_HEIGHT,
            sizing_mode="stretch_width",
            name="tokens-figure",
        )
        self.tokens.vbar(x="device", top="tokens", width=0.7, source=self.tokens_source)
        self.cache = _timeline(
            "Cache lookups per stage (solid: hits, dashed: misses)", "lookups", "cache-figure"
        )
        self.stages_source = ColumnDataSource(
            {"stage": [], "start": [], "end": [], "color": [], "label": []}, name="stage-timeline"
        )
        self.timeline = figure(
            title="Stage timeline",
            y_range=FactorRange(),
            x_range=DataRange1d(start=0),
            x_axis_label="s since run start",
            height=60 + 36 * 5,
            sizing_mode="stretch_width",
            name="timeline-figure",
            tools="hover,save",
            tooltips=[("stage", "@stage"), ("time", "@label")],
        )
        self.timeline.hbar(
            y="stage",
            left="start",
            right="end",
            height=0.6,
            color="color",
            source=self.stages_source,
        )
        self.timeline.text(
            x="start",
            y="stage",
            text="label",
            source=self.stages_source,
            x_offset=4,
            text_baseline="middle",
            text_font_size="11px",
            text_color="#222",
        )
        self.utilisation = _timeline(
            "Utilisation (host CPU, iowait, devices)", "%", "utilisation-figure"
        )
        self.memory = _timeline("Memory in use (run processes, devices)", "GiB", "memory-figure")
        self.device_sources: dict[str, ColumnDataSource] = {}
        self.cache_sources: dict[str, ColumnDataSource] = {}
        self.telemetry_sources: dict[str, ColumnDataSource] = {}

    def apply(self, update: Update) -> None:
        """Stream the update's new points into the sources, adding a line per new device/stage."""
        if update.new_attempt:
            for source in (*self.device_sources.values(), *self.cache_sources.values()):
                source.data = {column: [] for column in source.data}
            self.tokens_source.data = {"device": [], "tokens": []}
        by_device: dict[str, dict[str, list[float]]] = {}
        for p in update.throughput:
            cols = by_device.setdefault(p.device, {"x": [], "y": [], "tokens": []})
            cols["x"].append(p.t)
            cols["y"].append(p.tokens_per_s)
            cols["tokens"].append(p.tokens_total)
        for device, cols in by_device.items():
            self._device_source(device).stream(cols, rollover=self.rollover)
        if by_device:
            self._set_tokens({d: int(c["tokens"][-1]) for d, c in by_device.items()})
        by_stage: dict[str, dict[str, list[float]]] = {}
        for c in update.cache:
            cols = by_stage.setdefault(c.stage, {"x": [], "hits": [], "misses": [], "rate": []})
            cols["x"].append(c.t)
            cols["hits"].append(c.hits)
            cols["misses"].append(c.misses)
            cols["rate"].append(c.hit_rate)
        for stage, cols in by_stage.items():
            self._cache_source(stage).stream(cols, rollover=self.rollover)
        by_resource: dict[str, dict[str, list[float]]] = {}
        with_memory: set[str] = set()
        for s in update.telemetry:
            cols = by_resource.setdefault(s.resource, {"x": [], "percent": [], "memory": []})
            cols["x"].append(s.t)
            cols["percent"].append(s.percent)
            cols["memory"].append(float("nan") if s.memory is None else s.memory)
            if s.memory is not None:
                with_memory.add(s.resource)
        for resource, cols in by_resource.items():
            source = self._telemetry_source(resource, resource in with_memory)
            source.stream(cols, rollover=self.rollover)

    def set_stages(self, stages: list[StageStatus]) -> None:
        """One bar per started stage, from its start for its time (a running one up to now)."""
        rows = [s for s in stages if s.start is not None]
        self.stages_source.data = {
            "stage": [s.stage for s in rows],
            "start": [s.start for s in rows],
            "end": [s.start + max(s.seconds, 1e-3) for s in rows],
            "color": ["#0d6efd" if s.running else "#198754" for s in rows],
            "label": [f"{s.seconds:.1f} s" + (" …" if s.running else "") for s in rows],
        }
        self.timeline.y_range.factors = [s.stage for s in reversed(rows)]

    def _color(self, index: int) -> str:
        return Category10_10[index % len(Category10_10)]

    def _device_source(self, device: str) -> ColumnDataSource:
        source = self.device_sources.get(device)
        if source is None:
            source = ColumnDataSource({"x": [], "y": [], "tokens": []}, name=f"throughput:{device}")
            color = self._color(len(self.device_sources))
            self.throughput.line(
                "x", "y", source=source, color=color, legend_label=device, name=device
            )
            self.throughput.scatter("x", "y", source=source, color=color, size=4, name=device)
            self.device_sources[device] = source
        return source

    def _set_tokens(self, latest: dict[str, int]) -> None:
        devices = list(self.tokens_source.data["device"])
        patches = []
        new = {"device": [], "tokens": []}
        for device, tokens in latest.items():
            if device in devices:
                patches.append((devices.index(device), tokens))
            else:
                new["device"].append(device)
                new["tokens"].append(tokens)
        if patches:
            self.tokens_source.patch({"tokens": patches})
        if new["device"]:
            self.tokens_source.stream(new)
            self.tokens.x_range.factors = [*devices, *new["device"]]

    def _cache_source(self, stage: str) -> ColumnDataSource:
        source = self.cache_sources.get(stage)
        if source is None:
            source = ColumnDataSource(
                {"x": [], "hits": [], "misses": [], "rate": []}, name=f"cache:{stage}"
            )
            color = self._color(len(self.cache_sources))
            self.cache.line("x", "hits", source=source, color=color, legend_label=f"{stage} hits")
            self.cache.scatter("x", "hits", source=source, color=color, size=5)
            self.cache.scatter("x", "misses", source=source, color=color, size=5, marker="x")
            self.cache.line(
                "x",
                "misses",
                source=source,
                color=color,
                line_dash="dashed",
                legend_label=f"{stage} misses",
            )
            self.cache_sources[stage] = source
        return source

    def _telemetry_source(self, resource: str, has_memory: bool) -> ColumnDataSource:
        source = self.telemetry_sources.get(resource)
        if source is None:
            source = ColumnDataSource(
                {"x": [], "percent": [], "memory": []}, name=f"telemetry:{resource}"
            )
            color = self._color(len(self.telemetry_sources))
            self.utilisation.line(
                "x", "percent", source=source, color=color, legend_label=resource, name=resource
            )
            if has_memory:
                label = memory_owner(resource)
                self.memory.line(
                    "x", "memory", source=source, color=color, legend_label=label, name=resource
                )
            self.telemetry_sources[resource] = source
        return source
