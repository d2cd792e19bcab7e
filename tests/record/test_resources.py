"""The telemetry fold: means, 95th percentiles, busy shares and peaks of known sequences."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.record.events import (
    BatchDone,
    DeviceSample,
    HostSample,
    StageFinished,
    StageStarted,
)
from workbench.record.fold import RunFold
from workbench.record.resources import RUN

GIB = 2**30


def host(t: float, cpu: float, iowait: float, proc: float, rss: int, cores: int = 4) -> HostSample:
    return HostSample(
        run_id="r",
        t=t,
        host="h",
        cores=cores,
        cpu_percent=cpu,
        iowait_percent=iowait,
        read_bps=0.0,
        write_bps=0.0,
        net_bps=0.0,
        proc_cpu_percent=proc,
        proc_rss=rss,
        n_procs=1,
    )


def gpu(t: float, device: str, util: float, used: int, total: int = 16 * GIB) -> DeviceSample:
    return DeviceSample(
        run_id="r", t=t, host="h", device=device, util_percent=util, mem_used=used, mem_total=total
    )


def fold_of(events) -> RunFold:
    fold = RunFold()
    fold.feed(enumerate(events, start=1))
    return fold


def test_host_rows_per_stage_and_over_the_run():
    prep_cpu = [10.0, 20.0, 30.0, 40.0]
    embed_cpu = [90.0, 100.0]
    events = [StageStarted(run_id="r", t=0.0, stage="prep")]
    events += [host(1.0 + i, c, 5.0 * i, 100.0 * i, (i + 1) * GIB) for i, c in enumerate(prep_cpu)]
    events += [StageFinished(run_id="r", t=5.0, stage="prep", done=1, failed=0, seconds=5.0)]
    events += [host(5.5, 50.0, 0.0, 0.0, GIB)]  # between stages: the run's rows only
    events += [StageStarted(run_id="r", t=6.0, stage="embed")]
    events += [host(7.0 + i, c, 0.0, 400.0, 8 * GIB) for i, c in enumerate(embed_cpu)]
    resources = fold_of(events).resources

    prep = resources.row("host cpu", "prep")
    assert (prep.samples, prep.mean) == (4, 25.0)
    assert prep.p95 == pytest.approx(np.percentile(prep_cpu, 95))
    assert prep.busy_share == 1.0
    iowait = resources.row("iowait", "prep")
    assert (iowait.mean, iowait.p95) == (7.5, pytest.approx(14.25))
    assert resources.row("host cpu", "embed").mean == 95.0
    whole = resources.row("host cpu", RUN)
    assert whole.samples == 7
    assert whole.mean == pytest.approx(np.mean([*prep_cpu, 50.0, *embed_cpu]))
    # the process tree: 100 % = one core; busy at 10 % of the 4 cores (40 %)
    proc = resources.row("process cpu", "prep")
    assert (proc.mean, proc.busy_share, proc.peak_mem) == (150.0, 0.75, 4 * GIB)
    assert resources.row("process cpu", RUN).peak_mem == 8 * GIB
    assert resources.row("process cpu", "assemble") is None
    assert [r.stage for r in resources.rows()][:3] == [RUN, RUN, RUN]
    assert {r.stage for r in resources.rows()} == {RUN, "prep", "embed"}


def test_device_rows_carry_utilisation_and_memory_peaks():
    events = [StageStarted(run_id="r", t=0.0, stage="embed")]
    utils = {"cuda:0": [0.0, 50.0, 100.0, 90.0], "cuda:1": [5.0, 5.0, 20.0, 5.0]}
    used = {"cuda:0": [1, 6, 15, 7], "cuda:1": [2, 2, 3, 2]}
    for i in range(4):
        for device in utils:
            events.append(gpu(1.0 + i, device, utils[device][i], used[device][i] * GIB))
    resources = fold_of(events).resources
    first = resources.row("cuda:0", "embed")
    assert (first.mean, first.busy_share) == (60.0, 0.75)
    assert (first.peak_mem, first.mem_total) == (15 * GIB, 16 * GIB)
    second = resources.row("cuda:1", RUN)
    assert (second.mean, second.busy_share, second.peak_mem) == (8.75, 0.25, 3 * GIB)
    assert resources.devices() == ["cuda:0", "cuda:1"]


def test_device_work_from_batches_separates_idle_gaps_from_speed():
    # sim:a works 1 s, waits 1 s, four times; sim:b works back to back at half the rate
    events = [StageStarted(run_id="r", t=0.0, stage="embed")]
    for i in range(4):
        events.append(
            BatchDone(
                run_id="r",
                t=10.0 + 2 * i + 1,
                stage="embed",
                device="sim:a",
                items=1,
                tokens=1000,
                seconds=1.0,
            )
        )
        events.append(
            BatchDone(
                run_id="r",
                t=10.0 + 2 * (i + 1),
                stage="embed",
                device="sim:b",
                items=1,
                tokens=1000,
                seconds=2.0,
            )
        )
    work = fold_of(events).resources.work
    a, b = work[("embed", "sim:a")], work[("embed", "sim:b")]
    assert (a.batches, a.busy, a.span) == (4, 4.0, 7.0)
    assert a.idle_share == pytest.approx(3 / 7)
    assert (b.busy, b.span, b.idle_share) == (8.0, 8.0, 0.0)
    assert (a.tokens_per_s, b.tokens_per_s) == (1000.0, 500.0)
