"""Compose the stages: video -> PoseTrack -> view -> metrics -> files. Nothing else here."""
from __future__ import annotations

import functools
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from posecheck import __version__
from posecheck.clean import clean_track
from posecheck.extract import ExtractSettings, Progress, extract_track
from posecheck.metrics import compute_metrics
from posecheck.pose import MediaPipePose, PoseEstimator
from posecheck.ranges import load_ranges, with_status
from posecheck.strokes import pedalling_statement, stroke_table
from posecheck.track import PoseTrack
from posecheck.video import VideoInfo, probe
from posecheck.view import ViewDecision, classify_view, from_override

log = logging.getLogger(__name__)

#: clips longer than this default to ``long`` mode
LONG_MODE_ABOVE_S = 20 * 60.0


class NoRiderError(ValueError):
    """No person was found in the clip; the message names the file."""


@dataclass
class Analysis:
    outdir: Path
    info: VideoInfo
    track: PoseTrack
    view: ViewDecision
    metrics: pd.DataFrame
    strokes: pd.DataFrame
    summary: dict


def make_mediapipe(segmentation: bool = False) -> PoseEstimator:
    return MediaPipePose(segmentation=segmentation)


def long_mode_windows(duration_s: float, window_s: float = 20.0,
                      every_s: float = 60.0) -> tuple[tuple[float, float], ...]:
    """Windows of ``window_s`` seconds at full frame rate, one every ``every_s`` seconds."""
    starts = np.arange(0.0, max(duration_s - 1e-9, 0.0), every_s)
    return tuple((float(s), float(min(s + window_s, duration_s))) for s in starts)


def default_outdir(video: str | Path) -> Path:
    v = Path(video)
    return v.with_name(v.stem + "_posecheck")


def analyze(video: str | Path, outdir: str | Path | None = None, *, mode: str = "auto",
            workers: int = 1, view: str | None = None,
            make_estimator: Callable[[], PoseEstimator] | None = None,
            progress: Progress | None = None) -> Analysis:
    """Analyse one clip into ``outdir`` (see the README for the files written).

    Raises :class:`posecheck.video.VideoError` for unusable input and :class:`NoRiderError`
    (after saving what was found) when no person appears in any frame.
    """
    t0 = time.perf_counter()
    info = probe(video)
    outdir = Path(outdir) if outdir else default_outdir(video)
    if mode == "auto":
        mode = "long" if info.duration_s > LONG_MODE_ABOVE_S else "full"
    if mode not in ("full", "long"):
        raise ValueError(f"mode must be full, long or auto, not {mode!r}")
    factory = make_estimator or functools.partial(make_mediapipe, True)
    probe_est = factory()
    name = probe_est.name
    seg = bool(getattr(probe_est, "segmentation", False))
    probe_est.close()
    settings = ExtractSettings(estimator=name, segmentation=seg,
                               windows_s=long_mode_windows(info.duration_s) if mode == "long"
                               else None)
    track, stats = extract_track(info, outdir, settings, factory, progress, workers=workers)
    decision = from_override(view) if view else classify_view(track)
    clean = clean_track(track, info.fps, side_view=decision.near_side is not None)
    metrics = compute_metrics(clean, decision, info.size_wh, raw_visibility=track.visibility)
    strokes = with_status(stroke_table(metrics, clean.xy_px, decision, info.fps), load_ranges())
    wall = time.perf_counter() - t0
    summary = {
        "posecheck_version": __version__,
        "video": {"path": str(info.path), "fps": info.fps, "n_frames": info.n_frames,
                  "width": info.width, "height": info.height, "rotation_deg": info.rotation_deg,
                  "duration_s": round(info.duration_s, 3)},
        "mode": mode,
        "estimator": name,
        "view": decision.as_dict(),
        "frames_analysed": len(track),
        "detection_rate": round(track.detection_rate, 4),
        "pose_cached": stats["cached"],
        "processing_s": round(wall, 2),
        "pose_fps": round(stats["frames_processed"] / stats["seconds"], 1)
        if stats["seconds"] > 0 else None,
        "workers": workers,
        "pedalling": pedalling_statement(
            strokes, info.duration_s,
            float(metrics["knee_angle_deg_conf"].median()) if decision.near_side else None),
        "cleaning": clean.meta.get("cleaning"),
    }
    write_csv(metrics, outdir / "metrics.csv")
    write_csv(strokes, outdir / "strokes.csv")
    write_json(summary, outdir / "summary.json")
    if len(track) and not track.detected.any():
        raise NoRiderError(f"{video}: no rider found in any of {len(track)} frames "
                           "(film from the side with the whole body in view)")
    return Analysis(outdir, info, track, decision, metrics, strokes, summary)


def write_json(obj: dict, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, allow_nan=False, default=_json_default))
    os.replace(tmp, path)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    df.to_csv(tmp, index=False, float_format="%.4f")
    os.replace(tmp, path)


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")
