"""Resource telemetry: samples of a real run in its event log, and NVML faked by a module."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import psutil

import workbench
from workbench.engine import telemetry
from workbench.engine.emitter import Emitter
from workbench.engine.telemetry import Telemetry
from workbench.record.eventlog import EventLog, read_events
from workbench.record.events import DeviceSample, HostSample, RunFinished, RunStarted
from workbench.record.fold import RunFold

INTERVAL = 0.1
GIB = 2**30


def _prep_run(complexes_dir: Path, out: Path, cache_dir: Path, **options):
    return workbench.run(
        [complexes_dir],
        out,
        manifest=str(complexes_dir / "cases.tsv"),
        stages=("prep",),
        voronota=False,
        cache_dir=str(cache_dir),
        workers=1,
        **options,
    )


def test_a_run_records_host_and_process_samples_at_the_interval(
    complexes_dir, tmp_path, cache_dir, monkeypatch
):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # a machine without a GPU, wherever it runs
    monkeypatch.delitem(sys.modules, "pynvml", raising=False)
    summary = _prep_run(
        complexes_dir, tmp_path / "run", cache_dir, telemetry_interval=INTERVAL, no_cache=True
    )
    assert summary.status == "completed"
    events = [e for _, e in read_events(tmp_path / "run" / "events.sqlite")]
    samples = [e for e in events if isinstance(e, HostSample)]
    start = next(e.t for e in events if isinstance(e, RunStarted))
    end = next(e.t for e in events if isinstance(e, RunFinished))
    expected = (end - start) / INTERVAL
    assert len(samples) >= 3, f"{len(samples)} samples in {end - start:.2f} s"
    assert 0.5 * expected <= len(samples) <= 1.5 * expected + 1
    gaps = np.diff([s.t for s in samples])
    assert 0.5 * INTERVAL <= statistics.median(gaps) <= 1.5 * INTERVAL
    assert all(s.proc_rss > 0 and s.n_procs >= 1 and s.cores >= 1 for s in samples)
    assert all(0.0 <= s.cpu_percent <= 100.0 for s in samples)
    assert max(s.proc_cpu_percent for s in samples) > 0.0  # prep parses: the tree used CPU
    assert "pynvml" not in sys.modules
    assert not any(isinstance(e, DeviceSample) for e in events)


def test_telemetry_off_writes_no_sample(complexes_dir, tmp_path, cache_dir):
    _prep_run(complexes_dir, tmp_path / "run", cache_dir, telemetry="off", telemetry_interval=0.05)
    events = [e for _, e in read_events(tmp_path / "run" / "events.sqlite")]
    assert any(isinstance(e, RunFinished) for e in events)
    assert not any(isinstance(e, HostSample | DeviceSample) for e in events)


class _NVMLError(Exception):
    pass


def fake_nvml(devices: list[dict]) -> types.ModuleType:
    """A module with pynvml's names that returns the given readings per NVML index."""
    nvml = types.ModuleType("pynvml")
    nvml.NVMLError = _NVMLError
    nvml.NVML_TEMPERATURE_GPU = 0
    nvml.calls = []
    nvml.nvmlInit = lambda: nvml.calls.append("init")
    nvml.nvmlShutdown = lambda: nvml.calls.append("shutdown")
    nvml.nvmlDeviceGetCount = lambda: len(devices)
    nvml.nvmlDeviceGetHandleByIndex = lambda i: i
    nvml.nvmlDeviceGetUtilizationRates = lambda h: types.SimpleNamespace(gpu=devices[h]["util"])
    nvml.nvmlDeviceGetMemoryInfo = lambda h: types.SimpleNamespace(
        used=devices[h]["used"], total=devices[h]["total"]
    )

    def power(h):
        if devices[h].get("power_mw") is None:
            raise _NVMLError("not supported")
        return devices[h]["power_mw"]

    nvml.nvmlDeviceGetPowerUsage = power
    nvml.nvmlDeviceGetTemperature = lambda h, sensor: devices[h]["temp"]
    return nvml


DEVICES = [
    {"util": 87, "used": 30 * GIB, "total": 80 * GIB, "power_mw": 250_000, "temp": 61},
    {"util": 12, "used": 79 * GIB, "total": 80 * GIB, "power_mw": None, "temp": 45},
]


def test_gpu_records_carry_the_nvml_readings(tmp_path, monkeypatch):
    nvml = fake_nvml(DEVICES)
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    monkeypatch.setattr(telemetry, "cuda_present", lambda: True)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    with EventLog(tmp_path / "events.sqlite") as log:
        emitter = Emitter(log, "r1")
        with Telemetry(emitter, interval=10.0, host="node1") as sampler:
            sampler.sample_once()
            sampler.sample_once()
        emitter.flush()
        events = [e for _, e in read_events(log.path)]
    gpu = [e for e in events if isinstance(e, DeviceSample)]
    assert [e.device for e in gpu] == ["cuda:0", "cuda:1"] * 2
    first, second = gpu[0], gpu[1]
    assert (first.util_percent, first.mem_used, first.mem_total) == (87.0, 30 * GIB, 80 * GIB)
    assert (first.power_w, first.temp_c, first.host) == (250.0, 61.0, "node1")
    assert (second.util_percent, second.mem_used, second.power_w) == (12.0, 79 * GIB, None)
    assert sum(isinstance(e, HostSample) for e in events) == 2
    assert nvml.calls == ["init", "shutdown"]
    fold = RunFold()
    fold.feed(enumerate(events, start=1))
    busy, near_full = fold.resources.row("cuda:0"), fold.resources.row("cuda:1")
    assert (busy.samples, busy.mean, busy.p95, busy.busy_share) == (2, 87.0, 87.0, 1.0)
    assert (near_full.mean, near_full.peak_mem, near_full.mem_total) == (12.0, 79 * GIB, 80 * GIB)


def test_cuda_visible_devices_maps_cuda_names_to_nvml_indices(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(DEVICES))
    monkeypatch.setattr(telemetry, "cuda_present", lambda: True)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    with EventLog(tmp_path / "events.sqlite") as log:
        emitter = Emitter(log, "r1")
        with Telemetry(emitter, interval=10.0) as sampler:
            sampler.sample_once()
        emitter.flush()
        gpu = [e for _, e in read_events(log.path) if isinstance(e, DeviceSample)]
    assert [(e.device, e.util_percent) for e in gpu] == [("cuda:0", 12.0)]


def test_cluster_workers_are_sampled_once_per_host(tmp_path):
    """Workers on another host than the run's (here: the run says it is on "head") give one
    host sample per tick, their processes summed, folded under the host's own name."""
    import socket

    from distributed import Client, LocalCluster

    hostname = socket.gethostname()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
        EventLog(tmp_path / "events.sqlite") as log,
    ):
        emitter = Emitter(log, "r1")
        with (
            Telemetry(emitter, interval=10.0, host="head") as sampler,
            sampler.sampling_workers(client),
        ):
            sampler.sample_once()
            sampler.sample_once()
        with Telemetry(emitter, interval=10.0) as own_host, own_host.sampling_workers(client):
            own_host.sample_once()  # the run's own host: its workers are in its process tree
        emitter.flush()
        events = [e for _, e in read_events(log.path)]
    remote = [e for e in events if isinstance(e, HostSample) and e.workers]
    assert [e.host for e in remote] == [hostname, hostname]
    assert all(e.n_procs >= 2 and e.proc_rss > 2 * 20 * 2**20 for e in remote)
    assert sum(isinstance(e, HostSample) and not e.workers for e in events) == 3
    fold = RunFold()
    fold.feed(enumerate(events, start=1))
    workers = fold.resources.row(f"{hostname} workers")
    assert workers.samples == 2 and workers.peak_mem == max(e.proc_rss for e in remote)
    assert fold.resources.row(f"{hostname} cpu").samples == 2
    assert fold.resources.row("process cpu").samples == 3 and fold.resources.devices() == []


def test_worker_devices_are_named_by_host_and_worker():
    fold = RunFold()
    sample = {"util_percent": 50.0, "mem_used": GIB, "mem_total": 80 * GIB}
    fold.feed(
        enumerate(
            [
                DeviceSample(run_id="r1", t=1.0, host="head", device="cuda:0", **sample),
                DeviceSample(
                    run_id="r1", t=1.0, host="gpu7/w3", device="cuda:0", workers=True, **sample
                ),
            ],
            start=1,
        )
    )
    assert fold.resources.devices() == ["cuda:0", "gpu7/w3 cuda:0"]


def test_a_cluster_run_samples_the_cluster_hosts(complexes_dir, tmp_path, cache_dir, monkeypatch):
    """With --cluster, the run's telemetry asks the workers too; the run here says it is on
    "head", so the workers (spawned, on this machine's real name) count as another host."""
    import socket

    from distributed import LocalCluster

    hostname = socket.gethostname()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        monkeypatch.setattr(socket, "gethostname", lambda: "head")
        _prep_run(
            complexes_dir,
            tmp_path / "r",
            cache_dir,
            cluster=cluster.scheduler_address,
            telemetry_interval=INTERVAL,
        )
    events = [e for _, e in read_events(tmp_path / "r" / "events.sqlite")]
    remote = [e for e in events if isinstance(e, HostSample) and e.workers]
    assert remote and {e.host for e in remote} == {hostname}
    assert {e.host for e in events if isinstance(e, HostSample) and not e.workers} == {"head"}


_BUSY = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n"


def _tree_cpu_seconds(sampler: telemetry.HostSampler, child, tick: float = 0.1) -> float:
    """CPU seconds the sampler's tree readings add up to, sampled until ``child`` ends."""
    total, last = 0.0, time.monotonic()
    while child.poll() is None:
        time.sleep(tick)
        now = time.monotonic()
        total += sampler.sample()["proc_cpu_percent"] / 100.0 * (now - last)
        last = now
    for _ in range(3):  # readings after the child is reaped (its time moves to this process)
        time.sleep(tick)
        now = time.monotonic()
        total += sampler.sample()["proc_cpu_percent"] / 100.0 * (now - last)
        last = now
    return total


def test_the_tree_counts_children_reaped_between_scans_once(monkeypatch):
    """A child too short-lived for any scan (a voronota run) still counts, through its parent's
    children times; a child a scan found, once reaped, is not counted twice."""
    for name in ("RESCAN_FIRST_S", "RESCAN_S"):
        monkeypatch.setattr(telemetry, name, 3600.0)  # no scan after the first
    sampler = telemetry.HostSampler()
    unseen = subprocess.Popen([sys.executable, "-c", _BUSY.format(s=0.6)])
    assert _tree_cpu_seconds(sampler, unseen) > 0.5
    monkeypatch.setattr(telemetry, "RESCAN_S", 0.0)  # every sample scans
    seen = subprocess.Popen([sys.executable, "-c", _BUSY.format(s=0.6)])
    assert 0.5 < _tree_cpu_seconds(sampler, seen) < 0.9  # not about 1.2 s


def test_scans_back_off_while_the_tree_holds_still_and_return_when_it_changes(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(telemetry.time, "monotonic", lambda: clock[0])
    sampler = telemetry.HostSampler()
    scans = []
    original = psutil.Process.children

    def children(self, **options):
        scans.append(clock[0])
        return original(self, **options)

    monkeypatch.setattr(psutil.Process, "children", children)
    for _ in range(30):
        clock[0] += 1.0
        before = sampler.sample()["n_procs"]
    assert scans[:4] == [1.0, 3.0, 7.0, 12.0]  # 1, 2, 4 s apart, then every RESCAN_S
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        clock[0] += 5.0
        assert sampler.sample()["n_procs"] == before + 1  # found at the next scan
        clock[0] += 1.0
        sampler.sample()
        assert scans[-1] == clock[0]  # the change brings scans back to every second
    finally:
        child.kill()
        child.wait()
