"""The `workbench` command: run the pipeline, inspect the cache, export reports."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

__all__ = ["main"]


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="turn structures into a run dataset")
    p.add_argument("inputs", nargs="*", help="files or folders (pdb, ent, cif, mmcif, gz, qv)")
    p.add_argument("--out", "-o", required=True, help="run directory to write")
    p.add_argument("--heavy", help="heavy chain id (leave out to detect roles by numbering)")
    p.add_argument("--light", help="light chain id, or - for none (nanobody)")
    p.add_argument("--antigen", help="antigen chain ids: A or A,B or ABC")
    p.add_argument("--chains", choices=["auto"], help="detect chain roles (the default)")
    p.add_argument("--manifest", help="TSV/CSV with path (or case), heavy, light, antigen")
    p.add_argument("--stages", default="prep,annotate,embed", help="comma-separated stages")
    p.add_argument("--workers", type=int, help="prep processes (default: all cores)")
    p.add_argument(
        "--cache-dir", help="cache folder (default $WORKBENCH_CACHE or ~/.cache/workbench)"
    )
    p.add_argument("--no-cache", action="store_true", help="compute everything, store nothing")
    p.add_argument("--demo", action="store_true", help="run on the bundled example complexes")
    p.add_argument("--graph", choices=["atom", "residue"], default="atom")
    p.add_argument("--cutoff", type=float, default=5.0, help="interface cutoff in Å")
    p.add_argument("--no-voronota", action="store_true", help="skip Voronoi contact areas")
    p.add_argument("--write-merged", action="store_true", help="also write merged PDBs")
    p.add_argument(
        "--scheme", default="imgt", choices=["imgt", "kabat", "chothia", "martin", "aho"]
    )
    p.add_argument("--germline", action="store_true", help="assign germlines")
    p.add_argument("--model", default="auto", help="ESM-2: auto, a name, a file, random:<name>")
    p.add_argument("--devices", default="auto", help="auto, cpu, cuda:0,cuda:1, sim:1.0,sim:0.5")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "fp16"])
    p.add_argument("--token-budget", type=int, help="tokens per embedding batch")
    p.add_argument("--graph-embedding", default="mean", choices=["mean", "full"])
    p.add_argument("--cluster", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")


def _config_from_args(args: argparse.Namespace):
    from workbench.engine.config import RunConfig
    from workbench.examples import example_manifest, example_paths
    from workbench.structure import split_chain_ids

    inputs = list(args.inputs)
    manifest = args.manifest
    if args.demo:
        inputs += [str(p) for p in example_paths()]
        if manifest is None and args.heavy is None:
            manifest = str(example_manifest())
    if not inputs:
        raise ValueError("no input given: name files or folders, or use --demo")
    extra = {"workers": args.workers} if args.workers else {}
    antigen = split_chain_ids(args.antigen)
    return RunConfig(
        inputs=tuple(inputs),
        out=args.out,
        heavy=args.heavy,
        light=args.light,
        antigen=antigen,
        manifest=manifest,
        stages=tuple(s.strip() for s in args.stages.split(",") if s.strip()),
        cache_dir=args.cache_dir,
        no_cache=args.no_cache,
        graph=args.graph,
        cutoff=args.cutoff,
        voronota=not args.no_voronota,
        write_merged=args.write_merged,
        scheme=args.scheme,
        germline=args.germline,
        model=args.model,
        devices=args.devices,
        precision=args.precision,
        token_budget=args.token_budget,
        graph_embedding=args.graph_embedding,
        cluster=args.cluster,
        **extra,
    )


def _cmd_run(args: argparse.Namespace) -> int:
    from workbench.engine.progress import watch
    from workbench.engine.run import execute

    try:
        config = _config_from_args(args)
    except (ValueError, TypeError) as exc:
        print(f"workbench run: {exc}", file=sys.stderr)
        return 2
    cancel = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: cancel.set())
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["summary"] = execute(config, cancel)
        except BaseException as exc:  # reported below, in the main thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="workbench-run", daemon=True)
    thread.start()
    watch(Path(config.out) / "events.sqlite", thread, quiet=args.quiet)
    thread.join()
    if "error" in outcome:
        error = outcome["error"]
        print(f"workbench run: {type(error).__name__}: {error}", file=sys.stderr)
        return 2 if isinstance(error, (ValueError, FileNotFoundError)) else 1
    summary = outcome["summary"]
    print(summary)
    _print_failures(Path(config.out))
    return 0 if summary.status == "completed" else 3


def _print_failures(run_dir: Path, limit: int = 10) -> None:
    """The first failed items with their reasons; the rest are in structures.parquet."""
    from workbench.engine.view import open_run

    structures = open_run(run_dir).structures
    if structures.empty:
        return
    failed = structures[structures["status"] == "failed"]
    for error in failed["error"].head(limit):
        print(f"  failed: {error}")
    if len(failed) > limit:
        print(f"  ... and {len(failed) - limit} more failures in {run_dir / 'structures.parquet'}")


def _cmd_cache(args: argparse.Namespace) -> int:
    from workbench.cache import CacheStore, format_stats

    store = CacheStore(args.cache_dir)
    if args.action == "stats":
        print(format_stats(store.stats()))
    else:
        removed = store.clear(args.stage)
        print(f"removed {removed} entries from {store.root}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from workbench.report import write_report

    path = write_report(args.run_dir, args.output)
    print(f"report written to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub)
    cache = sub.add_parser("cache", help="inspect or clear the cache")
    cache.add_argument("action", choices=["stats", "clear"])
    cache.add_argument(
        "--cache-dir", help="cache folder (default $WORKBENCH_CACHE or ~/.cache/workbench)"
    )
    cache.add_argument("--stage", help="with clear: only this stage's entries")
    report = sub.add_parser("report", help="write a standalone HTML report of a run")
    report.add_argument("run_dir")
    report.add_argument("--output", "-o", default="report.html")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"run": _cmd_run, "cache": _cmd_cache, "report": _cmd_report}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
