"""PoseTrack -> per-frame metrics table (``metrics.csv``), each metric with a confidence.

Column definitions, units, signs and valid views are documented in :mod:`.angles`,
:mod:`.trunk` and :mod:`.frontal`. Metrics not valid for the view are NaN, not guesses.

Confidence ``<metric>_conf`` in [0, 1] per frame is the product of
- the lowest MediaPipe visibility among the landmarks the metric uses (a point filled in by
  gap interpolation counts 0.5),
- an in-frame check: 0 when any of those landmarks lies outside the picture (MediaPipe
  guesses cut-off feet; the guess must not pass as a measurement),
- the view decision's confidence (and 0 when the view is not one the metric is valid for),
- for the leg metrics (knee, ankle, hip) a leg factor: the ankle counts only when the whole
  foot (ankle, heel, toe) is in the picture; the share of frames where it is multiplies every
  leg confidence of the clip (a foot that leaves the picture each stroke makes the model
  guess the whole lower leg); and the shin's length must stay within 10-30% of its median
  (it barely changes in a side view).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from posecheck.landmarks import Landmark as L
from posecheck.landmarks import side_landmark
from posecheck.metrics.angles import COLUMN_JOINTS, side_angles
from posecheck.metrics.bias import (
    LANDMARK_ANGLES,
    correct_landmarks,
    scale_outline,
)
from posecheck.metrics.frontal import line_tilt_deg
from posecheck.metrics.trunk import (
    dorsal_profile,
    lumbar_bend_deg,
    pelvic_tilt_deg,
    thoracic_rounding_deg,
    upper_bend_deg,
)
from posecheck.track import PoseTrack
from posecheck.view import ViewDecision

SIDE_COLUMNS = (
    "knee_angle_deg",
    "hip_angle_deg",
    "elbow_angle_deg",
    "shoulder_angle_deg",
    "ankle_angle_deg",
    "back_angle_deg",
    "shrug_ratio",
    "neck_angle_deg",
)
OUTLINE_COLUMNS = ("thoracic_rounding_deg", "pelvic_tilt_deg")
#: where along the back a bend sits (see posecheck.metrics.trunk): not signs themselves
SHAPE_COLUMNS = ("upper_bend_deg", "lumbar_bend_deg")
FRONTAL_COLUMNS = ("pelvic_obliquity_deg", "shoulder_tilt_deg")
ALL_COLUMNS = SIDE_COLUMNS + OUTLINE_COLUMNS + SHAPE_COLUMNS + FRONTAL_COLUMNS
#: margin (fraction of width/height) inside which a landmark counts as in the picture
IN_FRAME_MARGIN = 0.01
#: rear/front: a hip or shoulder line shorter than this share of its median is not measured
MIN_WIDTH_SHARE = 0.6


def landmark_confidence(
    raw_visibility: np.ndarray, cleaned_xy: np.ndarray, size_wh: tuple[int, int]
) -> np.ndarray:
    """(T, 33) confidence of each cleaned landmark: visibility, 0.5 if interpolated,
    0 if missing or outside the picture."""
    w, h = size_wh
    vis = np.where(np.isnan(raw_visibility), 0.5, raw_visibility)
    x, y = cleaned_xy[..., 0], cleaned_xy[..., 1]
    inside = (
        (x >= -IN_FRAME_MARGIN * w)
        & (x <= (1 + IN_FRAME_MARGIN) * w)
        & (y >= -IN_FRAME_MARGIN * h)
        & (y <= (1 + IN_FRAME_MARGIN) * h)
    )
    return np.where(np.isnan(x), 0.0, np.where(inside, vis, 0.0))


LEG_COLUMNS = ("knee_angle_deg", "ankle_angle_deg", "hip_angle_deg")


def leg_factor(xy: np.ndarray, lm_conf: np.ndarray, side: str) -> np.ndarray:
    """(T,) trust in one side's lower leg: whole foot in frame x clip share x shin constancy."""
    foot = [side_landmark(side, j) for j in ("ANKLE", "HEEL", "FOOT_INDEX")]
    foot_in = lm_conf[:, foot].min(axis=1) > 0
    if not len(xy):
        return np.zeros(0)
    share = float(np.mean(foot_in))
    shin = np.linalg.norm(
        xy[:, side_landmark(side, "KNEE")] - xy[:, side_landmark(side, "ANKLE")], axis=-1
    )
    med = np.nanmedian(shin) if np.isfinite(shin).any() else np.nan
    with np.errstate(invalid="ignore"):
        dev = np.abs(shin / med - 1.0)
    constancy = np.clip(1.0 - (dev - 0.1) / 0.2, 0.0, 1.0)
    return np.where(foot_in, share * np.nan_to_num(constancy), 0.0)


def compute_metrics(
    track: PoseTrack,
    view: ViewDecision,
    size_wh: tuple[int, int],
    raw_visibility: np.ndarray | None = None,
    frame_xy: np.ndarray | None = None,
    correct_bias: bool = True,
) -> pd.DataFrame:
    """One row per analysed frame: ``frame``, ``time_s``, each metric and ``<metric>_conf``.

    ``track`` should be cleaned (:func:`posecheck.clean.clean_track`) and, for a tilted
    camera, levelled; ``raw_visibility`` is the visibility before cleaning (defaults to the
    track's own); ``frame_xy`` the landmarks in the picture as filmed, for the in-picture
    check (defaults to the track's own). ``correct_bias`` removes the angles' systematic
    bias on human bodies (:mod:`posecheck.metrics.bias`; the knee reads too straight) and
    scales the outline's back signs to the body's degrees (they read about half of it).
    """
    n = len(track)
    vis = track.visibility if raw_visibility is None else raw_visibility
    lm_conf = landmark_confidence(vis, track.xy_px if frame_xy is None else frame_xy, size_wh)
    cols: dict[str, np.ndarray] = {c: np.full(n, np.nan) for c in ALL_COLUMNS}
    conf: dict[str, np.ndarray] = {c: np.zeros(n) for c in ALL_COLUMNS}
    if view.near_side:
        side = view.near_side
        cols.update(side_angles(track.xy_px, side, view.facing))
        if correct_bias:
            moved = correct_landmarks(track.xy_px, side, view.facing)
            fixed = side_angles(moved, side, view.facing)
            cols.update({c: fixed[c] for c in LANDMARK_ANGLES})
        leg = leg_factor(track.xy_px, lm_conf, side)  # shin length: rotation-invariant
        for c in SIDE_COLUMNS:
            idx = [side_landmark(side, j) for j in COLUMN_JOINTS[c]]
            conf[c] = lm_conf[:, idx].min(axis=1) * view.confidence
            if c in LEG_COLUMNS:
                conf[c] = conf[c] * leg
        if track.outline is not None:
            prof = dorsal_profile(track.outline, view.facing)
            cols["thoracic_rounding_deg"] = thoracic_rounding_deg(prof)
            cols["pelvic_tilt_deg"] = pelvic_tilt_deg(prof)
            cols["upper_bend_deg"] = upper_bend_deg(prof)
            cols["lumbar_bend_deg"] = lumbar_bend_deg(prof)
            if correct_bias:
                scale_outline(cols)
            trunk_idx = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]
            outline_ok = np.mean(np.isfinite(prof), axis=1)
            for c in OUTLINE_COLUMNS + SHAPE_COLUMNS:
                conf[c] = lm_conf[:, trunk_idx].min(axis=1) * outline_ok * view.confidence
    elif view.view in ("rear", "front"):
        xy = track.xy_px
        for col, a, b in (
            ("pelvic_obliquity_deg", L.LEFT_HIP, L.RIGHT_HIP),
            ("shoulder_tilt_deg", L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        ):
            tilt = line_tilt_deg(xy[:, a], xy[:, b])
            # two points that collapse together (the model losing one of them) give a
            # meaningless line: NaN below MIN_WIDTH_SHARE of the clip's median width
            width = np.linalg.norm(xy[:, a] - xy[:, b], axis=-1)
            if np.isfinite(width).any():
                tilt[~(width >= MIN_WIDTH_SHARE * np.nanmedian(width))] = np.nan
            cols[col] = tilt
        conf["pelvic_obliquity_deg"] = lm_conf[:, [L.LEFT_HIP, L.RIGHT_HIP]].min(axis=1)
        conf["shoulder_tilt_deg"] = lm_conf[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].min(axis=1)
        for c in FRONTAL_COLUMNS:
            conf[c] = conf[c] * view.confidence
    df = pd.DataFrame({"frame": track.frame.astype(int), "time_s": track.t_s})
    for c in ALL_COLUMNS:
        df[c] = cols[c]
        df[f"{c}_conf"] = np.where(np.isnan(cols[c]), 0.0, np.round(conf[c], 3))
    return df
