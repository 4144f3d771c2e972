"""Ride files (FIT, TCX, CSV: power, heart rate, cadence) beside posture.

:func:`attach_ride` puts a ride file on an analysis' time axis (:mod:`posecheck.ride.sync`),
writes ``ride.csv`` (the whole file, one row per second, on the video's time axis), adds a
``ride`` block to ``summary.json`` (file, ``offset_s``, ``confidence``, method, heart-rate
drift) and each finding's power, heart rate and cadence at its onset to ``findings.json``.
A file that cannot be used (unreadable, another ride, no overlap) leaves the analysis as it
was, with the reason in ``summary.json``'s ``ride.error``: the analysis never fails for it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from posecheck.io import write_csv, write_json
from posecheck.ride.figures import (
    figures_sentence,
    finding_figures,
    heart_rate_drift,
    on_video_axis,
)
from posecheck.ride.read import RideFileError, read_ride
from posecheck.ride.sync import SyncError, synchronise
from posecheck.video import video_creation_time

__all__ = ["RideFileError", "SyncError", "attach_ride", "read_ride", "ride_table"]

log = logging.getLogger(__name__)
RIDE_CSV = "ride.csv"


def attach_ride(
    analysis: Any, path: str | Path, offset_s: float | None = None, label: str | None = None
) -> dict:
    """Attach the ride file at ``path`` to ``analysis`` (a :class:`posecheck.pipeline.
    Analysis`; its summary and findings are updated in place and on disk). Returns the
    ``ride`` block written to ``summary.json`` (with ``error`` when the file was not used).
    ``label``: the file's name as the rider knows it (an upload's own name), in messages."""
    path = Path(path)
    out = Path(analysis.outdir)
    name = label or path.name
    block: dict[str, Any] = {"file": name}
    try:
        ride = read_ride(path)
        duration = float(analysis.info.duration_s)
        sync = synchronise(
            ride,
            analysis.strokes,
            duration,
            video_start_utc=video_creation_time(analysis.info.path),
            manual_offset_s=offset_s,
        )
    except (RideFileError, SyncError) as exc:
        msg = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
        if label:
            msg = msg.replace(str(path), label)
        log.warning("%s", msg)
        block["error"] = msg
        (out / RIDE_CSV).unlink(missing_ok=True)
        _clear_findings(analysis.findings)
        analysis.summary["ride"] = block
        write_json(analysis.summary, out / "summary.json")
        write_json(analysis.findings, out / "findings.json")
        return block
    table = on_video_axis(ride, sync.offset_s)
    base = analysis.findings.get("baseline", {})
    window = (float(base.get("start_s", 0.0)), float(base.get("end_s", 0.0)))
    _clear_findings(analysis.findings)
    for f in analysis.findings.get("findings", []):
        fig = finding_figures(table, f, window)
        if fig:
            f["ride"] = fig
            f["ride_sentence"] = figures_sentence(fig)
    block.update(
        {
            **sync.as_dict(),
            "duration_s": round(ride.duration_s, 1),
            "channels": [c for c in ("power_w", "heart_rate_bpm", "cadence_rpm") if ride.has(c)],
            "heart_rate_drift": heart_rate_drift(table, duration),
        }
    )
    analysis.findings["heart_rate_drift"] = block["heart_rate_drift"]
    analysis.summary["ride"] = block
    write_csv(table, out / RIDE_CSV)
    write_json(analysis.summary, out / "summary.json")
    write_json(analysis.findings, out / "findings.json")
    return block


def _clear_findings(findings: dict) -> None:
    """Remove the figures of a ride file attached before (attaching again replaces them)."""
    findings.pop("heart_rate_drift", None)
    for f in findings.get("findings", []):
        f.pop("ride", None)
        f.pop("ride_sentence", None)


def ride_table(outdir: str | Path) -> pd.DataFrame | None:
    """The analysis' ``ride.csv``, or None when no ride file is attached."""
    p = Path(outdir) / RIDE_CSV
    return pd.read_csv(p) if p.exists() else None
