"""One run: configuration in, run directory out, every step reported as events."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import threading
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.engine.assemble import Assembler, sequence_rows
from workbench.engine.cluster import LazyClient
from workbench.engine.emitter import Emitter
from workbench.engine.preflight import preflight
from workbench.engine.prep import PrepTask
from workbench.engine.prep_stage import PrepStage
from workbench.engine.stages import annotate_stage, embed_stage
from workbench.engine.telemetry import Telemetry
from workbench.output.shards import ShardedGraphs
from workbench.output.tables import SEQUENCES_SCHEMA, read_table, write_table
from workbench.record.config import RunConfig
from workbench.record.eventlog import EventLog
from workbench.record.events import (
    RunFinished,
    RunStarted,
    RunStatus,
    StageFinished,
    StageStarted,
)
from workbench.record.layout import DATASET_FILES, RunLayout
from workbench.record.runinfo import package_versions, write_run_json
from workbench.structure import ANTIBODY_ROLES, load_manifest, parse_chain_spec

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["RunSummary", "execute", "finished_status"]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """How a run ended; the dataset itself is in ``run_dir``."""

    run_dir: Path
    run_id: str
    status: RunStatus
    n_items: int
    n_done: int
    n_failed: int
    wall_seconds: float

    def __str__(self) -> str:
        return (
            f"run {self.status}: {self.n_items} items, {self.n_done} done, {self.n_failed} failed "
            f"in {self.wall_seconds:.1f} s → {self.run_dir}"
        )


def finished_status(cancelled: bool, done: int, failed: int, max_failed: float) -> RunStatus:
    """How a run that did not crash ended: a pipeline reads it from run.json and the exit code."""
    if cancelled:
        return "cancelled"
    if done == 0:
        return "failed"
    if failed / (done + failed) > max_failed:
        return "completed_with_failures"
    return "completed"


def _clear_outputs(layout: RunLayout) -> None:
    """A rerun into the same folder replaces the previous dataset (the cache keeps the work);
    graphs.h5 and its shards stay until the rerun's index replaces them (readers may hold
    them; see workbench.output.graphs). The event
    log stays too: the rerun appends to it as a new attempt, so the earlier one is not lost."""
    for kind in (*DATASET_FILES, "run"):
        if kind not in ("graphs", "deeprank"):
            layout.path(kind).unlink(missing_ok=True)
    for partial in layout.partials():
        partial.unlink()
    shutil.rmtree(layout.merged, ignore_errors=True)


def _assembled_features(stages: tuple[str, ...]) -> tuple[str, ...]:
    """Node features the run fills in after prep: a reused shard may hold no other."""
    return (
        *(("region",) if "annotate" in stages else ()),
        *(("embedding",) if "embed" in stages else ()),
    )


def _absolute(folder: str | None) -> str | None:
    """A folder named for workers, which may run in other working directories."""
    return None if folder is None else str(Path(folder).expanduser().absolute())


def _fill_esm(deeprank: ShardedGraphs, embeddings: Path, emitter: Emitter) -> int:
    """The deeprank-ab groups' ESM scalars, written into their shards one shard at a time."""
    from workbench.engine.score_stage import fill_esm_scalars

    return sum(fill_esm_scalars(shard, embeddings, emitter) for shard in deeprank.shard_paths())


class _Run:
    def __init__(self, config: RunConfig, cancel: threading.Event) -> None:
        self.config = config
        self.cancel = cancel
        self.run_dir = Path(config.out)
        self.layout = RunLayout(self.run_dir)
        self.run_id = uuid.uuid4().hex[:12]
        self.started = time.time()
        self.stage_times: dict[str, dict] = {}
        self._sampling: Telemetry | nullcontext = nullcontext()
        self.info: dict = {
            "voronota": False,
            "embeddings_untrained": None,
            "embeddings_precision": None,  # resolved: fp32, bf16 or fp16
            "embeddings_device": None,  # cpu, cuda or cpu+cuda
            "scores_untrained": None,  # --scorer: True for random:deeprank-ab weights
            "cluster": config.cluster,
            "cluster_started": False,  # a Dask cluster was connected or started for some stage
            "embeddings_model_built": False,  # the ESM-2 module was built (not all cache hits)
            "dashboard": None,
        }

    def _json(self, status: str, counts: dict) -> None:
        write_run_json(
            self.run_dir,
            {
                "run_id": self.run_id,
                "status": status,
                "config": self.config.to_dict(),
                "versions": package_versions(),
                "counts": counts,
                "started": self.started,
                "finished": None if status == "running" else time.time(),
                "wall_seconds": time.time() - self.started,
                "stages": self.stage_times,
                **self.info,
            },
        )

    def _stage(self, emitter: Emitter, name: str, body) -> None:
        emitter.emit(StageStarted, stage=name)
        emitter.flush()
        start = time.perf_counter()
        done, failed = body()
        seconds = time.perf_counter() - start
        emitter.flush()
        self.stage_times[name] = {"seconds": seconds, "done": done, "failed": failed}
        emitter.emit(StageFinished, stage=name, done=done, failed=failed, seconds=seconds)
        emitter.flush()

    def _later_stages(
        self,
        emitter: Emitter,
        prep: PrepStage,
        graphs: ShardedGraphs,
        deeprank: ShardedGraphs | None,
        cluster: LazyClient,
    ) -> dict | None:
        """Annotate, embed and assemble, each over the run's unique sequences, on ``cluster``
        where a stage needs it (annotate's misses past a few; embed and score with --cluster;
        assemble where prep ran, past its first few hundred items)."""
        config = self.config
        if self.cancel.is_set() or prep.done == 0:
            return None
        index = prep.sequences
        cache = prep.task.store()
        numbering = None
        embeddings = None
        if "annotate" in config.stages:
            antibody = index.with_roles(ANTIBODY_ROLES)

            def annotate() -> tuple[int, int]:
                nonlocal numbering
                numbering = annotate_stage(antibody, config.annotate, cluster, cache, emitter)
                failed = sum(r.error is not None for r in numbering.values())
                return len(numbering) - failed, failed

            self._stage(emitter, "annotate", annotate)
        if "embed" in config.stages and not self.cancel.is_set():
            embeddings = self.layout.embeddings

            def embed() -> tuple[int, int]:
                done, failed, loaded, compute = embed_stage(
                    {**index.sequences, **prep.esm_inputs},
                    config.embed,
                    embeddings,
                    cache,
                    emitter,
                    cluster() if config.cluster else None,
                )
                self.info["embeddings_untrained"] = loaded.untrained
                self.info["embeddings_model_built"] = loaded.built
                self.info["embeddings_precision"] = compute.precision
                self.info["embeddings_device"] = compute.device_kind
                return done, failed

            self._stage(emitter, "embed", embed)
        if numbering is not None or embeddings is not None:
            assembler = Assembler(
                self.layout, numbering, embeddings, config.embed.graph_embedding, graphs
            )
            self._stage(  # where prep ran, which made the shards
                emitter, "assemble", lambda: (assembler.run(prep.connect, config.workers), 0)
            )
        if deeprank is not None and embeddings is not None and not self.cancel.is_set():
            self._stage(
                emitter, "deeprank-ab", lambda: (_fill_esm(deeprank, embeddings, emitter), 0)
            )
            deeprank.close()
            if config.scorer is not None:
                self._score(emitter, cache, cluster() if config.cluster else None)
        return numbering

    def _score(self, emitter: Emitter, cache, client: Client | None) -> None:
        """The score stage over deeprank_ab.h5, ranked within each item's source file."""
        from workbench.engine.score_stage import score_stage

        config = self.config
        structures = read_table(self.layout.structures)
        done_items = structures[structures["status"] == "done"]
        sources = {row.item_id: (row.source, row.member or "") for row in done_items.itertuples()}

        def score() -> tuple[int, int]:
            scored, missed, untrained = score_stage(
                config.scorer,
                self.layout.deeprank,
                self.layout.scores,
                sources,
                devices=config.embed.devices,
                precision=self.info["embeddings_precision"] or "fp32",
                cache=cache,
                emitter=emitter,
                cancel=self.cancel,
                client=client,
            )
            self.info["scores_untrained"] = untrained
            return scored, missed

        self._stage(emitter, "score", score)

    def _connected(self, client: Client) -> contextlib.AbstractContextManager:
        """A stage connected the run's cluster: its dashboard goes into run.json, and a remote
        cluster's workers are sampled beside this process."""
        self.info["dashboard"] = client.dashboard_link
        self._json("running", {})
        if self.config.cluster is not None and isinstance(self._sampling, Telemetry):
            return self._sampling.sampling_workers(client)
        return nullcontext()

    def execute(self) -> RunSummary:
        config = self.config
        self.run_dir.mkdir(parents=True, exist_ok=True)
        _clear_outputs(self.layout)
        params = dataclasses.replace(
            config.graph, voronota=config.graph.voronota and shutil.which("voronota") is not None
        )
        self.info["voronota"] = params.voronota
        spec = parse_chain_spec(config.heavy, config.light, ",".join(config.antigen) or None)
        manifest = load_manifest(config.manifest) if config.manifest else None
        log = EventLog(self.layout.events)
        emitter = Emitter(log, self.run_id)
        layout = self.layout
        graphs = ShardedGraphs(layout.graphs, layout.graph_shards)
        deeprank = (
            ShardedGraphs(layout.deeprank, layout.deeprank_shards)
            if params.features == "deeprank-ab"
            else None
        )
        self._json("running", {"items": 0, "done": 0, "failed": 0})
        emitter.emit(RunStarted, config=config.to_dict(), n_inputs=len(config.inputs))
        emitter.flush()
        prep = PrepStage(
            inputs=config.inputs,
            layout=self.layout,
            spec=spec,
            manifest=manifest,
            task=PrepTask(
                params, _absolute(config.cache_dir), not config.no_cache, config.write_merged
            ),
            graphs=graphs,
            deeprank=deeprank,
            workers=config.workers,
            chunk_size=config.chunk_size,
            emitter=emitter,
            cancel=self.cancel,
            assembles=_assembled_features(config.stages),
        )
        status: RunStatus = "crashed"
        cluster = LazyClient(config.cluster, config.workers, self._connected)
        sampling = self._sampling = (
            Telemetry(emitter, config.telemetry_interval)
            if config.telemetry == "on"
            else nullcontext()
        )
        try:
            # one fresh graphs.h5 index, renamed over the old one when the stages are done
            with (
                sampling,
                graphs,
                deeprank or nullcontext(),
                cluster,
            ):
                connect = cluster if config.prep_on_dask else None
                self._stage(
                    emitter, "prep", lambda: (prep.run(connect), (prep.done, prep.failed))[1]
                )
                numbering = self._later_stages(emitter, prep, graphs, deeprank, cluster)
            write_table(
                self.layout.sequences,
                sequence_rows(prep.sequences, numbering, config.annotate.scheme),
                SEQUENCES_SCHEMA,
            )
            status = finished_status(
                self.cancel.is_set(), prep.done, prep.failed, config.max_failed
            )
        finally:
            counts = {"items": prep.done + prep.failed, "done": prep.done, "failed": prep.failed}
            wall = time.time() - self.started
            emitter.emit(
                RunFinished, status=status, n_done=prep.done, n_failed=prep.failed, seconds=wall
            )
            emitter.close()
            self.info["cluster_started"] = cluster.started
            self._json(status, counts)
            log.close()
        return RunSummary(
            self.run_dir, self.run_id, status, counts["items"], prep.done, prep.failed, wall
        )


def execute(config: RunConfig, cancel: threading.Event | None = None) -> RunSummary:
    """Run every configured stage; failed items are recorded, never fatal.

    Raises PreflightError (a ValueError), before anything is written, when an input, the output
    folder, the model or the cluster cannot work.
    """
    preflight(config)
    return _Run(config, cancel or threading.Event()).execute()
