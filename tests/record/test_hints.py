"""Each bottleneck hint fires on a synthetic run with that bottleneck, and not on one without."""

from __future__ import annotations

from workbench.record.events import (
    BatchDone,
    DeviceSample,
    HostSample,
    RunStarted,
    StageFinished,
    StageStarted,
)
from workbench.record.fold import RunFold
from workbench.record.hints import bottleneck_hints

GIB = 2**30


def host(t, iowait=0.0, proc=100.0, cores=8) -> HostSample:
    return HostSample(
        run_id="r",
        t=t,
        host="h",
        cores=cores,
        cpu_percent=50.0,
        iowait_percent=iowait,
        read_bps=0.0,
        write_bps=0.0,
        net_bps=0.0,
        proc_cpu_percent=proc,
        proc_rss=GIB,
        n_procs=3,
    )


def stage(name, start, end, body):
    return [
        StageStarted(run_id="r", t=start, stage=name),
        *body,
        StageFinished(run_id="r", t=end, stage=name, done=1, failed=0, seconds=end - start),
    ]


def batches(device, ends, seconds, tokens=1000):
    return [
        BatchDone(
            run_id="r", t=t, stage="embed", device=device, items=1, tokens=tokens, seconds=seconds
        )
        for t in ends
    ]


def all_hints(events, workers=8):
    fold = RunFold()
    started = RunStarted(run_id="r", t=0.0, config={"workers": workers})
    fold.feed(enumerate([started, *events], start=1))
    return bottleneck_hints(fold)


def hints(events, workers=8):
    return {h.kind: h for h in all_hints(events, workers)}


def test_a_device_waiting_on_a_slow_loader_is_data_starved():
    # one batch of 1 s every 2 s: the device waits half its span
    starved = hints(stage("embed", 0.0, 10.0, batches("sim:1.0", [2.0, 4.0, 6.0, 8.0], 1.0)))
    hint = starved["data-starved"]
    assert "sim:1.0" in hint.message and "embed's batch loader" in hint.message
    assert abs(hint.numbers["idle_share"] - 3 / 7) < 1e-9
    fed = hints(stage("embed", 0.0, 10.0, batches("sim:1.0", [2.0, 3.0, 4.0, 5.0], 1.0)))
    assert "data-starved" not in fed


def test_an_iowait_series_with_a_high_p95_is_storage_bound():
    slow_disk = [host(t, iowait=w) for t, w in enumerate([2.0, 5.0, 30.0, 40.0, 35.0], 1)]
    hint = hints(stage("prep", 0.0, 6.0, slow_disk))["storage-bound"]
    assert hint.numbers["iowait_p95"] >= 10.0
    assert "prep" in hint.message and "stage the inputs" in hint.message
    fast_disk = [host(t, iowait=w) for t, w in enumerate([2.0, 5.0, 3.0, 4.0, 1.0], 1)]
    assert "storage-bound" not in hints(stage("prep", 0.0, 6.0, fast_disk))


def test_prep_using_few_of_the_cores_asks_for_workers():
    idle_cores = [host(t, proc=200.0, cores=8) for t in range(1, 11)]
    hint = hints(stage("prep", 0.0, 11.0, idle_cores), workers=2)["prep-cpu"]
    assert hint.numbers["cores_used"] == 2.0 and "--workers" in hint.message
    busy_cores = [host(t, proc=760.0, cores=8) for t in range(1, 11)]
    assert "prep-cpu" not in hints(stage("prep", 0.0, 11.0, busy_cores), workers=8)
    # samples outside prep say nothing about prep
    assert "prep-cpu" not in hints(stage("embed", 0.0, 11.0, idle_cores), workers=2)
    # nor does a prep of a few seconds, mostly its pool's start-up
    assert "prep-cpu" not in hints(stage("prep", 0.0, 6.0, idle_cores[:5]), workers=2)


def gpu(t, used, total=16 * GIB):
    return DeviceSample(
        run_id="r",
        t=t,
        host="h",
        device="cuda:0",
        util_percent=90.0,
        mem_used=used,
        mem_total=total,
    )


def test_a_memory_peak_near_the_total_is_at_the_limit():
    full = [gpu(1.0, 8 * GIB), gpu(2.0, int(15.5 * GIB)), gpu(3.0, 9 * GIB)]
    hint = hints(stage("embed", 0.0, 4.0, full))["memory-limit"]
    assert "15.5 of 16.0 GiB" in hint.message
    roomy = [gpu(1.0, 8 * GIB), gpu(2.0, 14 * GIB), gpu(3.0, 9 * GIB)]
    assert "memory-limit" not in hints(stage("embed", 0.0, 4.0, roomy))


def test_one_device_much_slower_than_the_others_shows_the_ratio():
    fast = batches("sim:1.0", [1.0, 2.0, 3.0, 4.0], 1.0)
    slow = batches("sim:0.3", [3.0], 3.0, tokens=1000)
    hint = hints(stage("embed", 0.0, 5.0, fast + slow))["slow-device"]
    assert abs(hint.numbers["ratio"] - 3.0) < 1e-9 and "3.0× slower" in hint.message
    even = batches("sim:0.9", [1.1, 2.2, 3.3], 1.1)
    assert "slow-device" not in hints(stage("embed", 0.0, 5.0, fast + even))


def test_a_balanced_run_has_no_hint():
    body = [host(t, iowait=1.0, proc=780.0) for t in range(1, 6)]
    events = stage("prep", 0.0, 6.0, body)
    events += stage("embed", 6.0, 12.0, batches("sim:1.0", [8.0, 9.0, 10.0], 1.0))
    assert hints(events) == {}


def test_the_cli_summary_prints_the_hints(tmp_path, capsys):
    from workbench.cli import _print_hints
    from workbench.record.eventlog import EventLog
    from workbench.record.layout import RunLayout

    layout = RunLayout(tmp_path)
    starved = stage("embed", 0.0, 10.0, batches("sim:1.0", [2.0, 4.0, 6.0, 8.0], 1.0))
    with EventLog(layout.events) as log:
        log.extend([RunStarted(run_id="r", t=0.0, config={"workers": 8}), *starved])
    _print_hints(layout)
    out = capsys.readouterr().out
    assert out.startswith("  hint (data-starved): sim:1.0 sat idle 43 % (3.0 of 7.0 s)")


def cluster_host(name, t, iowait=0.0, proc=100.0, cores=16) -> HostSample:
    sample = host(t, iowait=iowait, proc=proc, cores=cores)
    sample.host, sample.workers = name, True
    return sample


def test_a_cluster_host_with_high_iowait_is_named():
    body = [host(t, iowait=1.0, proc=20.0) for t in range(1, 6)]
    body += [cluster_host("node1", t, iowait=2.0, proc=1500.0) for t in range(1, 6)]
    body += [
        cluster_host("node2", t, iowait=w, proc=1500.0)
        for t, w in enumerate([5, 30, 40, 35, 30], 1)
    ]
    found = [h for h in all_hints(stage("prep", 0.0, 6.0, body)) if h.kind == "storage-bound"]
    assert len(found) == 1 and "on cluster host node2" in found[0].message
    assert found[0].numbers["iowait_p95"] >= 30.0


def test_prep_on_a_cluster_is_judged_by_its_workers_cores():
    # the run's own host is idle (its parent only records); the workers are what prep used
    idle_parent = [host(t, proc=20.0, cores=8) for t in range(1, 11)]
    busy = [cluster_host(n, t, proc=1500.0) for n in ("node1", "node2") for t in range(1, 11)]
    assert "prep-cpu" not in hints(stage("prep", 0.0, 11.0, idle_parent + busy), workers=8)
    half = [cluster_host("node1", t, proc=1500.0) for t in range(1, 11)]
    half += [cluster_host("node2", t, proc=300.0) for t in range(1, 11)]
    hint = hints(stage("prep", 0.0, 11.0, idle_parent + half), workers=8)["prep-cpu"]
    assert hint.numbers["cores_used"] == 18.0 and hint.numbers["cores"] == 32.0
    assert "node1 15.0/16, node2 3.0/16" in hint.message and "--nthreads" in hint.message
