"""Content-addressed cache of stage results; also the resume mechanism of a run.

Data model
----------
A value is addressed by a :class:`CacheKey`: the stage that produced it (a folder name
with no meaning to the cache), the checksum of the input bytes (sha256 hex), the canonical
JSON of every parameter (sorted keys, no whitespace, tuples as lists, finite floats only)
and the version of the code. ``key.digest`` is the sha256 of the four fields, each framed by
its length, so no two keys share a digest by concatenation. Change any field and the old
entry is simply never asked for again; a re-run of a crashed run finds what was done.

Entries
-------
``root/<stage>/<digest[:2]>/<digest>.entry``, where root is the argument,
``$WORKBENCH_CACHE``, or ``~/.cache/workbench``. An entry is an 84-byte header (magic
``b"WBCACHE\\n"``, format version, key digest, payload length, payload sha256; see
:mod:`workbench.cache.entry`) followed by the payload bytes. Payloads are opaque bytes;
:func:`encode_arrays` (raw named arrays behind a JSON header with the meta record, read
without pickle) and :func:`encode_json` are the two formats stages use. Sizes are in bytes.

Guarantees
----------
- Every read is verified (magic, version, key, length, checksum). A bad entry raises a
  :class:`CacheCorruptionWarning` naming the file, is counted, removed and reported as a
  miss: it is never returned.
- Writes go to a uniquely named temp file (pid + random) in the entry's folder and are
  renamed over the final name. Processes and machines sharing a folder may write the
  same key at once: the last rename wins and both contents are valid; a partial write is
  never visible under an entry's name while the machine runs. A process crash leaves at most
  a temp file, which ``clear()`` removes once it is an hour old. Entries are not fsynced, so
  a machine crash may lose the newest entries or leave them with unwritten bytes: lost
  entries are misses, damaged ones fail verification; both get recomputed, never trusted.
- :class:`CacheWriter` moves writes off a stage's result path (a thread, a bounded queue);
  its module documents what a crash can lose of the entries still queued.
- A folder that cannot be written gives one :class:`CacheWriteWarning` per stage and
  reason; the value is still returned to the caller, only not stored.
- An entry that cannot be read (``ESTALE`` after another host's rename-over on NFS, ``EIO``)
  gives one :class:`CacheReadWarning` per stage and reason and is counted as a miss.
- Lookup counts (hits, misses, corrupt) are kept per stage and per process.
"""

from workbench.cache.codec import (
    decode_arrays,
    decode_json,
    decode_meta,
    encode_arrays,
    encode_json,
)
from workbench.cache.keys import CacheKey, canonical_params
from workbench.cache.stats import CacheSummary, StageStats, format_stats
from workbench.cache.store import (
    Cache,
    CacheCorruptionWarning,
    CacheReadWarning,
    CacheStore,
    CacheWriteWarning,
    DisabledCache,
    StageCounts,
    default_root,
)
from workbench.cache.writer import CacheWriter

__all__ = [
    "Cache",
    "CacheCorruptionWarning",
    "CacheKey",
    "CacheReadWarning",
    "CacheStore",
    "CacheSummary",
    "CacheWriteWarning",
    "CacheWriter",
    "DisabledCache",
    "StageCounts",
    "StageStats",
    "canonical_params",
    "decode_arrays",
    "decode_json",
    "decode_meta",
    "default_root",
    "encode_arrays",
    "encode_json",
    "format_stats",
]
