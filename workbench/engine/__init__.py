"""The run: configuration, stage orchestration, executors, events and the event log.

A run reads inputs (``sources``), preps every item in a joblib (loky) process pool — cache
lookups in the parent, misses in chunks — then annotates unique antibody sequences on Dask,
embeds unique sequences on the device scheduler, and assembles regions and embeddings onto
every item. Each step is an :class:`Event` appended by one writer (:class:`Emitter`) to the
run's SQLite event log (WAL), which the CLI bars, the app, notebooks and the report read.

Run directory files are named in ``RUN_FILES``; see the README for their contents.
"""

from importlib import import_module

# Names are imported on first use: prep workers import workbench.engine.prep alone and must not
# pay for the embedding stack (torch) or Dask on start-up.
_WHERE = {
    "STAGES": "config",
    "RunConfig": "config",
    "Emitter": "emitter",
    "EventLog": "eventlog",
    "read_events": "eventlog",
    "BatchDone": "events",
    "CacheStats": "events",
    "Event": "events",
    "ItemDone": "events",
    "ItemFailed": "events",
    "ItemWarning": "events",
    "RunFinished": "events",
    "RunStarted": "events",
    "StageFinished": "events",
    "StageProgress": "events",
    "StageStarted": "events",
    "event_from_dict": "events",
    "RUN_FILES": "rundir",
    "package_versions": "rundir",
    "read_run_json": "rundir",
    "RunSummary": "run",
    "execute": "run",
    "RunView": "view",
    "open_run": "view",
}

__all__ = [
    "RUN_FILES",
    "STAGES",
    "BatchDone",
    "CacheStats",
    "Emitter",
    "Event",
    "EventLog",
    "ItemDone",
    "ItemFailed",
    "ItemWarning",
    "RunConfig",
    "RunFinished",
    "RunStarted",
    "RunSummary",
    "RunView",
    "StageFinished",
    "StageProgress",
    "StageStarted",
    "event_from_dict",
    "execute",
    "open_run",
    "package_versions",
    "read_events",
    "read_run_json",
]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"workbench.engine.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
