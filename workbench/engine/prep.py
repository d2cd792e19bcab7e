"""The prep stage's unit of work: one item → merged complex, chain sequences and interface graph.

Runs inside worker processes (loky or Dask): a chunk names input parts (paths, and quiver
entries by offset), never their bytes; the worker reads them (read ahead while it computes),
and its items, cache hits or computed, have their graphs written by the worker into one shard
of graphs.h5 (and of deeprank_ab.h5), so what it returns is small (status, chains, sequences,
counts, the shard's name). The cached payload is exactly what a miss would have produced, so
hits and misses share one path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import h5py
import numpy as np

from workbench.annotate.hmm import numbering_identity
from workbench.cache import (
    CacheKey,
    CacheStore,
    DisabledCache,
    decode_arrays,
    decode_meta,
    encode_arrays,
)
from workbench.engine.gc_pause import paused_collector
from workbench.graph import GraphParams, InterfaceGraph, NoInterfaceError
from workbench.graph.assembled import assembled_features
from workbench.output.graphs import graph_image
from workbench.output.shards import previous_shard, write_shard
from workbench.sources import (
    InputPart,
    Item,
    ItemRef,
    SourceError,
    SourceFailure,
    describe_source,
    prefetch,
    read_part,
)
from workbench.structure import ChainSpec, Complex, StructureError, sequence_hash

if TYPE_CHECKING:
    from workbench.graph.voronoi import ContactAreas

__all__ = [
    "PREP_VERSION",
    "ChainRow",
    "ChunkDone",
    "PrepChunk",
    "PrepResult",
    "PrepTask",
    "chunk_hits",
    "prep_chunk",
    "unique_name",
]

PREP_VERSION = "prep-4"


@dataclass(frozen=True, slots=True)
class ChainRow:
    """One chain of one merged item: its sequence and its slice of the residue map."""

    chain: str
    role: str
    sequence: str
    seq_hash: str
    start: int
    stop: int


@dataclass(frozen=True, slots=True)
class PrepResult:
    """One item's outcome; ``payload`` is its cache entry (graph images), dropped once the
    worker has written them into the chunk's shard."""

    ref: ItemRef
    status: str  # "done" or "failed"
    error: str | None
    seconds: float
    cached: bool
    spec: ChainSpec | None
    chains: tuple[ChainRow, ...] = ()
    warnings: tuple[str, ...] = ()
    n_nodes: int = 0
    n_edges: int = 0
    key: str = ""  # digest of the cache key the result was made under
    payload: bytes | None = None
    merged_pdb: str | None = None
    esm_inputs: tuple[tuple[str, str], ...] = ()  # deeprank-ab: (hash, sequence) to embed
    group: str = ""  # the item's group in its chunk's shard (its id, unique within the chunk)

    def graph_image(self) -> bytes:
        """The item's graphs.h5 group as an HDF5 image (see workbench.output.graph_image)."""
        arrays, _ = decode_arrays(self.payload)
        return arrays["graph_h5"].tobytes()

    def deeprank_image(self) -> bytes | None:
        """The item's deeprank_ab.h5 group as an HDF5 image, when the profile asked for it."""
        arrays, _ = decode_arrays(self.payload)
        image = arrays.get("deeprank_h5")
        return None if image is None else image.tobytes()


@lru_cache(maxsize=4)
def _store(cache_dir: str | None, enabled: bool) -> CacheStore | DisabledCache:
    return CacheStore(cache_dir) if enabled else DisabledCache()


class _NoAntibody(Exception):
    """Automatic roles found no antibody chain: nothing to build an interface from."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _roles(structure, spec: ChainSpec | None, source: str) -> tuple[ChainSpec, list[str]]:
    """The spec to merge with: detected by numbering, or the declared one checked by numbering."""
    from workbench.annotate import check_declared_roles, detect_roles
    from workbench.structure import chain_sequences

    chains = chain_sequences(structure)
    if spec is not None:
        return spec, check_declared_roles(spec, chains)
    spec, warnings = detect_roles(chains, source=source)
    if not (spec.heavy or spec.light or spec.scfv):
        raise _NoAntibody(
            f"no chain numbers as an antibody variable domain (chains: {', '.join(chains)})"
        )
    return spec, warnings


def _encode(
    complex_: Complex, graph: InterfaceGraph, meta: dict, merged: str | None, deeprank: bytes | None
) -> bytes:
    image = graph_image(graph, complex_.residues, complex_.source)
    if merged is not None:
        meta = {**meta, "merged_pdb": merged}
    arrays = {"graph_h5": np.frombuffer(image, dtype=np.uint8)}
    if deeprank is not None:
        arrays["deeprank_h5"] = np.frombuffer(deeprank, dtype=np.uint8)
    return encode_arrays(arrays, meta)


def _deeprank(
    structure, spec: ChainSpec, source: str, contacts: ContactAreas
) -> tuple[bytes, dict[str, str]]:
    """DeepRank-Ab's atom graph of the item (image, embedding left 0) and its ESM inputs; the
    region labels number the variable domains as they do (ANARCI's defaults, in process)."""
    from workbench.annotate import AnnotateOptions, number_sequences
    from workbench.graph.deeprank import (
        build_deeprank_graph,
        deeprank_image,
        esm_sequences,
        merge_for_deeprank,
    )
    from workbench.graph.deeprank.regions import ANARCI_OPTIONS

    merged = merge_for_deeprank(structure, spec, source)
    wanted = merged.variable_sequences()
    numbered = number_sequences(wanted, AnnotateOptions(**ANARCI_OPTIONS))
    graph = build_deeprank_graph(merged, dict(zip(wanted, numbered, strict=True)), contacts)
    return deeprank_image(graph), esm_sequences(graph)


def _chain_rows(complex_: Complex) -> list[dict]:
    return [
        {"chain": c.chain, "role": c.role, "sequence": c.sequence, "start": c.start, "stop": c.stop}
        for c in complex_.chains
    ]


def _compute(item: Item, spec: ChainSpec | None, params: GraphParams, write_merged: bool) -> dict:
    """Parse, merge and build the graph; a failure becomes a meta record, not an exception."""
    # a run whose items are all cached never parses (Biopython) nor builds a graph
    from workbench.graph import build_graph
    from workbench.graph.voronoi import SharedContacts, contact_areas
    from workbench.structure import merge, parse_structure, to_pdb

    source = item.ref.source
    step = "parse"
    try:
        structure = parse_structure(item)
        step = "chain roles"
        spec, warnings = _roles(structure, spec, source)
        step = "merge chains"
        complex_ = merge(item, spec, structure=structure)
        step = "interface graph"
        # with the deeprank-ab graph too, one voronota run serves both where they agree
        contacts = SharedContacts() if params.features == "deeprank-ab" else contact_areas
        graph = build_graph(complex_, params, contacts)
        deeprank, esm_inputs = None, {}
        if params.features == "deeprank-ab":
            step = "deeprank-ab graph"
            deeprank, esm_inputs = _deeprank(structure, spec, source, contacts)
    except (StructureError, NoInterfaceError, SourceError, _NoAntibody) as exc:
        reason = getattr(exc, "reason", str(exc))
        return {
            "status": "failed",
            "error": f"{describe_source(item.ref.source, item.ref.member)}: {step}: {reason}",
            "spec": spec.to_dict() if spec else None,
        }
    meta = {
        "status": "done",
        "spec": spec.to_dict(),
        "chains": _chain_rows(complex_),
        "warnings": [*complex_.warnings, *warnings],
        "n_nodes": len(graph.node_residue),
        "n_edges": int(graph.edge_index.shape[1]),
        "esm_inputs": sorted(esm_inputs.items()),
    }
    merged = to_pdb(complex_) if write_merged else None
    meta["payload"] = _encode(complex_, graph, meta, merged, deeprank)
    meta["merged_pdb"] = merged
    return meta


def _result(
    item: Item, key: str, meta: dict, seconds: float, cached: bool, payload: bytes | None = None
) -> PrepResult:
    chains = tuple(
        ChainRow(seq_hash=sequence_hash(c["sequence"]), **c) for c in meta.get("chains", ())
    )
    return PrepResult(
        ref=item.ref,
        status=meta["status"],
        error=meta.get("error"),
        seconds=seconds,
        cached=cached,
        spec=ChainSpec.from_dict(meta["spec"]) if meta.get("spec") else None,
        chains=chains,
        warnings=tuple(meta.get("warnings", ())),
        n_nodes=meta.get("n_nodes", 0),
        n_edges=meta.get("n_edges", 0),
        key=key,
        payload=payload if meta["status"] == "done" else None,
        merged_pdb=meta.get("merged_pdb"),
        esm_inputs=tuple(tuple(pair) for pair in meta.get("esm_inputs", ())),
    )


@dataclass(frozen=True, slots=True)
class PrepTask:
    """What a prep worker needs besides the items: the same for every item of a stage."""

    params: GraphParams
    cache_dir: str | None
    use_cache: bool
    write_merged: bool
    graph_dir: str | None = None  # the folder of graphs.h5's shards; None: no shard written
    deeprank_dir: str | None = None  # the folder of deeprank_ab.h5's shards (the profile's)

    def key(self, item: Item, spec: ChainSpec | None) -> CacheKey:
        """Cache key of one item: its bytes, member, chain spec, graph parameters, code, and
        the numbering that detected or checked its chain roles (ANARCI, pyhmmer, ALL.hmm)."""
        return CacheKey.make(
            "prep",
            item.ref.checksum,
            {
                "member": item.ref.member,
                "spec": spec.to_dict() if spec else None,
                "graph": self.params.to_dict(),
                "merged": self.write_merged,
                "fmt": item.ref.fmt,
                "numbering": numbering_identity(),
            },
            PREP_VERSION,
        )

    def store(self) -> CacheStore | DisabledCache:
        return _store(self.cache_dir, self.use_cache)

    def lookup(self, item: Item, spec: ChainSpec | None) -> PrepResult | None:
        """The stored result of an item, or None (then :meth:`compute`)."""
        start = time.perf_counter()
        key = self.key(item, spec)
        cached = self.store().get(key)
        if cached is None:
            return None
        meta = decode_meta(cached)
        return _result(item, key.digest, meta, time.perf_counter() - start, True, cached)

    def compute(self, item: Item, spec: ChainSpec | None) -> PrepResult:
        """A miss: compute and store; an unforeseen exception fails the item, not the run."""
        start = time.perf_counter()
        key = self.key(item, spec)
        try:
            with paused_collector():
                meta = _compute(item, spec, self.params, self.write_merged)
        except Exception as exc:  # an unforeseen failure must not end the run
            where = describe_source(item.ref.source, item.ref.member)
            meta = {
                "status": "failed",
                "spec": spec.to_dict() if spec else None,
                "error": f"{where}: prep: unexpected {type(exc).__name__}: {exc}",
            }
            return _result(item, key.digest, meta, time.perf_counter() - start, False)
        payload = meta.pop("payload", None) or encode_arrays({}, meta)
        self.store().put(key, payload)
        return _result(item, key.digest, meta, time.perf_counter() - start, False, payload)


def unique_name(name: str, taken: Container[str]) -> str:
    """``name``, or ``name~2``, ``name~3``… when taken (copies of one file under one name in
    two folders); the caller records the name it gives."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}~{n}"
    return candidate


@dataclass(frozen=True, slots=True)
class PrepChunk:
    """A worker task: the input parts it reads, each with its chain spec, and the shard their
    graphs go into. Paths travel, not bytes: the worker reads the parts itself."""

    shard: str  # a file name from ShardedGraphs.next_shard
    parts: tuple[tuple[InputPart, ChainSpec | None], ...]
    index: str | None = None  # the index this run replaces: where a reusable shard is found
    assembles: tuple[str, ...] = ()  # node features the run's later stages write (and check)


@dataclass(frozen=True, slots=True)
class ChunkDone:
    """What a worker sends back for a chunk: small records only, no graph bytes."""

    results: tuple[PrepResult, ...]  # in input order; ``group`` names each in the shard
    failures: tuple[SourceFailure, ...]  # parts or members that could not be read
    shard: str | None  # None when no item of the chunk was done (no shard written)
    deeprank_items: tuple[str, ...]  # the groups that have one in the deeprank-ab shard
    corrupt: int  # corrupt cache entries met (discarded and recomputed)


def _read(chunk: PrepChunk) -> Iterator[tuple[str, Item, ChainSpec | None] | SourceFailure]:
    """The chunk's items, each with its group name and spec, read ahead of the caller."""
    taken: set[str] = set()

    def records():
        for part, spec in chunk.parts:
            for record in read_part(part):
                if isinstance(record, SourceFailure):
                    yield record
                else:
                    name = unique_name(record.ref.item_id, taken)
                    taken.add(name)
                    yield name, record, spec

    return prefetch(records(), depth=4)


def prep_chunk(task: PrepTask, chunk: PrepChunk) -> ChunkDone:
    """Prep a chunk (several items, to amortise dispatch) and write its graphs into its shard,
    in the process that read and made them, so the parent never touches input or graph bytes."""
    return _prep(task, chunk, task.compute)


def chunk_hits(task: PrepTask, chunk: PrepChunk) -> ChunkDone | None:
    """The chunk done from the cache alone, or None (nothing written) at its first miss."""
    return _prep(task, chunk, None)


def _prep(
    task: PrepTask, chunk: PrepChunk, compute: Callable[[Item, ChainSpec | None], PrepResult] | None
) -> ChunkDone | None:
    """Every item of the chunk from the cache, else from ``compute``; None at the first miss
    when there is none."""
    results, failures = [], []
    for record in _read(chunk):
        if isinstance(record, SourceFailure):
            failures.append(record)
            continue
        name, item, spec = record
        result = task.lookup(item, spec)
        if result is None:
            if compute is None:
                return None
            result = compute(item, spec)
        results.append(replace(result, group=name))
    return _finish(task, chunk, results, failures)


def _holds(path: Path, keys: dict[str, str], assembles: tuple[str, ...]) -> bool:
    """Whether shard ``path`` holds exactly the groups ``keys`` names, each made under its key,
    with no feature filled by a later stage this run does not run (that one would be stale)."""
    try:
        with h5py.File(path, "r") as f:
            return sorted(f) == sorted(keys) and all(
                f[name].attrs.get("key") == key
                and set(assembled_features(f[name])) <= set(assembles)
                for name, key in keys.items()
            )
    except OSError:
        return False


def _finish(
    task: PrepTask, chunk: PrepChunk, results: list[PrepResult], failures: list[SourceFailure]
) -> ChunkDone:
    """Write the chunk's graphs into its shard, unless the shard the replaced index linked its
    first item to already holds exactly them; then the reply: the results without their bytes."""
    done = [r for r in results if r.status == "done"]
    shard, deeprank = None, []
    if done and task.graph_dir is not None:
        with_images = task.deeprank_dir is not None
        deeprank = [(r.group, r.deeprank_image(), r.key) for r in done] if with_images else []
        deeprank = [entry for entry in deeprank if entry[1] is not None]
        wanted = [(Path(task.graph_dir), {r.group: r.key for r in done})]
        if with_images:
            wanted.append((Path(task.deeprank_dir), {name: key for name, _, key in deeprank}))
        reuse = previous_shard(chunk.index, done[0].group) if chunk.index else None
        if reuse is not None and all(
            _holds(folder / reuse, keys, chunk.assembles) for folder, keys in wanted
        ):
            shard = reuse
        else:
            write_shard(
                Path(task.graph_dir) / chunk.shard,
                ((r.group, r.graph_image(), r.key) for r in done),
            )
            if with_images:
                write_shard(Path(task.deeprank_dir) / chunk.shard, deeprank)
            shard = chunk.shard
    corrupt = sum(c.corrupt for c in task.store().take_counts().values())
    return ChunkDone(
        tuple(replace(r, payload=None) for r in results),
        tuple(failures),
        shard,
        tuple(name for name, _, _ in deeprank),
        corrupt,
    )
