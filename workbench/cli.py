"""The `workbench` command: run the pipeline, score graphs, inspect the cache, export reports."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path

__all__ = ["EXIT_CODES", "build_parser", "config_from_args", "main"]

# run.json status -> exit status of `workbench run`; a crash (an unexpected error) exits 1
EXIT_CODES = {"completed": 0, "cancelled": 3, "completed_with_failures": 4, "failed": 4}
EXIT_CODES_HELP = """exit status:
  0  completed: the failed fraction of items is within --max-failed (default 1.0)
  1  crashed: an unexpected error (the traceback's last line is printed)
  2  usage error, before any work or output: a bad option, an input or manifest that does
     not exist or cannot be read, an unwritable output folder, a missing --model file,
     a --cluster address that does not answer
  3  cancelled (SIGINT/SIGTERM); a rerun resumes from the cache
  4  the dataset is written but no item succeeded (run.json status "failed"), or more
     than --max-failed of the items failed (status "completed_with_failures")
"""


def _add_run(sub: argparse._SubParsersAction, table) -> None:
    from workbench.examples import DEMO_DESIGNS
    from workbench.schema import add_arguments

    p = sub.add_parser(
        "run",
        help="turn structures into a run dataset",
        description="Turn structures into a run dataset. Options are the fields of RunConfig.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p, table)
    p.add_argument(
        "--demo",
        nargs="?",
        const="examples",
        choices=["examples", "campaign"],
        help="run on the bundled example complexes, or on the demo campaign: those plus "
        f"{DEMO_DESIGNS} design models, on two simulated devices with random weights "
        "(made on first use)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")


def config_from_args(args: argparse.Namespace):
    """The RunConfig the command line asks for; OptionError (a ValueError) when it is wrong."""
    from workbench.cache import default_root
    from workbench.examples import example_manifest, example_paths
    from workbench.record.config import RUN_OPTIONS, RunConfig
    from workbench.schema import OptionError, values_from_args

    values = values_from_args(args, RUN_OPTIONS)
    if args.demo == "campaign":
        from workbench.examples.campaign import campaign_values  # makes designs: numpy, scipy

        root = Path(values.get("cache_dir") or default_root())
        values = campaign_values(values, root / "examples")
    elif args.demo:
        values["inputs"] = (*values.get("inputs", ()), *(str(p) for p in example_paths()))
        if "manifest" not in values and "heavy" not in values:
            values["manifest"] = str(example_manifest())
    if not values.get("inputs"):
        raise OptionError("inputs", (), "files or folders to read, or --demo: no input given")
    return RunConfig.build(**values)


def _cmd_run(args: argparse.Namespace) -> int:
    try:
        config = config_from_args(args)
    except (ValueError, TypeError) as exc:
        print(f"workbench run: {exc}", file=sys.stderr)
        return 2
    from workbench.engine.preflight import PreflightError, preflight

    try:
        preflight(config)
    except PreflightError as exc:
        print(f"workbench run: {exc}", file=sys.stderr)
        return 2
    from workbench.engine.run import execute
    from workbench.record.layout import RunLayout
    from workbench.record.progressbar import watch

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
    layout = RunLayout(config.run_dir)
    watch(layout.events, thread, quiet=args.quiet)
    thread.join()
    if "error" in outcome:
        error = outcome["error"]
        print(f"workbench run: {type(error).__name__}: {error}", file=sys.stderr)
        return 2 if isinstance(error, (ValueError, FileNotFoundError)) else 1
    summary = outcome["summary"]
    print(summary)
    _print_failures(layout)
    if config.scorer is not None and layout.scores.is_file():
        import pandas as pd

        _print_ranking(pd.read_parquet(layout.scores), 10)
    _print_hints(layout)
    return EXIT_CODES[summary.status]


def _print_ranking(table, top: int) -> None:
    """The best ``top`` models by predicted DockQ, saying so when the weights are untrained."""
    if len(table) and bool(table["untrained"].iat[0]):
        print("  predicted DockQ from UNTRAINED (random) weights: for demos and tests only")
    columns = ["rank", "item_id", "score", "capri", "outside_training", "clash"]
    print(table.head(top)[columns].to_string(index=False))


def _print_failures(layout, limit: int = 10) -> None:
    """The first failed items with their reasons; the rest are in structures.parquet."""
    from workbench.record.view import RunView

    structures = RunView(layout.root).structures
    if structures.empty:
        return
    failed = structures[structures["status"] == "failed"]
    for error in failed["error"].head(limit):
        print(f"  failed: {error}")
    if len(failed) > limit:
        print(f"  ... and {len(failed) - limit} more failures in {layout.structures}")


def _print_hints(layout) -> None:
    """Where the run's time went, when its telemetry shows a bottleneck."""
    from workbench.record.eventlog import read_events
    from workbench.record.fold import RunFold
    from workbench.record.hints import bottleneck_hints

    fold = RunFold()
    fold.feed(read_events(layout.events))
    for hint in bottleneck_hints(fold):
        print(f"  hint ({hint.kind}): {hint.message}")


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


def _add_score(sub: argparse._SubParsersAction) -> None:
    from workbench.score.spec import SCORER_GRAMMAR

    p = sub.add_parser(
        "score",
        help="predict DockQ for graphs in DeepRank-Ab's HDF5 layout and rank them",
        description="Score every graph group of FILE.h5 (DeepRank-Ab's layout: theirs or an "
        "export of a workbench run) and write OUT/scores.parquet, best first.",
    )
    p.add_argument("files", nargs="+", metavar="FILE.h5")
    p.add_argument("--scorer", required=True, help=SCORER_GRAMMAR)
    p.add_argument("--out", "-o", required=True, help="folder for scores.parquet")
    p.add_argument("--devices", default="cpu", help="cpu, cuda:0,cuda:1, auto or sim:<speed>")
    p.add_argument(
        "--precision", default="fp32", choices=["fp32", "bf16", "fp16"], help="autocast dtype"
    )
    p.add_argument("--cache-dir", help="cache folder (default $WORKBENCH_CACHE)")
    p.add_argument("--no-cache", action="store_true", help="recompute every score")
    p.add_argument(
        "--cluster",
        help="Dask scheduler address: batches run on its workers with the resource GPU=1",
    )
    p.add_argument("--top", type=int, default=10, help="rows of the ranking to print")


@contextlib.contextmanager
def _dask_client(address: str | None):
    if address is None:
        yield None
        return
    from distributed import Client

    with Client(address, timeout="10s") as client:
        yield client


def _cmd_score(args: argparse.Namespace) -> int:
    import time

    from workbench.cache import CacheStore, DisabledCache
    from workbench.score import resolve_scorer, score_files, write_scores
    from workbench.score.graphs import GraphFileError

    missing = [path for path in args.files if not Path(path).is_file()]
    if missing:
        print(f"workbench score: {missing[0]}: no such file", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        checkpoint = resolve_scorer(args.scorer)
        out.mkdir(parents=True, exist_ok=True)
    except (ValueError, OSError) as exc:
        print(f"workbench score: {exc}", file=sys.stderr)
        return 2
    cache = DisabledCache() if args.no_cache else CacheStore(args.cache_dir)
    started = time.perf_counter()
    try:
        with _dask_client(args.cluster) as client:
            result = score_files(
                args.files,
                checkpoint,
                devices=args.devices,
                cache=cache,
                precision=args.precision,
                client=client,
            )
    except (GraphFileError, OSError, ValueError) as exc:
        print(f"workbench score: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    path = write_scores(
        out / "scores.parquet",
        result.table,
        {"scorer": result.table["scorer"].iat[0] if len(result.table) else args.scorer},
    )
    table = result.table
    print(
        f"scored {len(table)} graphs in {seconds:.1f} s ({len(table) / max(seconds, 1e-9):.1f} "
        f"graphs/s) with {args.scorer}"
        + (" (untrained: random weights)" if checkpoint.untrained else "")
    )
    _print_ranking(table, args.top)
    print(f"scores written to {path}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from workbench.record.export import ExportError, export_deeprank

    try:
        count, embedded = export_deeprank(args.run_dir, args.output)
    except (ExportError, OSError) as exc:
        print(f"workbench export: {exc}", file=sys.stderr)
        return 2
    print(f"{count} deeprank-ab graphs written to {args.output}")
    if not embedded:
        print("  their embedding feature is 0: the run had no embed stage")
    return 0


def build_parser(table=None) -> argparse.ArgumentParser:
    """The command's parser; ``workbench run``'s options come from ``table`` (RUN_OPTIONS)."""
    if table is None:
        from workbench.record.config import RUN_OPTIONS

        table = RUN_OPTIONS
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub, table)
    cache = sub.add_parser("cache", help="inspect or clear the cache")
    cache.add_argument("action", choices=["stats", "clear"])
    cache.add_argument(
        "--cache-dir", help="cache folder (default $WORKBENCH_CACHE or ~/.cache/workbench)"
    )
    cache.add_argument("--stage", help="with clear: only this stage's entries")
    _add_score(sub)
    report = sub.add_parser("report", help="write a standalone HTML report of a run")
    report.add_argument("run_dir")
    report.add_argument("--output", "-o", default="report.html")
    export = sub.add_parser(
        "export",
        help="write a run's data in another tool's format",
        description="deeprank-ab: the run's deeprank-ab graphs in DeepRank-Ab's own HDF5 "
        "layout (one group per item id), for their training and evaluation code or "
        "`workbench score`; needs a run made with --features deeprank-ab or --scorer.",
    )
    export.add_argument("run_dir")
    export.add_argument("--format", required=True, choices=["deeprank-ab"])
    export.add_argument("--output", "-o", required=True, help="the .h5 file to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {
        "run": _cmd_run,
        "cache": _cmd_cache,
        "report": _cmd_report,
        "score": _cmd_score,
        "export": _cmd_export,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
