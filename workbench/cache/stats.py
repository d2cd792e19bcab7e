"""What a cache folder holds, read from the folder itself, and its human rendering for the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

__all__ = ["CacheSummary", "StageStats", "format_stats", "scan", "summarize"]

ENTRY_SUFFIX = ".entry"


@dataclass(frozen=True, slots=True)
class StageStats:
    """Entries of one stage folder."""

    stage: str
    entries: int
    bytes: int  # on-disk size of the entry files, headers included


@dataclass(frozen=True, slots=True)
class CacheSummary:
    """Every stage folder of one cache root, sorted by stage name."""

    root: str
    stages: tuple[StageStats, ...]

    @property
    def entries(self) -> int:
        return sum(stage.entries for stage in self.stages)

    @property
    def bytes(self) -> int:
        return sum(stage.bytes for stage in self.stages)


def scan(folder: str | Path) -> list[os.DirEntry]:
    """Folder listing that treats a folder removed by another process as empty."""
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _entry_sizes(stage_dir: str) -> list[int]:
    """Sizes of the entry files of a stage folder; entries removed meanwhile are skipped."""
    sizes = []
    for shard in scan(stage_dir):
        if not shard.is_dir(follow_symlinks=False):
            continue
        for entry in scan(shard.path):
            if entry.name.endswith(ENTRY_SUFFIX) and not entry.name.startswith("."):
                try:
                    sizes.append(entry.stat(follow_symlinks=False).st_size)
                except FileNotFoundError:
                    continue
    return sizes


def summarize(root: Path) -> CacheSummary:
    """Walk ``root/<stage>/<xx>/*.entry``; a missing root is an empty cache."""
    stage_dirs = sorted(
        (d for d in scan(root) if d.is_dir(follow_symlinks=False)), key=attrgetter("name")
    )
    stages = []
    for stage_dir in stage_dirs:
        sizes = _entry_sizes(stage_dir.path)
        stages.append(StageStats(stage_dir.name, len(sizes), sum(sizes)))
    return CacheSummary(str(root), tuple(stages))


def _size(n: int) -> str:
    """Bytes in powers of 1024, one decimal."""
    if n < 1024:
        return f"{n} B"
    value = n / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def format_stats(summary: CacheSummary) -> str:
    """A plain-text table: one row per stage, then the total."""
    rows = [(s.stage, f"{s.entries:,}", _size(s.bytes)) for s in summary.stages]
    rows.append(("total", f"{summary.entries:,}", _size(summary.bytes)))
    header = ("stage", "entries", "size")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    lines = [f"cache: {summary.root}"]
    for name, entries, size in [header, *rows]:
        lines.append(f"{name:<{widths[0]}}  {entries:>{widths[1]}}  {size:>{widths[2]}}")
    return "\n".join(lines)
