"""Folder summaries and their table: what `workbench cache stats` prints."""

from __future__ import annotations

from pathlib import Path

from workbench.cache import CacheSummary, StageStats, format_stats
from workbench.cache.stats import summarize


def test_missing_root_is_an_empty_cache(tmp_path: Path) -> None:
    summary = summarize(tmp_path / "never-created")
    assert summary.stages == ()
    assert (summary.entries, summary.bytes) == (0, 0)
    assert not (tmp_path / "never-created").exists()


def test_only_entry_files_are_counted(tmp_path: Path) -> None:
    shard = tmp_path / "prep" / "ab"
    shard.mkdir(parents=True)
    (shard / "ab01.entry").write_bytes(b"x" * 10)
    (shard / ".ab02.entry.1.ff.tmp").write_bytes(b"x" * 99)  # a write in progress
    (tmp_path / "prep" / "stray.entry").write_bytes(b"x")  # not in a shard folder
    assert summarize(tmp_path).stages == (StageStats("prep", 1, 10),)


def test_table_rows_sizes_and_alignment() -> None:
    summary = CacheSummary(
        "/cache",
        (StageStats("embed", 1234, 3 * 1024**3 // 2), StageStats("prep", 2, 1536)),
    )
    lines = format_stats(summary).splitlines()
    assert lines[0] == "cache: /cache"
    assert [line.split() for line in lines[1:]] == [
        ["stage", "entries", "size"],
        ["embed", "1,234", "1.5", "GiB"],
        ["prep", "2", "1.5", "KiB"],
        ["total", "1,236", "1.5", "GiB"],
    ]
    assert len({len(line) for line in lines[1:]}) == 1  # right-aligned columns
    empty = format_stats(CacheSummary("/cache", ()))
    assert empty.splitlines()[-1].split() == ["total", "0", "0", "B"]
