"""Resource telemetry: a daemon thread of the run process that samples the host, the run's
process tree and every CUDA device into the event log, so a reader can say where time went.

Host and processes come from psutil; CUDA devices from NVML (``pynvml``, the ``nvidia-ml-py``
package), imported only when this machine shows an NVIDIA device, so a CPU-only run never loads it.

On a cluster the same thread asks every Dask worker for its own sample (``client.run``, one
round trip per interval): each worker keeps a sampler of its process and its devices, and the
replies are folded into one ``HostSample`` per cluster host (its workers' processes summed) and
one ``DeviceSample`` per worker device, marked ``workers=True``. Workers on the run's own host
are skipped, since a LocalCluster's are already in the run's process tree.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import psutil

from workbench.embed.devices import cuda_present
from workbench.engine.emitter import Emitter
from workbench.record.config import cores_available
from workbench.record.events import DeviceSample, HostSample

__all__ = [
    "RESCAN_FIRST_S",
    "RESCAN_S",
    "HostSampler",
    "NvmlSampler",
    "Telemetry",
    "cuda_present",
    "sample_worker",
]

RESCAN_S = 5.0  # most seconds between scans for new child processes (prep pools, Dask workers)
RESCAN_FIRST_S = 1.0  # ... after a scan that found a change: a prep pool is seen within 1 s


def _visible_indices(count: int) -> list[int]:
    """NVML indices of the devices CUDA numbers 0, 1, ... (CUDA_VISIBLE_DEVICES, when numeric)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible:
        try:
            return [i for i in (int(v) for v in visible.split(",")) if 0 <= i < count]
        except ValueError:
            pass  # UUIDs or MIG names: keep NVML's own order
    return list(range(count))


def _cpu_seconds(proc: psutil.Process) -> float:
    """CPU seconds of a process and of the children it has waited for: voronota runs, most of
    prep's CPU, live too briefly for any scan to find them."""
    times = proc.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


class HostSampler:
    """Host CPU, iowait, disk and network rates, and the process tree's CPU and memory."""

    def __init__(self, pid: int | None = None) -> None:
        self.cores = cores_available()
        self._root = psutil.Process(pid)
        self._procs: dict[int, psutil.Process] = {}
        self._seen: dict[int, tuple[float, float]] = {}  # pid: CPU s when first and last read
        self._owed = 0.0  # CPU s of gone processes, counted already, due again in their parent's
        self._scanned = float("-inf")
        self._rescan = RESCAN_FIRST_S  # doubles up to RESCAN_S while scans find no change
        self._last = self._tree_read = time.monotonic()
        self._disk = psutil.disk_io_counters(nowrap=False)
        self._net = psutil.net_io_counters(nowrap=False)
        psutil.cpu_times_percent(None)
        self._tree()

    def _gone(self, pid: int) -> None:
        first, last = self._seen.pop(pid, (0.0, 0.0))
        self._owed += last - first

    def _tree(self) -> tuple[float, int, int]:
        """CPU % (100 = one core) and RSS summed over the root and its descendants, since the
        last call; a process counts from when a scan first finds it."""
        now = time.monotonic()
        elapsed = max(now - self._tree_read, 1e-9)
        self._tree_read = now
        if now - self._scanned >= min(self._rescan, RESCAN_S):  # reads every process: ~1 ms
            self._scanned = now
            try:
                found = self._root.children(recursive=True)
            except psutil.NoSuchProcess:
                found = []
            kept = {self._root.pid: self._root, **self._procs}  # they remember their CPU times
            procs = {p.pid: kept.get(p.pid, p) for p in [self._root, *found]}
            changed = procs.keys() != self._procs.keys()
            self._rescan = RESCAN_FIRST_S if changed else 2 * self._rescan
            self._procs = procs
            for pid in set(self._seen) - set(self._procs):
                self._gone(pid)
        used, rss = 0.0, 0
        for pid, proc in list(self._procs.items()):
            try:  # two /proc reads (stat, statm): psutil's oneshot cache would only add cost
                seconds = _cpu_seconds(proc)
                rss += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                del self._procs[pid]
                self._gone(pid)
                continue
            first, last = self._seen.get(pid, (seconds, seconds))
            used += seconds - last
            self._seen[pid] = (first, seconds)
        # a gone process's CPU reaches its parent's children times when reaped: counted once
        repaid = min(self._owed, used)
        self._owed -= repaid
        return 100.0 * (used - repaid) / elapsed, rss, len(self._procs)

    def sample(self) -> dict[str, Any]:
        """HostSample fields since the previous call."""
        now = time.monotonic()
        elapsed = max(now - self._last, 1e-9)
        self._last = now
        # deltas only, so psutil's wrap-around bookkeeping is not needed (a wrap reads as 0)
        disk, net = psutil.disk_io_counters(nowrap=False), psutil.net_io_counters(nowrap=False)
        read_bps = write_bps = net_bps = 0.0
        if disk is not None and self._disk is not None:
            read_bps = (disk.read_bytes - self._disk.read_bytes) / elapsed
            write_bps = (disk.write_bytes - self._disk.write_bytes) / elapsed
        if net is not None and self._net is not None:
            moved = net.bytes_sent + net.bytes_recv - self._net.bytes_sent - self._net.bytes_recv
            net_bps = moved / elapsed
        self._disk, self._net = disk, net
        proc_cpu, proc_rss, n_procs = self._tree()
        times = psutil.cpu_times_percent(None)
        iowait = getattr(times, "iowait", 0.0)
        return {
            "cores": self.cores,
            "cpu_percent": max(0.0, 100.0 - times.idle - iowait),  # psutil.cpu_percent's busy
            "iowait_percent": iowait,
            "read_bps": max(0.0, read_bps),
            "write_bps": max(0.0, write_bps),
            "net_bps": max(0.0, net_bps),
            "proc_cpu_percent": proc_cpu,
            "proc_rss": proc_rss,
            "n_procs": n_procs,
        }


class NvmlSampler:
    """Utilisation, memory, power and temperature of each visible CUDA device, through NVML."""

    def __init__(self, nvml: ModuleType) -> None:
        self.nvml = nvml
        nvml.nvmlInit()
        count = nvml.nvmlDeviceGetCount()
        self._handles = [
            (f"cuda:{k}", nvml.nvmlDeviceGetHandleByIndex(i))
            for k, i in enumerate(_visible_indices(count))
        ]

    def _optional(self, read, *args) -> float | None:
        """A reading the device may not support (power, temperature on some boards)."""
        try:
            return float(read(*args))
        except self.nvml.NVMLError:
            return None

    def sample(self) -> list[dict[str, Any]]:
        """DeviceSample fields, one dict per device."""
        nvml = self.nvml
        out = []
        for name, handle in self._handles:
            memory = nvml.nvmlDeviceGetMemoryInfo(handle)
            power_mw = self._optional(nvml.nvmlDeviceGetPowerUsage, handle)
            out.append(
                {
                    "device": name,
                    "util_percent": float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu),
                    "mem_used": int(memory.used),
                    "mem_total": int(memory.total),
                    "power_w": None if power_mw is None else power_mw / 1000.0,
                    "temp_c": self._optional(
                        nvml.nvmlDeviceGetTemperature, handle, nvml.NVML_TEMPERATURE_GPU
                    ),
                }
            )
        return out

    def close(self) -> None:
        self.nvml.nvmlShutdown()


def _nvml_sampler() -> NvmlSampler | None:
    """An NVML sampler when a CUDA device is present and nvidia-ml-py is installed."""
    if not cuda_present():
        return None
    try:
        import pynvml
    except ImportError:
        return None
    try:
        return NvmlSampler(pynvml)
    except pynvml.NVMLError:
        return None  # a driver that NVML cannot talk to: host telemetry only


_WORKER_SAMPLERS: dict[str, tuple[HostSampler, NvmlSampler | None]] = {}


def sample_worker(dask_worker) -> dict[str, Any]:
    """Run on a Dask worker by ``client.run``: its host, its process and its devices since the
    previous call (the samplers live in the worker process, one per worker)."""
    samplers = _WORKER_SAMPLERS.get(dask_worker.address)
    if samplers is None:
        samplers = _WORKER_SAMPLERS[dask_worker.address] = (HostSampler(), _nvml_sampler())
    host, devices = samplers
    return {
        "hostname": socket.gethostname(),
        "name": str(dask_worker.name),
        "host": host.sample(),
        "devices": devices.sample() if devices is not None else [],
    }


def _host_totals(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """One host's sample from its workers' replies: host-wide figures once, processes summed."""
    fields = dict(replies[0]["host"])
    for key in ("proc_cpu_percent", "proc_rss", "n_procs"):
        fields[key] = sum(reply["host"][key] for reply in replies)
    return fields


class Telemetry:
    """Samples every ``interval`` s on a daemon thread while the ``with`` block runs; inside
    ``sampling_workers(client)``, that cluster's workers too."""

    def __init__(self, emitter: Emitter, interval: float = 1.0, host: str | None = None) -> None:
        self.emitter = emitter
        self.interval = interval
        self.host = host or socket.gethostname()
        self.client = None
        self._client_lock = threading.Lock()  # a client is never closed under a sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="workbench-telemetry", daemon=True)
        self._host: HostSampler | None = None
        self._devices: NvmlSampler | None = None

    def __enter__(self) -> Telemetry:
        self._host = HostSampler()
        self._devices = _nvml_sampler()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self._devices is not None:
            self._devices.close()

    def sample_once(self) -> None:
        """Emit one HostSample and one DeviceSample per CUDA device."""
        if self._host is None:
            raise RuntimeError("Telemetry.sample_once: call it inside the with block")
        self.emitter.emit(HostSample, host=self.host, **self._host.sample())
        if self._devices is not None:
            for fields in self._devices.sample():
                self.emitter.emit(DeviceSample, host=self.host, **fields)
        with self._client_lock:
            if self.client is not None:
                self._sample_workers()

    @contextmanager
    def sampling_workers(self, client) -> Iterator[None]:
        """Sample ``client``'s workers too while the block runs (the run's cluster)."""
        with self._client_lock:
            self.client = client
        try:
            yield
        finally:
            with self._client_lock:
                self.client = None

    def _sample_workers(self) -> None:
        """One HostSample per cluster host and a DeviceSample per worker device."""
        try:
            replies = self.client.run(sample_worker, on_error="return")
        except (OSError, TimeoutError):  # the scheduler is gone or busy: the next tick retries
            return
        by_host: dict[str, list[dict[str, Any]]] = {}
        for _, reply in sorted(replies.items()):
            if isinstance(reply, dict) and reply["hostname"] != self.host:
                by_host.setdefault(reply["hostname"], []).append(reply)
        for hostname, host_replies in by_host.items():
            self.emitter.emit(HostSample, host=hostname, workers=True, **_host_totals(host_replies))
            for reply in host_replies:
                for fields in reply["devices"]:
                    name = f"{hostname}/{reply['name']}"
                    self.emitter.emit(DeviceSample, host=name, workers=True, **fields)

    def _loop(self) -> None:
        """Samples on a fixed grid, so the time a sample takes does not stretch the interval."""
        due = time.monotonic() + self.interval
        while not self._stop.wait(max(0.0, due - time.monotonic())):
            self.sample_once()
            due += self.interval
            if due < time.monotonic():  # a sample overran: restart the grid, never catch up
                due = time.monotonic() + self.interval
