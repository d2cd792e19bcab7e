"""The run directory's layout: the one place that names its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench.fs import PARTIAL_SUFFIX

__all__ = ["DATASET_FILES", "FILES", "FileKind", "RunLayout"]

FileKind = Literal[
    "run",
    "events",
    "structures",
    "chains",
    "sequences",
    "regions",
    "fasta",
    "graphs",
    "embeddings",
    "deeprank",
    "scores",
    "report",
]
FILES: dict[FileKind, str] = {
    "run": "run.json",
    "events": "events.sqlite",
    "structures": "structures.parquet",
    "chains": "chains.parquet",
    "sequences": "sequences.parquet",
    "regions": "regions.parquet",
    "fasta": "complexes.fasta",
    "graphs": "graphs.h5",
    "embeddings": "embeddings.h5",
    "deeprank": "deeprank_ab.h5",  # --features deeprank-ab: DeepRank-Ab's own graph layout
    "scores": "scores.parquet",  # --scorer, or `workbench score RUN/deeprank_ab.h5 --out RUN`
    "report": "report.html",
}
# what a run produces as data (the rest: its record, and the report made from it)
DATASET_FILES: tuple[FileKind, ...] = (
    "structures",
    "chains",
    "sequences",
    "regions",
    "fasta",
    "graphs",
    "embeddings",
    "deeprank",
    "scores",
)


@dataclass(frozen=True, slots=True)
class RunLayout:
    """Paths of one run directory's files; every writer and reader takes them from here."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    def path(self, kind: FileKind) -> Path:
        return self.root / FILES[kind]

    @property
    def run_json(self) -> Path:
        return self.path("run")

    @property
    def events(self) -> Path:
        return self.path("events")

    @property
    def structures(self) -> Path:
        return self.path("structures")

    @property
    def chains(self) -> Path:
        return self.path("chains")

    @property
    def sequences(self) -> Path:
        return self.path("sequences")

    @property
    def regions(self) -> Path:
        return self.path("regions")

    @property
    def fasta(self) -> Path:
        return self.path("fasta")

    @property
    def graphs(self) -> Path:
        return self.path("graphs")

    @property
    def graph_shards(self) -> Path:
        """Folder of graphs.h5's shards (see workbench.output.graphs)."""
        return self.root / "graphs"

    @property
    def deeprank_shards(self) -> Path:
        """Folder of deeprank_ab.h5's shards."""
        return self.root / "deeprank_ab"

    @property
    def embeddings(self) -> Path:
        return self.path("embeddings")

    @property
    def deeprank(self) -> Path:
        return self.path("deeprank")

    @property
    def scores(self) -> Path:
        return self.path("scores")

    @property
    def report(self) -> Path:
        return self.path("report")

    @property
    def merged(self) -> Path:
        """Folder of merged PDBs (``--write-merged``)."""
        return self.root / "merged"

    def merged_pdb(self, item_id: str) -> Path:
        return self.merged / f"{item_id}.pdb"

    @property
    def console_log(self) -> Path:
        """The CLI's output when the app launched the run (beside the run directory)."""
        return self.root.parent / f"{self.root.name}.log"

    @property
    def uploads(self) -> Path:
        """Files uploaded through the app for this run (beside the run directory)."""
        return self.root.parent / f"{self.root.name}.uploads"

    def partials(self) -> list[Path]:
        """Files a killed writer left half-written (temporary names end in PARTIAL_SUFFIX)."""
        return sorted(self.root.glob(f"*{PARTIAL_SUFFIX}"))

    def is_run(self) -> bool:
        """Whether the folder holds a run (its run.json or its event log)."""
        return self.run_json.exists() or self.events.exists()

    def file_sizes(self) -> dict[str, int]:
        """Size in bytes of each of the run's files present, by file name; a shard folder's
        files together under the folder's name (``graphs/``)."""
        sizes = {
            name: (self.root / name).stat().st_size
            for name in FILES.values()
            if (self.root / name).is_file()
        }
        for folder in (self.graph_shards, self.deeprank_shards):
            if folder.is_dir():
                sizes[f"{folder.name}/"] = sum(p.stat().st_size for p in folder.iterdir())
        return sizes
