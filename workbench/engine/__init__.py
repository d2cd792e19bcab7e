"""The run: configuration, stage orchestration, executors, events and the event log.

A run reads inputs (``sources``), preps every item in a joblib (loky) process pool — cache
lookups in the parent, misses in chunks — then annotates unique antibody sequences on Dask,
embeds unique sequences on the device scheduler, and assembles regions and embeddings onto
every item. Each step is an :class:`Event` appended by one writer (:class:`Emitter`) to the
run's SQLite event log (WAL), which the CLI bars, the app, notebooks and the report read.

Run directory files are named in ``RUN_FILES``; see the README for their contents.
"""

from workbench.engine.config import STAGES, RunConfig
from workbench.engine.emitter import Emitter
from workbench.engine.eventlog import EventLog, read_events
from workbench.engine.events import (
    BatchDone,
    CacheStats,
    Event,
    ItemDone,
    ItemFailed,
    ItemWarning,
    RunFinished,
    RunStarted,
    StageFinished,
    StageProgress,
    StageStarted,
    event_from_dict,
)
from workbench.engine.run import RunSummary, execute
from workbench.engine.rundir import RUN_FILES, package_versions, read_run_json
from workbench.engine.view import RunView, open_run

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
