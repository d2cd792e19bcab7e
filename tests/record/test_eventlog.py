"""The event log: typed events round-trip, a late reader reads it in pages, and a reader follows
a writer in another process."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import time

import pytest

from workbench.record import events as ev
from workbench.record.eventlog import EventLog, event_pages, read_events
from workbench.record.fold import RunFold

SAMPLES = [
    ev.RunStarted(run_id="r", config={"inputs": ["a.pdb"]}, n_inputs=1),
    ev.RunFinished(run_id="r", status="completed", n_done=1, n_failed=0, seconds=1.5),
    ev.StageStarted(run_id="r", stage="prep", total=3),
    ev.StageProgress(run_id="r", stage="prep", done=2, total=3),
    ev.StageFinished(run_id="r", stage="prep", done=3, failed=0, seconds=0.2),
    ev.ItemDone(run_id="r", stage="prep", item_id="x", seconds=0.1, cached=True),
    ev.ItemFailed(
        run_id="r", stage="prep", item_id="y", source="y.pdb", reason="y.pdb: parse: empty"
    ),
    ev.ItemWarning(run_id="r", stage="prep", item_id="x", message="altloc: kept A"),
    ev.CacheStats(run_id="r", stage="embed", hits=4, misses=1, corrupt=0),
    ev.BatchDone(run_id="r", stage="embed", device="cuda:0", items=8, tokens=4096, seconds=0.3),
    ev.HostSample(
        run_id="r",
        host="node1",
        cores=8,
        cpu_percent=42.5,
        iowait_percent=3.0,
        read_bps=1e6,
        write_bps=2e5,
        net_bps=0.0,
        proc_cpu_percent=310.0,
        proc_rss=2**30,
        n_procs=5,
    ),
    ev.DeviceSample(
        run_id="r",
        host="node1",
        device="cuda:0",
        util_percent=87.0,
        mem_used=30 * 2**30,
        mem_total=80 * 2**30,
        power_w=250.0,
        temp_c=None,
    ),
]


def test_every_event_kind_round_trips(tmp_path):
    with EventLog(tmp_path / "events.sqlite") as log:
        log.extend(SAMPLES)
    read = [event for _, event in read_events(tmp_path / "events.sqlite")]
    assert read == SAMPLES
    kinds = {
        cls.__name__
        for cls in vars(ev).values()
        if isinstance(cls, type) and issubclass(cls, ev.Event) and cls is not ev.Event
    }
    assert kinds == {event.kind for event in SAMPLES}
    assert all(dataclasses.is_dataclass(e) and not hasattr(e, "__dict__") for e in SAMPLES)


def test_a_missing_log_or_table_holds_no_events(tmp_path):
    assert read_events(tmp_path / "absent.sqlite") == []
    sqlite3.connect(tmp_path / "empty.sqlite").close()
    assert read_events(tmp_path / "empty.sqlite") == []


WRITER = """
import sys, time
from workbench.record.eventlog import EventLog
from workbench.record.events import StageProgress
with EventLog(sys.argv[1]) as log:
    for i in range(200):
        log.append(StageProgress(run_id="w", stage="prep", done=i + 1, total=200))
        time.sleep(0.002)
"""


@pytest.mark.timeout(60)
def test_a_reader_follows_a_writer_in_another_process(tmp_path):
    path = tmp_path / "events.sqlite"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)])
    seen, last = [], 0
    deadline = time.monotonic() + 50
    while len(seen) < 200 and time.monotonic() < deadline:
        batch = read_events(path, after=last)
        if batch:
            last = batch[-1][0]
            seen.extend(event.done for _, event in batch)
    assert writer.wait(timeout=30) == 0
    assert seen == list(range(1, 201))


def _progress_log(path, n: int) -> None:
    with EventLog(path) as log:
        log.append(ev.RunStarted(run_id="r", config={}, n_inputs=n))
        log.extend(
            ev.StageProgress(run_id="r", stage="prep", done=i + 1, total=n) for i in range(n)
        )
        log.append(ev.RunFinished(run_id="r", status="completed", n_done=n, n_failed=0, seconds=1))


def test_a_late_reader_reads_a_long_log_in_pages(tmp_path):
    path = tmp_path / "events.sqlite"
    _progress_log(path, 2501)  # 2,503 events
    window = read_events(path, after=5, limit=10)
    assert [event_id for event_id, _ in window] == list(range(6, 16))
    pages = list(event_pages(path, page=1000))
    assert [len(page) for page in pages] == [1000, 1000, 503]
    assert [pair for page in pages for pair in page] == read_events(path)
    assert [len(page) for page in event_pages(path, after=2000, page=503)] == [503]
    assert list(event_pages(tmp_path / "absent.sqlite")) == []
    whole, paged = RunFold(), RunFold()
    whole.feed(read_events(path))
    for page in event_pages(path, page=333):
        paged.feed(page)
    assert paged.last_id == whole.last_id == 2503
    assert paged.status == whole.status == "completed"
    assert paged.stage_status() == whole.stage_status()
