"""The run's event log: SQLite in WAL mode, one writer appending, any process reading live."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from workbench.record.events import Event, event_from_dict

__all__ = ["PAGE_EVENTS", "EventLog", "event_pages", "read_events"]

PAGE_EVENTS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    t REAL NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
)
"""


class EventLog:
    """Appends events to ``path``; the single writer of a run."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # created here with 0o666 less the umask: SQLite would use 0o644, and its -wal and
        # -shm files copy the log's mode, so a group-writable umask would be lost
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o666))
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def append(self, event: Event) -> None:
        self.extend([event])

    def extend(self, events: Iterable[Event]) -> None:
        rows = [(e.t, e.kind, json.dumps(e.to_dict())) for e in events]
        if rows:
            with self._db:
                self._db.executemany("INSERT INTO events (t, kind, payload) VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_events(
    path: str | Path, after: int = 0, limit: int | None = None
) -> list[tuple[int, Event]]:
    """Events with id > ``after`` as (id, event), at most ``limit`` of them (None: all); safe
    while a writer is appending.

    A log not created yet, or created but without its table yet, holds no events.
    """
    path = Path(path)
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute(
            "SELECT id, payload FROM events WHERE id > ? ORDER BY id LIMIT ?",
            (after, -1 if limit is None else limit),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        rows = []
    finally:
        db.close()
    return [(row_id, event_from_dict(json.loads(payload))) for row_id, payload in rows]


def event_pages(
    path: str | Path, after: int = 0, page: int = PAGE_EVENTS
) -> Iterator[list[tuple[int, Event]]]:
    """The events after ``after`` in pages of at most ``page``, so a late reader of a long log
    holds one page at a time."""
    while True:
        batch = read_events(path, after=after, limit=page)
        if batch:
            yield batch
        if len(batch) < page:
            return
        after = batch[-1][0]
