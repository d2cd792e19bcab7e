"""The one fold of a run's events into stage, device and cache state; it draws nothing.

The terminal bars, the app's monitor, the notebook widgets and the report all feed the same
events through :class:`RunFold` (the pattern of dask's ``diagnostics/progress.py``: a record,
several views). It keeps running totals (and, in :class:`ResourceFold`, the telemetry values for
their percentiles), so feeding the log in id-ordered batches costs time proportional to the new
events, never to the whole log. Times are seconds since the run
started (the ``RunStarted`` event, else the first event seen).

A resumed run appends to the same log: each ``RunStarted`` opens a new attempt (its own run id),
the earlier ones are kept as :class:`Attempt` records, and the totals are those of the latest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.record.events import (
    BatchDone,
    CacheStats,
    DeviceSample,
    Event,
    HostSample,
    ItemFailed,
    ItemWarning,
    RunFinished,
    RunStarted,
    RunStatus,
    StageFinished,
    StageProgress,
    StageStarted,
)
from workbench.record.resources import HOST_CPU, IOWAIT, ResourceFold, resource_name

__all__ = [
    "Attempt",
    "CachePoint",
    "Failure",
    "Note",
    "RunFold",
    "StageStatus",
    "TelemetryPoint",
    "ThroughputPoint",
    "Update",
    "device_label",
    "eta_seconds",
]


@dataclass(frozen=True, slots=True)
class Attempt:
    """An earlier attempt of a resumed run: how far it got and how it ended."""

    run_id: str
    started: float  # unix s
    ended: float  # unix s, its last event
    status: RunStatus | None  # None: it never finished (killed)
    stage: str | None  # the last stage it started
    done: int  # items prep finished

    @property
    def interrupted(self) -> bool:
        return self.status is None or self.status in ("cancelled", "crashed")


@dataclass(frozen=True, slots=True)
class ThroughputPoint:
    """One finished batch: the device's rate over it and its cumulative tokens."""

    device: str
    t: float  # s since run start, when the batch finished
    tokens_per_s: float
    tokens_total: int


@dataclass(frozen=True, slots=True)
class TelemetryPoint:
    """One telemetry sample of one resource, as the monitor charts it."""

    resource: str  # "host cpu", "iowait" or a device name
    t: float  # s since run start
    percent: float  # utilisation (iowait: share of CPU time waiting)
    memory: float | None = None  # GiB in use: the process tree's RSS on "host cpu", a device's


@dataclass(frozen=True, slots=True)
class CachePoint:
    """Cumulative cache lookups of one stage after one CacheStats event."""

    stage: str
    t: float  # s since run start
    hits: int
    misses: int
    corrupt: int

    @property
    def hit_rate(self) -> float:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


@dataclass(frozen=True, slots=True)
class Failure:
    """An item that failed a stage, with the engine's reason (raw text: escape before display)."""

    stage: str
    item_id: str
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Note:
    """A warning about an item (raw text: escape before display)."""

    stage: str
    item_id: str
    message: str


@dataclass(frozen=True, slots=True)
class StageStatus:
    """Progress of one stage as of ``now``."""

    stage: str
    done: int
    total: int | None
    failed: int
    running: bool
    seconds: float  # elapsed while running, the stage's own time when finished
    eta: float | None  # s left, None when unknown or finished
    start: float | None = None  # s since the run's first event, None before it started

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return 1.0 if not self.running else None
        return min(1.0, self.done / self.total)


@dataclass(frozen=True, slots=True)
class Update:
    """What one batch of events added: new chart points and failures, and the last event id."""

    last_id: int
    throughput: tuple[ThroughputPoint, ...] = ()
    cache: tuple[CachePoint, ...] = ()
    failures: tuple[Failure, ...] = ()
    warnings: int = 0
    stages_changed: bool = False
    telemetry: tuple[TelemetryPoint, ...] = ()
    new_attempt: bool = False  # a resumed run's new attempt began: the points start again


@dataclass(slots=True)
class _Stage:
    done: int = 0
    total: int | None = None
    failed: int = 0
    started: float | None = None  # unix s
    finished: float | None = None  # unix s
    seconds: float | None = None  # the stage's own timing from StageFinished


def eta_seconds(done: int, total: int | None, elapsed: float) -> float | None:
    """Seconds left at the stage's mean rate so far; None until a rate is known."""
    if total is None or done <= 0 or elapsed <= 0:
        return None
    return max(0.0, (total - done) * elapsed / done)


def device_label(stage: str, device: str) -> str:
    """Chart key of a device: embedding devices by name, other stages' workers prefixed."""
    return device if stage == "embed" else f"{stage}/{device}"


@dataclass
class RunFold:
    """Running totals of a run's events; ``feed`` returns what a batch added."""

    last_id: int = 0
    t0: float | None = None
    last_t: float | None = None
    status: RunStatus | None = None  # from RunFinished; None while running
    stages: dict[str, _Stage] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)  # device label -> tokens done
    cache: dict[str, CachePoint] = field(default_factory=dict)  # stage -> latest cumulative
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    config: dict | None = None  # the RunStarted configuration
    resources: ResourceFold = field(default_factory=ResourceFold)  # telemetry and device work
    run_id: str | None = None  # the latest attempt's, from its RunStarted
    attempts: list[Attempt] = field(default_factory=list)  # earlier attempts, oldest first

    @property
    def attempt(self) -> int:
        """The latest attempt's number, 1 for a run never resumed."""
        return len(self.attempts) + 1

    def feed(self, batch: Iterable[tuple[int, Event]]) -> Update:
        """Fold id-ordered events in; events with ids already seen are ignored."""
        throughput: list[ThroughputPoint] = []
        cache: list[CachePoint] = []
        failures: list[Failure] = []
        warnings = 0
        stages_changed = False
        telemetry: list[TelemetryPoint] = []
        new_attempt = False
        for event_id, event in batch:
            if event_id <= self.last_id:
                continue
            self.last_id = event_id
            if isinstance(event, RunStarted):
                if self.run_id is not None:
                    self._new_attempt()
                    throughput, cache, failures, warnings = [], [], [], 0
                    stages_changed = new_attempt = True
                self.run_id = event.run_id
            if self.t0 is None or isinstance(event, RunStarted):
                self.t0 = event.t if self.t0 is None else min(self.t0, event.t)
            self.last_t = event.t
            rel = event.t - self.t0
            self.resources.add(event)
            if isinstance(event, RunStarted):
                self.config = event.config
            if isinstance(event, BatchDone):
                throughput.append(self._batch(event, rel))
            elif isinstance(event, CacheStats):
                cache.append(self._cache(event, rel))
            elif isinstance(event, ItemFailed):
                failure = Failure(event.stage, event.item_id, event.source, event.reason)
                self.failures.append(failure)
                failures.append(failure)
                self._stage(event.stage).failed += 1
                stages_changed = True
            elif isinstance(event, ItemWarning):
                self.warnings.append(Note(event.stage, event.item_id, event.message))
                warnings += 1
            elif isinstance(event, StageStarted | StageProgress | StageFinished):
                self._progress(event)
                stages_changed = True
            elif isinstance(event, RunFinished):
                self.status = event.status
                stages_changed = True
            elif isinstance(event, HostSample):
                rss = event.proc_rss / 2**30
                host_cpu = resource_name(HOST_CPU, event)
                telemetry.append(TelemetryPoint(host_cpu, rel, event.cpu_percent, rss))
                iowait = resource_name(IOWAIT, event)
                telemetry.append(TelemetryPoint(iowait, rel, event.iowait_percent))
            elif isinstance(event, DeviceSample):
                used = event.mem_used / 2**30
                name = resource_name(event.device, event)
                telemetry.append(TelemetryPoint(name, rel, event.util_percent, used))
        return Update(
            self.last_id,
            tuple(throughput),
            tuple(cache),
            tuple(failures),
            warnings,
            stages_changed,
            tuple(telemetry),
            new_attempt,
        )

    def stage_status(self, now: float | None = None) -> list[StageStatus]:
        """Per-stage progress in start order; ``now`` in unix s (default: the last event)."""
        now = self.last_t if now is None else now
        out = []
        for name, st in self.stages.items():
            running = st.finished is None and self.status is None
            if st.seconds is not None:
                elapsed = st.seconds
            elif st.started is not None and now is not None:
                end = st.finished if st.finished is not None else now
                elapsed = max(0.0, end - st.started)
            else:
                elapsed = 0.0
            eta = eta_seconds(st.done, st.total, elapsed) if running else None
            start = None if st.started is None or self.t0 is None else st.started - self.t0
            out.append(
                StageStatus(name, st.done, st.total, st.failed, running, elapsed, eta, start)
            )
        return out

    def _new_attempt(self) -> None:
        """Close the attempt folded so far and start the totals again."""
        prep = self.stages.get("prep")
        last = next((n for n, st in reversed(self.stages.items()) if st.started is not None), None)
        self.attempts.append(
            Attempt(
                run_id=self.run_id or "",
                started=self.t0 or 0.0,
                ended=self.last_t or 0.0,
                status=self.status,
                stage=last,
                done=prep.done if prep else 0,
            )
        )
        self.t0 = None
        self.status = None
        self.stages = {}
        self.tokens = {}
        self.cache = {}
        self.failures = []
        self.warnings = []

    def _stage(self, name: str) -> _Stage:
        return self.stages.setdefault(name, _Stage())

    def _batch(self, event: BatchDone, rel: float) -> ThroughputPoint:
        label = device_label(event.stage, event.device)
        total = self.tokens.get(label, 0) + event.tokens
        self.tokens[label] = total
        rate = event.tokens / event.seconds if event.seconds > 0 else 0.0
        return ThroughputPoint(label, rel, rate, total)

    def _cache(self, event: CacheStats, rel: float) -> CachePoint:
        prev = self.cache.get(event.stage)
        point = CachePoint(
            event.stage,
            rel,
            (prev.hits if prev else 0) + event.hits,
            (prev.misses if prev else 0) + event.misses,
            (prev.corrupt if prev else 0) + event.corrupt,
        )
        self.cache[event.stage] = point
        return point

    def _progress(self, event: StageStarted | StageProgress | StageFinished) -> None:
        st = self._stage(event.stage)
        if isinstance(event, StageStarted):
            st.started = event.t
            st.total = event.total
        elif isinstance(event, StageProgress):
            st.done = event.done
            if event.total is not None:
                st.total = event.total
            if st.started is None:
                st.started = event.t
        else:
            st.done = event.done
            st.failed = max(st.failed, event.failed)
            st.finished = event.t
            st.seconds = event.seconds
