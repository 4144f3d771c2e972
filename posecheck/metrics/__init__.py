"""PoseTrack -> per-frame metrics table (``metrics.csv``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from posecheck.metrics.angles import side_angles
from posecheck.track import PoseTrack
from posecheck.view import ViewDecision

SIDE_COLUMNS = ("knee_angle_deg", "hip_angle_deg", "elbow_angle_deg", "shoulder_angle_deg",
                "ankle_angle_deg", "back_angle_deg", "shrug_ratio", "neck_angle_deg")


def compute_metrics(track: PoseTrack, view: ViewDecision) -> pd.DataFrame:
    """One row per analysed frame: ``frame``, ``time_s`` and one column per metric.

    Metrics not valid for the view are NaN.
    """
    df = pd.DataFrame({"frame": track.frame.astype(int), "time_s": track.t_s})
    if view.near_side:
        cols = side_angles(track.xy_px, view.near_side, view.facing)
    else:
        cols = {c: np.full(len(track), np.nan) for c in SIDE_COLUMNS}
    for c in SIDE_COLUMNS:
        df[c] = cols[c]
    return df
