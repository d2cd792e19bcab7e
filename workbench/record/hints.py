"""Bottleneck hints: what a slow run's telemetry says, each with the numbers behind it.

Read from a fed :class:`~workbench.record.fold.RunFold` (its ``resources`` and the run's
configuration), for the CLI summary, the app and the report alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from workbench.record.fold import RunFold
from workbench.record.resources import IOWAIT, PROCESS_CPU, RUN, WORKERS, ResourceFold

__all__ = ["Hint", "HintKind", "bottleneck_hints"]

HintKind = Literal["data-starved", "storage-bound", "prep-cpu", "memory-limit", "slow-device"]

IDLE_SHARE = 0.10  # a device idle more than this share of its busy span is waiting for data
IOWAIT_P95 = 10.0  # percent
PREP_CORE_SHARE = 0.75  # prep using less than this share of the cores leaves CPU unused
MEMORY_MARGIN = 0.05  # a memory peak within this share of the total is at the limit
SLOW_RATIO = 1.5  # fastest over slowest device rate: "much slower"
MIN_SAMPLES = 3  # fewer samples than this say nothing about a stage
PREP_MIN_SAMPLES = 10  # a shorter prep is mostly its pool's start-up (a second or two)
DEVICE_STAGES = ("embed", "score")  # stages whose batches run on a pool of devices
FEEDERS = {
    "embed": "embed's batch loader (tokenising and cache reads ahead of the device)",
    "score": "score's graph loader",
}


@dataclass(frozen=True, slots=True)
class Hint:
    """One bottleneck: its kind, a sentence for people, and the numbers it rests on."""

    kind: HintKind
    message: str
    numbers: dict[str, float] = field(default_factory=dict)


def _data_starved(resources: ResourceFold) -> list[Hint]:
    out = []
    for (stage, device), work in resources.work.items():
        if stage not in DEVICE_STAGES or work.batches < 2 or work.idle_share <= IDLE_SHARE:
            continue
        idle = work.span - work.busy
        out.append(
            Hint(
                "data-starved",
                f"{device} sat idle {100 * work.idle_share:.0f} % ({idle:.1f} of {work.span:.1f} s)"
                f" between its {stage} batches while work was queued: data-starved; it is fed by "
                f"{FEEDERS.get(stage, stage)}; raise --prefetch or give that loader more cores",
                {"idle_share": work.idle_share, "idle_s": idle, "span_s": work.span},
            )
        )
    return out


def _storage_bound(resources: ResourceFold) -> list[Hint]:
    """The run's host, then each cluster host whose iowait says its disk or network filesystem
    holds the work up."""
    out = []
    for host in (None, *resources.host_cores):
        resource = IOWAIT if host is None else f"{host} {IOWAIT}"
        whole = resources.row(resource, RUN)
        if whole is None or whole.samples < MIN_SAMPLES or whole.p95 < IOWAIT_P95:
            continue
        stages = [r for r in (resources.row(resource, s) for s in resources.stage_order) if r]
        worst = max(stages, key=lambda r: r.p95, default=whole)
        where = f", worst in {worst.stage} (p95 {worst.p95:.0f} %)" if worst is not whole else ""
        on = "" if host is None else f" on cluster host {host}"
        out.append(
            Hint(
                "storage-bound",
                f"iowait p95 {whole.p95:.0f} % (mean {whole.mean:.0f} %){on}{where}: "
                "storage-bound; stage the inputs on a local disk or raise the prefetch",
                {"iowait_p95": whole.p95, "iowait_mean": whole.mean},
            )
        )
    return out


def _prep_cpu(resources: ResourceFold, workers: int | None) -> list[Hint]:
    """Prep's CPU against the cores it could use: the run's process tree, or, when prep ran on
    a cluster's workers, their processes on every sampled host."""
    on_cluster = {
        host: (row, cores)
        for host, cores in resources.host_cores.items()
        if (row := resources.row(f"{host} {WORKERS}", "prep")) and row.samples >= PREP_MIN_SAMPLES
    }
    if on_cluster:
        return _cluster_prep_cpu(on_cluster)
    prep = resources.row(PROCESS_CPU, "prep")
    cores = resources.cores
    if prep is None or cores is None or prep.samples < PREP_MIN_SAMPLES:
        return []
    used = prep.mean / 100.0
    if used >= PREP_CORE_SHARE * cores:
        return []
    if workers is not None and workers < cores:
        advice = f"with {workers} prep worker(s): too few workers; raise --workers towards {cores}"
    else:
        advice = "with a worker per core: prep waits on something else (reading inputs?)"
    return [
        Hint(
            "prep-cpu",
            f"prep used {used:.1f} of {cores} cores on average (process CPU mean "
            f"{prep.mean:.0f} %, p95 {prep.p95:.0f} %) {advice}",
            {"cores_used": used, "cores": float(cores), "workers": float(workers or 0)},
        )
    ]


def _cluster_prep_cpu(on_cluster: dict) -> list[Hint]:
    used = sum(row.mean for row, _ in on_cluster.values()) / 100.0
    cores = sum(cores for _, cores in on_cluster.values())
    if used >= PREP_CORE_SHARE * cores:
        return []
    hosts = ", ".join(f"{host} {row.mean / 100.0:.1f}/{n}" for host, (row, n) in on_cluster.items())
    return [
        Hint(
            "prep-cpu",
            f"prep used {used:.1f} of the cluster's {cores} cores on average ({hosts}): "
            "too few Dask worker threads for the cores (dask worker --nworkers/--nthreads), "
            "or the workers wait on the shared filesystem (see their iowait)",
            {"cores_used": used, "cores": float(cores), "hosts": float(len(on_cluster))},
        )
    ]


def _memory_limit(resources: ResourceFold) -> list[Hint]:
    out = []
    for device in resources.devices():
        row = resources.row(device, RUN)
        if row is None or not row.peak_mem or not row.mem_total:
            continue
        share = row.peak_mem / row.mem_total
        if share >= 1.0 - MEMORY_MARGIN:
            out.append(
                Hint(
                    "memory-limit",
                    f"{device} memory peaked at {row.peak_mem / 2**30:.1f} of "
                    f"{row.mem_total / 2**30:.1f} GiB ({100 * share:.0f} %): the budget is at "
                    "the limit; lower --token-budget to avoid out-of-memory splits",
                    {"peak_bytes": float(row.peak_mem), "total_bytes": float(row.mem_total)},
                )
            )
    return out


def _slow_device(resources: ResourceFold) -> list[Hint]:
    out = []
    for stage in dict.fromkeys(s for s, _ in resources.work if s in DEVICE_STAGES):
        rates = {d: w.tokens_per_s for (s, d), w in resources.work.items() if s == stage}
        rates = {d: r for d, r in rates.items() if r > 0}
        if len(rates) < 2:
            continue
        fast, slow = max(rates, key=rates.get), min(rates, key=rates.get)
        ratio = rates[fast] / rates[slow]
        if ratio >= SLOW_RATIO:
            out.append(
                Hint(
                    "slow-device",
                    f"{slow} ran {stage} at {rates[slow]:.0f} tokens/s, {ratio:.1f}× slower than "
                    f"{fast} ({rates[fast]:.0f} tokens/s): the rebalancer is compensating by "
                    "giving it fewer batches",
                    {"ratio": ratio, "slow_tokens_per_s": rates[slow]},
                )
            )
    return out


def bottleneck_hints(fold: RunFold) -> list[Hint]:
    """Every bottleneck the run's telemetry and batch timings show, most specific first."""
    resources = fold.resources
    workers = (fold.config or {}).get("workers")
    return [
        *_data_starved(resources),
        *_storage_bound(resources),
        *_prep_cpu(resources, workers if isinstance(workers, int) else None),
        *_memory_limit(resources),
        *_slow_device(resources),
    ]
