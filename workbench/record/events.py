"""Typed run events: the one truth about a run, read by the CLI, the app and the report.

Every event is a small slotted dataclass; ``to_dict``/``from_dict`` round-trip it through JSON
with the class name as ``kind`` so a log can be dumped and rebuilt.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "BatchDone",
    "CacheStats",
    "DeviceSample",
    "Event",
    "HostSample",
    "ItemDone",
    "ItemFailed",
    "ItemStatus",
    "ItemWarning",
    "RunFinished",
    "RunStarted",
    "RunStatus",
    "StageFinished",
    "StageProgress",
    "StageStarted",
    "event_from_dict",
]


RunStatus = Literal[
    "running", "completed", "completed_with_failures", "failed", "cancelled", "crashed"
]
ItemStatus = Literal["done", "failed"]


@dataclass(slots=True, kw_only=True)
class Event:
    """Base of all events: the run it belongs to and when it happened (unix seconds)."""

    run_id: str
    t: float = field(default_factory=time.time)

    @property
    def kind(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


def _registry() -> dict[str, type[Event]]:
    """Event classes by name (slotted dataclasses cannot register themselves on creation).

    ``dataclass(slots=True)`` replaces each class with a new one; until the garbage collector
    runs, the replaced class is still a subclass of Event, so only the class its module names
    counts.
    """
    found: dict[str, type[Event]] = {}
    stack = list(Event.__subclasses__())
    while stack:
        cls = stack.pop()
        if getattr(sys.modules.get(cls.__module__), cls.__name__, None) is cls:
            found[cls.__name__] = cls
        stack.extend(cls.__subclasses__())
    return found


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from ``Event.to_dict`` output; unknown kinds raise KeyError."""
    data = dict(data)
    cls = _registry()[data.pop("kind")]
    return cls(**data)


@dataclass(slots=True, kw_only=True)
class RunStarted(Event):
    config: dict[str, Any]  # the run configuration as JSON-able values
    n_inputs: int | None = None  # number of input paths given


@dataclass(slots=True, kw_only=True)
class RunFinished(Event):
    status: RunStatus
    n_done: int
    n_failed: int
    seconds: float


@dataclass(slots=True, kw_only=True)
class StageStarted(Event):
    stage: str
    total: int | None = None  # work units the stage will do, when known


@dataclass(slots=True, kw_only=True)
class StageProgress(Event):
    stage: str
    done: int
    total: int | None = None


@dataclass(slots=True, kw_only=True)
class StageFinished(Event):
    stage: str
    done: int
    failed: int
    seconds: float


@dataclass(slots=True, kw_only=True)
class ItemDone(Event):
    stage: str
    item_id: str
    seconds: float
    cached: bool = False


@dataclass(slots=True, kw_only=True)
class ItemFailed(Event):
    stage: str
    item_id: str
    source: str
    reason: str  # names the file, the step and what went wrong


@dataclass(slots=True, kw_only=True)
class ItemWarning(Event):
    stage: str
    item_id: str
    message: str


@dataclass(slots=True, kw_only=True)
class CacheStats(Event):
    """Cache lookups of one stage since the previous CacheStats of that stage."""

    stage: str
    hits: int
    misses: int
    corrupt: int = 0


@dataclass(slots=True, kw_only=True)
class BatchDone(Event):
    """One batch finished on one device (embedding, annotation)."""

    stage: str
    device: str
    items: int
    tokens: int
    seconds: float


@dataclass(slots=True, kw_only=True)
class HostSample(Event):
    """One telemetry sample of the host and of the run's process tree (psutil)."""

    host: str  # hostname
    cores: int  # cores this process may use
    cpu_percent: float  # host CPU, 0-100 over all cores
    iowait_percent: float  # host CPU time waiting on I/O, 0-100 (0 where the OS has none)
    read_bps: float  # disk bytes read per second since the previous sample
    write_bps: float  # disk bytes written per second
    net_bps: float  # network bytes sent and received per second
    proc_cpu_percent: float  # run process and its children, 100 = one core busy
    proc_rss: int  # resident bytes of the run process and its children
    n_procs: int  # processes in the tree
    workers: bool = False  # a cluster host: the tree is its Dask worker processes, not the run's


@dataclass(slots=True, kw_only=True)
class DeviceSample(Event):
    """One telemetry sample of one CUDA device (NVML)."""

    host: str  # hostname; on a cluster host, hostname/worker name
    device: str  # "cuda:<index>", as in ``--devices`` (on a worker: as that worker sees them)
    util_percent: float  # share of the interval a kernel ran, 0-100
    mem_used: int  # bytes
    mem_total: int  # bytes
    power_w: float | None = None  # watts; None where NVML does not report it
    temp_c: float | None = None  # degrees Celsius
    workers: bool = False  # sampled by a Dask worker of a cluster host
