"""Sources: find the input files and stream every structure in them, with a content address.

Data model
----------
An input file holds one or more *members*, each one structure:

- ``""``: the whole file (a PDB/mmCIF file with a single model);
- ``"model_<n>"``: model ``n`` of a multi-model PDB (MODEL n) or mmCIF (pdbx_PDB_model_num n);
- ``<tag>``: one entry of a quiver archive (``QV_TAG <tag>``), scores from ``QV_SCORE``.

Each member is streamed as an :class:`Item`: an :class:`ItemRef` plus the member's standalone
text (PDB or mmCIF, ``ItemRef.fmt``). Identity is ``checksum`` (sha256 hex of the member's own
bytes, decompressed: the whole file for member ``""``, else ``Item.text`` in UTF-8) together
with ``member``; the path only makes ``item_id`` readable. An input or member that cannot be
read is a :class:`SourceFailure` (source, member, reason) in the stream of
:func:`iter_items`, never an exception; :func:`discover` alone raises :class:`SourceError`
for a given path that does not exist. :func:`iter_parts` names the same inputs as small
:class:`InputPart` records without reading a structure, and :func:`read_part` reads one, so a
run sends paths to its workers and the bytes are read where they are used.

Accepted inputs: ``.pdb``/``.ent``/``.cif``/``.mmcif``, each optionally ``.gz``, and ``.qv``
quiver archives, indexed beside themselves in ``<archive>.qv.idx``. Nothing here parses
coordinates: the structure room does.
"""

from .discover import discover, input_kind
from .prefetch import prefetch
from .quiver import QuiverEntry, read_quiver_entry, write_quiver
from .qvindex import entry_count, index_path, iter_index, quiver_index
from .reader import InputPart, iter_items, iter_parts, iter_quiver, read_input, read_part
from .refs import (
    Item,
    ItemRef,
    SourceError,
    SourceFailure,
    checksum_bytes,
    describe_source,
    make_item_id,
)

__all__ = [
    "InputPart",
    "Item",
    "ItemRef",
    "QuiverEntry",
    "SourceError",
    "SourceFailure",
    "checksum_bytes",
    "describe_source",
    "discover",
    "entry_count",
    "index_path",
    "input_kind",
    "iter_index",
    "iter_items",
    "iter_parts",
    "iter_quiver",
    "make_item_id",
    "prefetch",
    "quiver_index",
    "read_input",
    "read_part",
    "read_quiver_entry",
    "write_quiver",
]
