"""The overlay draws an angle's number only where the analysis stands behind it."""

import numpy as np
import pandas as pd

from posecheck.landmarks import N_LANDMARKS, side_landmark
from posecheck.render import draw_pose


def _side_pose() -> np.ndarray:
    xy = np.full((N_LANDMARKS, 2), np.nan)
    for joint, p in {
        "SHOULDER": (200, 100), "ELBOW": (260, 150), "WRIST": (320, 160), "HIP": (100, 180),
        "KNEE": (180, 250), "ANKLE": (150, 330), "HEEL": (140, 335), "FOOT_INDEX": (180, 340),
        "EAR": (230, 70),
    }.items():  # fmt: skip
        xy[side_landmark("right", joint)] = p
    return xy


def test_an_angle_below_the_confidence_bar_gets_no_number():
    img = np.zeros((400, 400, 3), np.uint8)
    xy = _side_pose()
    bare = draw_pose(img, xy, pd.Series({"knee_angle_deg": np.nan}), "right")
    sure = draw_pose(
        img, xy, pd.Series({"knee_angle_deg": 120.0, "knee_angle_deg_conf": 0.9}), "right"
    )
    unsure = draw_pose(
        img, xy, pd.Series({"knee_angle_deg": 120.0, "knee_angle_deg_conf": 0.1}), "right"
    )
    knee = side_landmark("right", "KNEE")
    x, y = (int(v) for v in xy[knee])
    near_knee = np.s_[y - 40 : y + 10, x : x + 120]  # the arc and the label "knee 120"
    assert (sure[near_knee] != bare[near_knee]).any()  # drawn when confident
    np.testing.assert_array_equal(unsure, bare)  # not drawn when not
    # a row without confidences (the live overlay's angles) is drawn as given
    given = draw_pose(img, xy, pd.Series({"knee_angle_deg": 120.0}), "right")
    np.testing.assert_array_equal(given, sure)
