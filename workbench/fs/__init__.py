"""Files: atomic writes, so that a crash never leaves a half-written file that a reader trusts.

Data model
----------
A write goes to a hidden temporary file beside its target, named
``.<target name>.<pid>.<random hex><suffix>`` (unique across processes and machines sharing the
folder), is flushed to disk (fsync) and then renamed over the target (``os.replace``), so a
reader sees either the old file or the whole new one. A temporary file gets the permissions
``open`` would give (``0o666`` less the umask). A crash can leave a temporary file behind, never
a partial target: whoever owns the folder sweeps temporary files by their suffix.

This room imports no other room of the workbench: every room may use it.
"""

from workbench.fs.atomic import (
    PARTIAL_SUFFIX,
    TEMP_SUFFIX,
    AtomicFile,
    atomic_open,
    write_bytes_atomic,
    write_text_atomic,
)

__all__ = [
    "PARTIAL_SUFFIX",
    "TEMP_SUFFIX",
    "AtomicFile",
    "atomic_open",
    "write_bytes_atomic",
    "write_text_atomic",
]
