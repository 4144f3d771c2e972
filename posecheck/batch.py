"""Analyse a folder of clips: a local process pool, or a Dask cluster for a studio or service.

Each clip gets its own output folder under OUTDIR (mirroring its path under the input folder);
clips already analysed (a ``summary.json`` for the same video) are skipped, and a clip that
fails is reported in the summary table, never stopping the others.

Why Dask rather than Ray: the work is embarrassingly parallel (one clip per task, results on
disk), so all that is needed is "run this function there". ``dask.distributed`` does that
with a pure-Python install, a ``LocalCluster`` the tests can start, and a plain
``Client("tcp://scheduler:8786")`` for a real cluster; Ray would add a large runtime and an
object store this job does not use. No scheduler is written here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from posecheck.video import VIDEO_SUFFIXES

COLUMNS = [
    "video",
    "status",
    "outdir",
    "frames",
    "detection_rate",
    "view",
    "strokes",
    "cadence_rpm",
    "findings",
    "headline",
    "seconds",
    "message",
]


def find_videos(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in VIDEO_SUFFIXES
        and not any(part.endswith("_posecheck") for part in p.parts)
    )


def output_for(video: Path, folder: Path, outdir: Path) -> Path:
    rel = video.relative_to(folder)
    return outdir / rel.parent / f"{rel.stem}{rel.suffix.replace('.', '_')}"


def already_done(video: Path, out: Path) -> bool:
    try:
        summary = json.loads((out / "summary.json").read_text())
    except (OSError, ValueError):
        return False
    done = Path(summary.get("video", {}).get("path", ""))
    # summaries record the clip's absolute path (older ones: as it was given)
    return "view" in summary and done.resolve() == Path(video).resolve()


def analyse_one(
    video: str,
    out: str,
    mode: str | None = None,
    profile: dict | None = None,
    rider: str | None = None,
) -> dict:
    """One clip, in whatever process runs it. Never raises: the row says what happened."""
    from posecheck.calibration import ProfileError
    from posecheck.pipeline import NoRiderError, analyze
    from posecheck.video import VideoError

    t0 = time.perf_counter()
    row = {"video": video, "outdir": out}
    try:
        a = analyze(video, out, mode=mode, profile=profile, reports=True, rider=rider)
    except (VideoError, NoRiderError, ProfileError, OSError) as exc:
        return {
            **row,
            "status": "error",
            "message": str(exc),
            "seconds": round(time.perf_counter() - t0, 1),
        }
    s = a.summary
    return {
        **row,
        "status": "analysed",
        "frames": s["frames_analysed"],
        "detection_rate": s["detection_rate"],
        "view": s["view"]["view"],
        "strokes": s["pedalling"]["strokes"],
        "cadence_rpm": s["pedalling"].get("cadence_rpm_median"),
        "findings": len(a.findings["findings"]),
        "headline": a.findings["headline"],
        "seconds": round(time.perf_counter() - t0, 1),
        "message": no_strokes_message(s),
    }


def no_strokes_message(summary: dict) -> str:
    """For a clip analysed without a single pedal stroke, the pedalling statement's first
    words ("No pedalling seen", "Pedal strokes could not be measured"), so the batch table
    says why its row has no figures; empty otherwise."""
    pedalling = summary.get("pedalling") or {}
    if pedalling.get("strokes"):
        return ""
    return str(pedalling.get("statement", "")).split(":")[0]


def _summary_row(video: Path, out: Path) -> dict:
    s = json.loads((out / "summary.json").read_text())
    f = (
        json.loads((out / "findings.json").read_text())
        if (out / "findings.json").exists()
        else {"findings": [], "headline": ""}
    )
    return {
        "video": str(video),
        "outdir": str(out),
        "status": "done before",
        "frames": s.get("frames_analysed"),
        "detection_rate": s.get("detection_rate"),
        "view": s.get("view", {}).get("view"),
        "strokes": s.get("pedalling", {}).get("strokes"),
        "cadence_rpm": s.get("pedalling", {}).get("cadence_rpm_median"),
        "findings": len(f["findings"]),
        "headline": f["headline"],
        "seconds": 0.0,
        "message": no_strokes_message(s),
    }


def batch(
    folder: str | Path,
    outdir: str | Path,
    workers: int = 1,
    scheduler: str | None = None,
    mode: str | None = None,
    profile: dict | None = None,
    rider: str | None = None,
) -> pd.DataFrame:
    """Analyse every clip under ``folder``; returns and writes ``batch_summary.csv``.

    ``scheduler``: the address of a Dask scheduler (``tcp://host:8786``), or a
    ``distributed.Client``; None runs a local pool of ``workers`` processes."""
    folder, outdir = Path(folder).resolve(), Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    rows, todo = [], []
    for v in find_videos(folder):
        out = output_for(v, folder, outdir)
        if already_done(v, out):
            rows.append(_summary_row(v, out))
        else:
            todo.append((str(v), str(out)))
    if todo and scheduler is not None:
        from distributed import Client

        client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
        futures = client.map(
            analyse_one,
            [v for v, _ in todo],
            [o for _, o in todo],
            mode=mode,
            profile=profile,
            rider=rider,
            pure=False,
        )
        rows += client.gather(futures)
    elif todo and workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        from posecheck.cores import exit_with_parent
        from posecheck.extract import _importable_main

        with (
            _importable_main(),
            ProcessPoolExecutor(
                workers, mp_context=mp.get_context("spawn"), initializer=exit_with_parent
            ) as pool,
        ):
            rows += list(
                pool.map(
                    analyse_one,
                    [v for v, _ in todo],
                    [o for _, o in todo],
                    [mode] * len(todo),
                    [profile] * len(todo),
                    [rider] * len(todo),
                )
            )
    else:
        rows += [analyse_one(v, o, mode, profile, rider) for v, o in todo]
    table = pd.DataFrame(rows).reindex(columns=COLUMNS).sort_values("video")
    from posecheck.io import write_csv

    write_csv(table, outdir / "batch_summary.csv")
    return table
