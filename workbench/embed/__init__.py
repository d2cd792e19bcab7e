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
torch work, one thread per device; ``runner`` joins them with the cache; ``distributed`` runs the
batches as Dask tasks on workers that declare the resource ``GPU=1``.
"""

from workbench.embed.device import DeviceSpec, SimulatedOOM, forward, parse_devices
from workbench.embed.distributed import embed_on_cluster
from workbench.embed.models import (
    ARCHITECTURES,
    LoadedModel,
    ModelError,
    ModelNotFoundError,
    UntrainedModelWarning,
    hub_checkpoint_dir,
    load_model,
)
from workbench.embed.options import EmbedOptions
from workbench.embed.runner import (
    CODE_VERSION,
    BatchReport,
    EmbedError,
    EmbedFailure,
    embed_unique,
    embedding_key,
    reduce_for_graph,
)
from workbench.embed.windows import merge_windows, window_spans

__all__ = [
    "ARCHITECTURES",
    "CODE_VERSION",
    "BatchReport",
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
