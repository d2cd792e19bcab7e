"""The run record: what a run was asked (RunConfig), where its files live (RunLayout), what
happened (typed events in the event log, run.json), and how a reader sees it (RunView, RunFold).

Data model
----------
- :class:`RunConfig`: nested frozen option records (``graph``, ``annotate``, ``embed``), every
  field declared once; ``RUN_OPTIONS`` is its flat option table (CLI flags, form widgets).
- :class:`RunLayout`: the run directory's file names (run.json, events.sqlite, the Parquet
  tables, complexes.fasta, graphs.h5, embeddings.h5, merged/), the one place that spells them.
- Events: slotted dataclasses with ``run_id`` and ``t`` (unix seconds), one writer
  (:class:`EventLog`, SQLite in WAL mode) and any number of live readers (:func:`read_events`,
  :func:`event_pages` for a late reader of a long log, one page in memory at a time).
- :class:`RunFold`: the one fold of events into stage progress (items), device throughput
  (padded tokens per second), cache lookups and failures; the terminal bars
  (:func:`watch`), the app's monitor and the report all draw it.
- :class:`RunView` / :func:`open_run`: read a run directory, finished or running.
"""

from workbench._lazy import lazy_exports

__all__ = [
    "DATASET_FILES",
    "FILES",
    "OUTCOME_LABELS",
    "RUN_OPTIONS",
    "STAGES",
    "BatchDone",
    "CacheStats",
    "DeviceSample",
    "Event",
    "EventLog",
    "HostSample",
    "ItemDone",
    "ItemFailed",
    "ItemStatus",
    "ItemWarning",
    "Outcome",
    "RunConfig",
    "RunFinished",
    "RunFold",
    "RunLayout",
    "RunOutcome",
    "RunStarted",
    "RunStatus",
    "RunView",
    "Stage",
    "StageFinished",
    "StageProgress",
    "StageStarted",
    "StageStatus",
    "event_from_dict",
    "event_pages",
    "open_run",
    "package_versions",
    "read_events",
    "read_run_json",
    "run_info",
    "run_outcome",
    "untrained_weights",
    "watch",
    "write_run_json",
]

# names load on first use: the engine's prep workers must not import the readers' pandas
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "DATASET_FILES": "layout",
        "FILES": "layout",
        "RUN_OPTIONS": "config",
        "STAGES": "config",
        "BatchDone": "events",
        "CacheStats": "events",
        "DeviceSample": "events",
        "HostSample": "events",
        "Event": "events",
        "EventLog": "eventlog",
        "ItemDone": "events",
        "ItemFailed": "events",
        "ItemStatus": "events",
        "ItemWarning": "events",
        "OUTCOME_LABELS": "outcome",
        "Outcome": "outcome",
        "RunConfig": "config",
        "RunFinished": "events",
        "RunFold": "fold",
        "RunLayout": "layout",
        "RunOutcome": "outcome",
        "RunStarted": "events",
        "RunStatus": "events",
        "RunView": "view",
        "Stage": "config",
        "StageFinished": "events",
        "StageProgress": "events",
        "StageStarted": "events",
        "StageStatus": "fold",
        "event_from_dict": "events",
        "event_pages": "eventlog",
        "open_run": "view",
        "package_versions": "runinfo",
        "read_events": "eventlog",
        "read_run_json": "runinfo",
        "run_outcome": "outcome",
        "run_info": "runinfo",
        "untrained_weights": "runinfo",
        "watch": "progressbar",
        "write_run_json": "runinfo",
    },
)
