"""ESM-2 embeddings of unique chain sequences, scheduled over every device.

Data model
----------
- Input: ``{seq_hash: sequence}``; equal sequences run once.
- Output per sequence: ``ndarray, dtype=float16, shape (L, D x n_layers)``: per-residue
  representations (BOS/EOS dropped, residue i of the sequence at row i, counted from 0) of the
  chosen layers concatenated along features in the order of ``EmbedOptions.layers``. D is the
  model width (320 for t6, 1280 for t33). Sequences longer than ``window`` (1022) residues are
  embedded in overlapping windows averaged over the overlaps.
- ``reduce_for_graph``: "mean" gives one float32 scalar per residue (DeepRank-Ab), "full" the
  whole vector.
- Untrained: a model built with random weights ("random:<name>", or "auto" when no checkpoint is
  in the torch hub cache). ``LoadedModel.untrained`` is then True and every output made from it
  must be marked so (run.json, embeddings.h5 attributes, UI): the numbers carry no meaning.
- Units: token budgets and throughputs count padded tokens (residues + BOS + EOS, padded to the
  longest sequence in the batch); times are seconds.

Layout: ``scheduler`` is the pure state machine (events in, instructions out); ``device`` does the
torch work, one thread per device; ``runner`` joins them with the cache (light: ``local_run``,
``builders`` and torch load only when something misses); ``distributed`` runs the batches as Dask
tasks on workers that declare the resource ``GPU=1``.
"""

from workbench._lazy import lazy_exports

__all__ = [
    "ARCHITECTURES",
    "CODE_VERSION",
    "BatchReport",
    "Compute",
    "DeviceSpec",
    "EmbedError",
    "EmbedFailure",
    "EmbedOptions",
    "LoadedModel",
    "ModelError",
    "ModelNotFoundError",
    "SimulatedOOM",
    "UntrainedModelWarning",
    "embed_on_cluster",
    "embed_unique",
    "embedding_key",
    "forward",
    "hub_checkpoint_dir",
    "load_model",
    "merge_windows",
    "parse_devices",
    "reduce_for_graph",
    "window_spans",
]

# names load on first use: importing the room's options must not import its heavy modules
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "ARCHITECTURES": "spec",
        "CODE_VERSION": "runner",
        "BatchReport": "runner",
        "Compute": "compute",
        "DeviceSpec": "device",
        "EmbedError": "runner",
        "EmbedFailure": "runner",
        "EmbedOptions": "options",
        "LoadedModel": "models",
        "ModelError": "spec",
        "ModelNotFoundError": "spec",
        "SimulatedOOM": "device",
        "UntrainedModelWarning": "models",
        "embed_on_cluster": "distributed",
        "embed_unique": "runner",
        "embedding_key": "runner",
        "forward": "device",
        "hub_checkpoint_dir": "spec",
        "load_model": "models",
        "merge_windows": "windows",
        "parse_devices": "device",
        "reduce_for_graph": "reduce",
        "window_spans": "windows",
    },
)
