"""The fold of a run's telemetry: per resource and per stage, what the hardware was doing.

:class:`ResourceFold` keeps every sampled value (one per second per resource, cheap) so that
means, 95th percentiles and busy shares can be read at any time, per stage and over the whole
run (stage ``"run"``). It also sums each device's busy time from its finished batches, which
tells idle gaps between batches apart from a slow device, simulated devices included.
A sample belongs to the stage open when it is fed (stages run one after another).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.record.events import (
    BatchDone,
    DeviceSample,
    Event,
    HostSample,
    StageFinished,
    StageStarted,
)

__all__ = [
    "BUSY_PERCENT",
    "HOST_CPU",
    "IOWAIT",
    "PROCESS_CPU",
    "RUN",
    "WORKERS",
    "DeviceWork",
    "ResourceFold",
    "ResourceRow",
    "memory_owner",
    "resource_name",
]

BUSY_PERCENT = 10.0  # a sample at or above this utilisation counts as busy
RUN = "run"  # the stage name of whole-run rows
HOST_CPU, IOWAIT, PROCESS_CPU = "host cpu", "iowait", "process cpu"
WORKERS = "workers"  # a cluster host's Dask worker processes, as PROCESS_CPU is the run's
_ON_A_HOST = {HOST_CPU: "cpu", PROCESS_CPU: WORKERS}  # "node7 cpu", "node7 workers"


def resource_name(resource: str, event: HostSample | DeviceSample) -> str:
    """The run's own host keeps the plain names; a cluster host's carry its name first."""
    if not event.workers:
        return resource
    return f"{event.host} {_ON_A_HOST.get(resource, resource)}"


def memory_owner(resource: str) -> str:
    """Whose memory a utilisation line carries: the run's processes on the run's host CPU, a
    cluster host's workers on its CPU, else the device itself."""
    if resource == HOST_CPU:
        return "run processes"
    cpu = f" {_ON_A_HOST[HOST_CPU]}"
    if resource.endswith(cpu):
        return f"{resource.removesuffix(cpu)} {WORKERS}"
    return resource


@dataclass(frozen=True, slots=True)
class ResourceRow:
    """One resource over one stage: utilisation statistics and its memory peak."""

    resource: str  # "host cpu", "iowait", "process cpu" (100 % = one core), or a device name
    stage: str  # a stage, or "run" for the whole run
    samples: int
    mean: float  # percent
    p95: float  # percent
    busy_share: float  # share of samples at or above BUSY_PERCENT (of all cores, for processes)
    peak_mem: int | None = None  # bytes (process tree RSS, or device memory used)
    mem_total: int | None = None  # bytes; device memory only


@dataclass(slots=True)
class DeviceWork:
    """A device's finished batches in one stage: busy seconds, their span, tokens done."""

    batches: int = 0
    busy: float = 0.0  # s the device spent on batches
    first_start: float = float("inf")  # unix s the first batch began
    last_end: float = float("-inf")  # unix s the last batch finished
    tokens: int = 0

    @property
    def span(self) -> float:
        """Seconds from its first batch's start to its last batch's end: work was queued."""
        return max(0.0, self.last_end - self.first_start)

    @property
    def idle_share(self) -> float:
        """Share of the span spent between batches (0 with one batch)."""
        return 0.0 if self.span <= 0 else max(0.0, 1.0 - self.busy / self.span)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.busy if self.busy > 0 else 0.0


@dataclass(slots=True)
class _Series:
    values: list[float] = field(default_factory=list)
    peak_mem: int | None = None
    mem_total: int | None = None

    def add(self, value: float, mem: int | None = None, total: int | None = None) -> None:
        self.values.append(value)
        if mem is not None:
            self.peak_mem = mem if self.peak_mem is None else max(self.peak_mem, mem)
        if total is not None:
            self.mem_total = total


@dataclass
class ResourceFold:
    """Telemetry and batch timings folded per resource and stage; ``add`` takes one event."""

    cores: int | None = None  # from the latest HostSample of the run's own host
    host_cores: dict[str, int] = field(default_factory=dict)  # cluster hosts, in sampling order
    stage: str | None = None  # the stage open now
    stage_order: list[str] = field(default_factory=list)
    series: dict[tuple[str, str], _Series] = field(default_factory=dict)
    work: dict[tuple[str, str], DeviceWork] = field(default_factory=dict)  # (stage, device)
    device_names: dict[str, None] = field(default_factory=dict)  # sampled devices, in order

    def add(self, event: Event) -> None:
        if isinstance(event, StageStarted):
            self.stage = event.stage
            if event.stage not in self.stage_order:
                self.stage_order.append(event.stage)
        elif isinstance(event, StageFinished):
            if self.stage == event.stage:
                self.stage = None
        elif isinstance(event, HostSample):
            if event.workers:
                self.host_cores[event.host] = event.cores
            else:
                self.cores = event.cores
            self._add(resource_name(HOST_CPU, event), event.cpu_percent)
            self._add(resource_name(IOWAIT, event), event.iowait_percent)
            name = resource_name(PROCESS_CPU, event)
            self._add(name, event.proc_cpu_percent, mem=event.proc_rss)
        elif isinstance(event, DeviceSample):
            name = resource_name(event.device, event)
            self.device_names.setdefault(name)
            self._add(name, event.util_percent, mem=event.mem_used, total=event.mem_total)
        elif isinstance(event, BatchDone):
            work = self.work.setdefault((event.stage, event.device), DeviceWork())
            work.batches += 1
            work.busy += event.seconds
            work.tokens += event.tokens
            work.first_start = min(work.first_start, event.t - event.seconds)
            work.last_end = max(work.last_end, event.t)

    def _add(
        self,
        resource: str,
        value: float,
        mem: int | None = None,
        total: int | None = None,
    ) -> None:
        stages = (RUN,) if self.stage is None else (RUN, self.stage)
        for stage in stages:
            self.series.setdefault((resource, stage), _Series()).add(value, mem, total)

    def row(self, resource: str, stage: str = RUN) -> ResourceRow | None:
        """The statistics of one resource over one stage; None without samples."""
        series = self.series.get((resource, stage))
        if series is None or not series.values:
            return None
        values = np.asarray(series.values, dtype=float)
        threshold = BUSY_PERCENT * (self.cores or 1) if resource == PROCESS_CPU else BUSY_PERCENT
        return ResourceRow(
            resource,
            stage,
            len(values),
            float(values.mean()),
            float(np.percentile(values, 95)),
            float((values >= threshold).mean()),
            series.peak_mem,
            series.mem_total,
        )

    def rows(self) -> list[ResourceRow]:
        """Every resource over the whole run, then per stage in the order stages started."""
        resources = list(dict.fromkeys(resource for resource, _ in self.series))
        out = []
        for stage in (RUN, *self.stage_order):
            for resource in resources:
                row = self.row(resource, stage)
                if row is not None:
                    out.append(row)
        return out

    def devices(self) -> list[str]:
        """CUDA devices that were sampled."""
        return list(self.device_names)
