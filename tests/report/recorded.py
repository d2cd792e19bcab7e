"""A run directory recorded with the real EventLog and pandas tables, for UI and report tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from workbench.record.eventlog import EventLog
from workbench.record.events import (
    BatchDone,
    CacheStats,
    DeviceSample,
    HostSample,
    ItemDone,
    ItemFailed,
    RunFinished,
    RunStarted,
    StageFinished,
    StageProgress,
    StageStarted,
)

XSS_NAME = "<img src=x onerror=alert(1)>.pdb"
T0 = 1_700_000_000.0


def record_run(run_dir: Path, complexes_dir: Path, cases: list[dict[str, str]]) -> Path:
    """Write run.json, events.sqlite and the three tables for two real cases and one bad file."""
    inputs = run_dir / "inputs"
    inputs.mkdir(parents=True)
    good = cases[:2]
    for case in good:
        shutil.copy(complexes_dir / f"{case['case']}.pdb", inputs)
    (inputs / XSS_NAME).write_text("not a structure\n")
    rid = "run-test"
    ev = [
        RunStarted(run_id=rid, t=T0, config={"inputs": [str(inputs)]}, n_inputs=3),
        StageStarted(run_id=rid, t=T0 + 0.1, stage="prep", total=3),
        ItemDone(run_id=rid, t=T0 + 1, stage="prep", item_id="a:0", seconds=0.9),
        ItemFailed(
            run_id=rid,
            t=T0 + 1.2,
            stage="prep",
            item_id="x:0",
            source=XSS_NAME,
            reason=f"{XSS_NAME}: no ATOM records",
        ),
        ItemDone(run_id=rid, t=T0 + 2, stage="prep", item_id="b:0", seconds=0.8),
        StageProgress(run_id=rid, t=T0 + 2, stage="prep", done=3, total=3),
        CacheStats(run_id=rid, t=T0 + 2, stage="prep", hits=1, misses=1),
        StageFinished(run_id=rid, t=T0 + 2.1, stage="prep", done=2, failed=1, seconds=2.0),
        StageStarted(run_id=rid, t=T0 + 2.2, stage="embed", total=4),
    ]
    for i, (device, tokens, secs) in enumerate(
        [("sim:0", 300, 1.0), ("sim:1", 200, 2.0), ("sim:0", 250, 1.0), ("sim:0", 100, 0.5)]
    ):
        ev.append(
            BatchDone(
                run_id=rid,
                t=T0 + 3 + i,
                stage="embed",
                device=device,
                items=1,
                tokens=tokens,
                seconds=secs,
            )
        )
        ev.append(StageProgress(run_id=rid, t=T0 + 3 + i, stage="embed", done=i + 1, total=4))
    ev += [
        CacheStats(run_id=rid, t=T0 + 6, stage="embed", hits=0, misses=4),
        StageFinished(run_id=rid, t=T0 + 7, stage="embed", done=4, failed=0, seconds=4.8),
        RunFinished(run_id=rid, t=T0 + 7.1, status="completed", n_done=2, n_failed=1, seconds=7.1),
    ]
    with EventLog(run_dir / "events.sqlite") as log:
        log.extend(ev)
    rows = [
        dict(
            item_id="a:0" if i == 0 else "b:0",
            source=str(inputs / f"{c['case']}.pdb"),
            member=0,
            checksum=f"c{i}",
            heavy=c["heavy"],
            light=None if c["light"] == "-" else c["light"],
            antigen=c["antigen"],
            roles_detected=False,
            status="done",
            error=None,
            seconds=0.9,
            n_nodes=40 + i,
            n_edges=100 + i,
        )
        for i, c in enumerate(good)
    ]
    rows.append(
        dict(
            item_id="x:0",
            source=str(inputs / XSS_NAME),
            member=0,
            checksum="cx",
            heavy=None,
            light=None,
            antigen=None,
            roles_detected=False,
            status="failed",
            error=f"{XSS_NAME}: no ATOM records",
            seconds=0.1,
            n_nodes=0,
            n_edges=0,
        )
    )
    pd.DataFrame(rows).to_parquet(run_dir / "structures.parquet")
    heavy = (
        "EVQLVESGGGLVQPGGSLRLSCAASGFTFSSYAMSWVRQAPGKGLEWVSAISGSGGSTYYADSVKGRFTISRDNSKNTLYLQMNSLRA"
        "EDTAVYYCAKDRGYFDYWGQGTLVTVSS"
    )
    light = (
        "DIQMTQSPSSLSASVGDRVTITCRASQSISSYLNWYQQKPGKAPKLLIYAASSLQSGVPSRFSGSGSGTDFTLTISSLQPEDFATYYCQQ"
        "SYSTPLTFGQGTKVEIK"
    )
    pd.DataFrame(
        [
            dict(
                seq_hash="h",
                sequence=heavy,
                length=len(heavy),
                items="a:0",
                roles="heavy",
                chain_type="H",
                species="human",
                scheme="imgt",
                cdr1="GFTFSSYA",
                cdr2="ISGSGGST",
                cdr3="AKDRGYFDY",
                v_start=0,
                v_end=len(heavy),
            ),
            dict(
                seq_hash="l",
                sequence=light,
                length=len(light),
                items="a:0",
                roles="light",
                chain_type="K",
                species="human",
                scheme="imgt",
                cdr1="QSISSY",
                cdr2="AAS",
                cdr3="QQSYSTPLT",
                v_start=0,
                v_end=len(light),
            ),
        ]
    ).to_parquet(run_dir / "sequences.parquet")
    reg = []
    for chain, seq, cdrs in (
        ("H", heavy, ("GFTFSSYA", "ISGSGGST", "AKDRGYFDY")),
        ("L", light, ("QSISSY", "AAS", "QQSYSTPLT")),
    ):
        labels = ["FR"] * len(seq)
        for k, cdr in enumerate(cdrs, 1):
            start = seq.index(cdr)
            labels[start : start + len(cdr)] = [f"CDR{k}"] * len(cdr)
        reg += [
            dict(
                item_id="a:0",
                chain=chain,
                res_seq=i + 1,
                ins_code="",
                aa=aa,
                position=str(i + 1),
                region=lab,
            )
            for i, (aa, lab) in enumerate(zip(seq, labels, strict=True))
        ]
    pd.DataFrame(reg).to_parquet(run_dir / "regions.parquet")
    (run_dir / "run.json").write_text(
        json.dumps(
            {
                "run_id": rid,
                "status": "completed",
                "config": {
                    "inputs": [str(inputs)],
                    "stages": ["prep", "embed"],
                    "model": "random:esm2_t6_8M_UR50D",
                    "devices": "sim:1.0,sim:0.5",
                },
                "versions": {"workbench": "0.1.0", "panel": "1.9.4"},
                "counts": {"items": 3, "done": 2, "failed": 1},
                "started": T0,
                "finished": T0 + 7.1,
                "wall_seconds": 7.1,
                "stages": {
                    "prep": {"seconds": 2.0, "done": 2, "failed": 1},
                    "embed": {"seconds": 4.8, "done": 4, "failed": 0},
                },
                "embeddings_untrained": True,
                "voronota": False,
                "cluster": None,
                "dashboard": None,
            }
        )
    )
    return run_dir


def telemetry_samples(t0: float = T0 + 8) -> list:
    """Four seconds of host and cuda:0 samples after the run: iowait high, memory 13 of 16 GiB."""
    out = []
    for i, iowait in enumerate([4.0, 25.0, 30.0, 28.0]):
        out.append(
            HostSample(
                run_id="run-test",
                t=t0 + i,
                host="node1",
                cores=4,
                cpu_percent=60.0,
                iowait_percent=iowait,
                read_bps=5e7,
                write_bps=1e6,
                net_bps=0.0,
                proc_cpu_percent=150.0,
                proc_rss=3 * 2**30,
                n_procs=3,
            )
        )
        out.append(
            DeviceSample(
                run_id="run-test",
                t=t0 + i,
                host="node1",
                device="cuda:0",
                util_percent=40.0 + 10 * i,
                mem_used=(10 + i) * 2**30,
                mem_total=16 * 2**30,
                power_w=200.0,
                temp_c=60.0,
            )
        )
    return out
