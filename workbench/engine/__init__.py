"""The run: stage orchestration, executors and the single writer of the run's events.

A run (:func:`execute`) takes a :class:`~workbench.record.RunConfig`, reads inputs (``sources``),
preps every item in a joblib (loky) process pool — cache lookups in the parent, misses in
chunks — then annotates unique antibody sequences on Dask, embeds unique sequences on the device
scheduler, and assembles regions and embeddings onto every item. Each step is an event appended
by one writer (:class:`Emitter`) to the run's event log; what it writes and where is the run
record's (``workbench.record``), and every reader goes through that room.
"""

from workbench._lazy import lazy_exports

__all__ = ["Emitter", "RunSummary", "execute"]

# names load on first use: prep workers import workbench.engine.prep alone and must not pay for
# the embedding stack (torch) or Dask on start-up
__getattr__, __dir__ = lazy_exports(
    __name__, {"Emitter": "emitter", "RunSummary": "run", "execute": "run"}
)
