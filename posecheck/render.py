"""Overlays on video frames: skeleton, angle arcs and labels; the annotated H.264 video.

No Streamlit here: the app, the reports and the CLI all draw through these functions.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from posecheck.landmarks import SKELETON_EDGES, side_landmark
from posecheck.ranges import MIN_CONF
from posecheck.video import iter_frames, probe

NEAR = (40, 220, 255)  # BGR: amber for the near side
FAR = (160, 160, 160)
#: (label, metrics column, first, vertex, last) for the arcs drawn on side views
ARCS = (
    ("knee", "knee_angle_deg", "HIP", "KNEE", "ANKLE"),
    ("hip", "hip_angle_deg", "SHOULDER", "HIP", "KNEE"),
    ("elbow", "elbow_angle_deg", "SHOULDER", "ELBOW", "WRIST"),
    ("shoulder", "shoulder_angle_deg", "HIP", "SHOULDER", "ELBOW"),
)


def _pt(p) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


def draw_pose(
    img: np.ndarray, xy: np.ndarray, row: pd.Series | None = None, near_side: str | None = None
) -> np.ndarray:
    """Draw the skeleton of one frame's landmarks (33, 2) and, for side views, the angle arcs
    with their values from ``row`` (a metrics.csv row). An angle whose confidence in ``row``
    is below :data:`posecheck.ranges.MIN_CONF` (a leg guessed with the feet out of the
    picture) gets no arc and no number: the overlay shows no figure the analysis does not
    stand behind. Returns a new image."""
    out = img.copy()
    scale = max(out.shape[:2]) / 800
    thick = max(1, int(round(2 * scale)))
    if not np.isfinite(xy).any():
        return out
    near_ids = set()
    if near_side:
        near_ids = {
            side_landmark(near_side, j)
            for j in (
                "SHOULDER",
                "ELBOW",
                "WRIST",
                "HIP",
                "KNEE",
                "ANKLE",
                "HEEL",
                "FOOT_INDEX",
                "EAR",
            )
        }
    for a, b in SKELETON_EDGES:
        if np.isfinite(xy[[a, b]]).all():
            near = a in near_ids and b in near_ids
            cv2.line(
                out,
                _pt(xy[a]),
                _pt(xy[b]),
                NEAR if near else FAR,
                thick + (1 if near else 0),
                cv2.LINE_AA,
            )
    for i, p in enumerate(xy):
        if np.isfinite(p).all():
            cv2.circle(out, _pt(p), thick + 2, NEAR if i in near_ids else FAR, -1, cv2.LINE_AA)
    if near_side and row is not None:
        for arc_label, col, *joints in ARCS:
            val = row.get(col, np.nan)
            pa, pv, pc = (xy[side_landmark(near_side, j)] for j in joints)
            if not (np.isfinite(val) and np.isfinite([pa, pv, pc]).all()):
                continue
            if row.get(f"{col}_conf", 1.0) < MIN_CONF:
                continue
            r = int(28 * scale)
            a1 = np.degrees(np.arctan2(pa[1] - pv[1], pa[0] - pv[0]))
            a2 = np.degrees(np.arctan2(pc[1] - pv[1], pc[0] - pv[0]))
            if (a2 - a1) % 360 > 180:
                a1, a2 = a2, a1
            if a2 < a1:
                a2 += 360
            cv2.ellipse(out, _pt(pv), (r, r), 0, a1, a2, (255, 255, 255), thick, cv2.LINE_AA)
            text = f"{arc_label} {val:.0f}"
            org = (int(pv[0] + r + 4), int(pv[1] - 4))
            for color, w in (((0, 0, 0), thick + 3), ((255, 255, 255), thick)):
                cv2.putText(
                    out, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.5 * scale, color, w, cv2.LINE_AA
                )
    return out


def frame_at(video: str | Path, time_s: float) -> tuple[np.ndarray, int] | None:
    """The upright frame nearest ``time_s`` and its index (None past the end)."""
    info = probe(video)
    idx = int(round(time_s * info.fps))
    idx = min(max(idx, 0), max(info.n_frames - 1, 0))
    for frame in iter_frames(video, start_frame=idx, stop_frame=idx + 1):
        return frame.image, frame.index
    return None


def annotated_frame(analysis, time_s: float) -> np.ndarray | None:
    """RGB image of the frame nearest ``time_s`` with the skeleton and angles drawn; None
    when the video is no longer there (or past its end)."""
    if not analysis.video_available:
        return None
    got = frame_at(analysis.info.path, time_s)
    if got is None:
        return None
    img, idx = got
    tr = analysis.track
    k = int(np.argmin(np.abs(tr.frame - idx))) if len(tr) else -1
    if k < 0 or tr.frame[k] != idx:
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    row = analysis.metrics.iloc[k]
    drawn = draw_pose(img, tr.xy_px[k], row, analysis.view.near_side)
    return cv2.cvtColor(drawn, cv2.COLOR_BGR2RGB)


def write_annotated_video(
    analysis, path: str | Path, max_side_px: int = 960, progress=None
) -> Path:
    """The analysed frames with skeleton and live angle labels as H.264 MP4 (plays in every
    browser). Written to a temporary name, then renamed. ``progress(done, total, fps)`` is
    called after each frame written (frames drawn so far, frames to draw, frames a second)."""
    import time

    import imageio_ffmpeg

    path = Path(path)
    info = analysis.info
    if not analysis.video_available:
        raise FileNotFoundError(
            f"{info.path}: the analysed video is no longer there (moved or deleted), so no "
            f"annotated video can be drawn; every figure is still in {analysis.outdir}"
        )
    tr = analysis.track
    scale = min(1.0, max_side_px / max(info.size_wh))
    w = int(info.size_wh[0] * scale) // 2 * 2
    h = int(info.size_wh[1] * scale) // 2 * 2
    tmp = path.with_name(path.name + ".tmp.mp4")
    writer = imageio_ffmpeg.write_frames(
        str(tmp),
        (w, h),
        fps=info.fps,
        codec="libx264",
        pix_fmt_in="bgr24",
        pix_fmt_out="yuv420p",
        quality=None,
        macro_block_size=2,
        output_params=["-crf", "26", "-preset", "veryfast", "-movflags", "+faststart"],
        ffmpeg_log_level="error",
    )
    writer.send(None)
    pos = {int(f): i for i, f in enumerate(tr.frame)}
    metrics = analysis.metrics
    done, t0 = 0, time.monotonic()
    try:
        for frame in iter_frames(info.path):
            k = pos.get(frame.index)
            if k is None:
                continue  # long mode: only the analysed windows
            img = draw_pose(frame.image, tr.xy_px[k], metrics.iloc[k], analysis.view.near_side)
            if scale != 1.0:
                img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
            elif img.shape[1] != w or img.shape[0] != h:
                img = img[:h, :w]
            writer.send(np.ascontiguousarray(img))
            done += 1
            if progress is not None:
                progress(done, len(pos), done / max(time.monotonic() - t0, 1e-6))
    finally:
        writer.close()
    os.replace(tmp, path)
    return path
