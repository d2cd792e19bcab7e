"""RunMonitor on a recorded run: incremental polling streams into the named chart sources."""

from __future__ import annotations

import shutil

from bokeh.document import Document

from workbench.record.eventlog import EventLog, read_events
from workbench.record.events import BatchDone, CacheStats, StageStarted
from workbench.ui import RunMonitor


def _replay(src, dst, upto):
    """A run directory holding the first ``upto`` events of ``src`` (a run seen mid-way)."""
    dst.mkdir()
    with EventLog(dst / "events.sqlite") as log:
        log.extend(e for _, e in read_events(src / "events.sqlite")[:upto])
    return dst


def test_polls_only_new_events_and_streams_them(recorded_run, tmp_path):
    events = read_events(recorded_run / "events.sqlite")
    half = len(events) // 2
    run = _replay(recorded_run, tmp_path / "run", half)
    mon = RunMonitor(run, live=False)
    mon.__panel__().get_root(Document())
    assert mon.status == "running" and mon.n_events == half
    with EventLog(run / "events.sqlite") as log:
        log.extend(e for _, e in events[half:])
    update = mon.poll()
    assert update.last_id == len(events)
    later = [e for _, e in events[half:]]
    assert len(update.throughput) == sum(isinstance(e, BatchDone) for e in later)
    batches = [e for _, e in events if isinstance(e, BatchDone)]
    for device, source in mon.charts.device_sources.items():
        assert source.name == f"throughput:{device}"
        assert len(source.data["x"]) == sum(b.device == device for b in batches)
    stats = [e for _, e in events if isinstance(e, CacheStats)]
    assert sum(len(s.data["x"]) for s in mon.charts.cache_sources.values()) == len(stats)
    assert mon.status == "completed_with_failures"  # RunFinished seen; one item failed


def test_failures_and_names_are_escaped(recorded_run):
    mon = RunMonitor(recorded_run, live=False)
    page = mon._failures.object
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "untrained" in mon._summary.object
    assert "class='stage' data-stage='embed'" in mon._stages.object


def test_rollover_caps_points(recorded_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(recorded_run, run)
    mon = RunMonitor(run, live=False, rollover=10)
    with EventLog(run / "events.sqlite") as log:
        log.extend(
            BatchDone(run_id="r", stage="embed", device="sim:0", items=1, tokens=5, seconds=0.1)
            for _ in range(50)
        )
    mon.poll()
    assert len(mon.charts.device_sources["sim:0"].data["x"]) == 10
    assert mon.fold.tokens["sim:0"] == 650 + 250


def test_keeps_reading_until_the_log_ends_although_run_json_says_finished(recorded_run, tmp_path):
    events = read_events(recorded_run / "events.sqlite")
    run = _replay(recorded_run, tmp_path / "run", len(events) - 3)
    shutil.copy(recorded_run / "run.json", run / "run.json")  # written before the last flush
    mon = RunMonitor(run, live=False)
    mon.__panel__().get_root(Document())
    assert mon.status == "running" and not mon.finished
    with EventLog(run / "events.sqlite") as log:
        log.extend(e for _, e in events[-3:])
    mon.poll()
    assert mon.finished and mon.n_events == len(events)
    assert "running" not in mon._stages.object  # no stage shown running after the end


def test_failed_items_raise_a_banner_and_cards(recorded_run):
    mon = RunMonitor(recorded_run, live=False)
    assert mon.status == "completed_with_failures"
    assert "failure-banner" in mon._banner.object and "1 item(s) failed" in mon._banner.object
    assert "data-card='failed'" in mon._cards.object


def test_stage_timeline_has_a_bar_per_stage_and_a_running_one_grows(recorded_run, tmp_path):
    events = read_events(recorded_run / "events.sqlite")
    started = [i for i, (_, e) in enumerate(events) if isinstance(e, StageStarted)]
    run = _replay(recorded_run, tmp_path / "run", started[1] + 1)  # prep done, annotate going
    mon = RunMonitor(run, live=False)
    mon.__panel__().get_root(Document())
    data = dict(mon.charts.stages_source.data)
    assert data["stage"][:2] == ["prep", events[started[1]][1].stage]
    assert data["color"][1] == "#0d6efd" and data["label"][1].endswith("…")  # running
    end = data["end"][1]
    mon.poll()
    assert mon.charts.stages_source.data["end"][1] > end  # extends up to now while running
    with EventLog(run / "events.sqlite") as log:
        log.extend(e for _, e in events[started[1] + 1 :])
    mon.poll()
    final = mon.charts.stages_source.data
    names = [e.stage for _, e in events if isinstance(e, StageStarted)]
    assert final["stage"] == names and set(final["color"]) == {"#198754"}
    assert all(0 <= s < e for s, e in zip(final["start"], final["end"], strict=True))
    assert list(mon.charts.timeline.y_range.factors) == names[::-1]  # first stage on top


def test_a_run_with_no_event_yet_says_it_is_starting(tmp_path):
    mon = RunMonitor(tmp_path, live=False)
    assert mon.status == "waiting" and "starting" in mon._summary.object
    assert "wb-moving" in mon._stages.object  # an indeterminate bar, not an empty one


def test_a_monitor_opened_late_catches_up_one_page_per_poll(recorded_run, tmp_path, monkeypatch):
    monkeypatch.setattr("workbench.ui.monitor.PAGE_EVENTS", 7)
    total = len(read_events(recorded_run / "events.sqlite"))
    mon = RunMonitor(recorded_run, live=False)
    assert mon.n_events == 7 and mon.status == "running"  # RunFinished not read yet
    polls = 1
    while not mon.finished:
        update = mon.poll()
        assert update.last_id == min(total, 7 * (polls + 1))
        polls += 1
    assert mon.n_events == total and polls == -(-total // 7)
    assert mon.status == "completed_with_failures"


def test_telemetry_streams_into_the_utilisation_and_memory_charts(recorded_run, tmp_path):
    from report.recorded import telemetry_samples  # tests/ is on sys.path (rootdir conftest)

    run = tmp_path / "run"
    shutil.copytree(recorded_run, run)
    mon = RunMonitor(run, live=False)
    mon.__panel__().get_root(Document())
    assert "storage-bound" not in mon._hints.object
    with EventLog(run / "events.sqlite") as log:
        log.extend(telemetry_samples())
    update = mon.poll()
    assert len(update.telemetry) == 4 * 3  # host cpu, iowait and cuda:0 per second
    sources = mon.charts.telemetry_sources
    assert sorted(sources) == ["cuda:0", "host cpu", "iowait"]
    assert sources["cuda:0"].data["percent"] == [40.0, 50.0, 60.0, 70.0]
    assert sources["cuda:0"].data["memory"] == [10.0, 11.0, 12.0, 13.0]
    assert sources["host cpu"].data["memory"] == [3.0] * 4  # the process tree's RSS, GiB
    assert len(mon.charts.memory.renderers) == 2  # no memory line for iowait
    assert "<b>storage-bound</b>: iowait p95 30 %" in mon._hints.object
