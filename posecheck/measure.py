"""From landmarks to numbers: cleaning, the view, metrics and strokes (used by the pipeline,
the live watcher and Coach), and an older analysis measured again with today's code."""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path

import pandas as pd

from posecheck.calibration import untilt
from posecheck.clean import clean_track
from posecheck.metrics import compute_metrics
from posecheck.ranges import load_ranges, with_status
from posecheck.strokes import stroke_table
from posecheck.track import PoseTrack
from posecheck.view import ViewDecision, classify_view, from_override


def measure(
    track: PoseTrack,
    fps: float,
    size_wh: tuple[int, int],
    view: str | ViewDecision | None = None,
    tilt_deg: float = 0.0,
    correct_bias: bool = True,
    position: str = "hoods",
) -> tuple[ViewDecision, PoseTrack, PoseTrack, pd.DataFrame, pd.DataFrame]:
    """The pipeline from landmarks to numbers: (view, cleaned track, levelled track,
    metrics.csv, strokes.csv). ``view`` overrides the view found from the track;
    ``tilt_deg`` is the camera's roll (a tilted camera's landmarks are levelled first).
    Used by :func:`analyze` and by the live watcher (:mod:`posecheck.live`) on the frames
    recorded so far."""
    if isinstance(view, ViewDecision):
        decision = view
    else:
        decision = from_override(view) if view else classify_view(track)
    clean = clean_track(
        track, fps, side_view=decision.near_side is not None, near_side=decision.near_side
    )
    level = clean  # what a level camera would have seen: angles against horizontal, crank
    if tilt_deg:
        centre = (size_wh[0] / 2, size_wh[1] / 2)
        level = dataclasses.replace(clean, xy_px=untilt(clean.xy_px, tilt_deg, centre))
    metrics = compute_metrics(
        level,
        decision,
        size_wh,
        raw_visibility=track.visibility,
        frame_xy=clean.xy_px,
        correct_bias=correct_bias,
    )
    strokes = with_status(
        stroke_table(metrics, level.xy_px, decision, fps), load_ranges(position=position)
    )
    return decision, clean, level, metrics, strokes


def remeasure(summary: dict, track: PoseTrack) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Today's ``metrics.csv`` and ``strokes.csv`` of an analysis from its own keypoints and
    ``summary.json`` (frame rate, size, view, camera tilt, riding position): every correction
    of today's code, and no need of the video itself."""
    video, v = summary["video"], summary["view"]
    view = ViewDecision(v["view"], v["near_side"], v["facing"], v["confidence"], v["source"])
    tilt = float((summary.get("camera") or {}).get("tilt_deg") or 0.0)
    position = (summary.get("fit") or {}).get("position") or "hoods"
    size = (int(video["width"]), int(video["height"]))
    _, _, _, metrics, strokes = measure(
        track, float(video["fps"]), size, view, tilt, True, position
    )
    return metrics, strokes


def remeasure_folder(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`remeasure` of an analysis folder (its ``summary.json`` and ``keypoints.npz``),
    kept for the process while the keypoints file is unchanged: the app's History and Coach
    views compare again on every rerun of the page (0.26 s per 5,400 frames measured). Copies,
    so a caller may change them. Raises OSError, ValueError or KeyError for a folder that
    cannot be read."""
    folder = Path(folder)
    stamp = (folder / "keypoints.npz").stat().st_mtime_ns
    metrics, strokes = _remeasured(str(folder.resolve()), stamp)
    return metrics.copy(), strokes.copy()


@functools.lru_cache(maxsize=8)
def _remeasured(folder: str, stamp: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    summary = json.loads((Path(folder) / "summary.json").read_text())
    return remeasure(summary, PoseTrack.load(Path(folder) / "keypoints.npz"))
