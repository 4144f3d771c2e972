"""Joint and trunk angles of the near side (side views only).

All joint angles are included angles in degrees, 180 = straight, from image landmarks:

| column | formula | valid views |
|---|---|---|
| knee_angle_deg | angle hip-knee-ankle | side |
| hip_angle_deg | angle shoulder-hip-knee | side |
| elbow_angle_deg | angle shoulder-elbow-wrist | side |
| shoulder_angle_deg | angle hip-shoulder-elbow | side |
| ankle_angle_deg | angle knee-ankle-foot index | side |
| back_angle_deg | hip->shoulder line above the forward horizontal; 0 = flat back, 90 = upright | side |
| shrug_ratio | dist(ear, shoulder) / dist(shoulder, hip); falls as the shoulders rise | side |
| neck_angle_deg | angle between the hip->shoulder and shoulder->ear lines; 0 = head in line with the trunk, larger = head raised (neck extension) | side |

Flexion = 180 - included angle. Sign conventions are those of the rider facing either way:
``facing`` (+1 image-right, -1 image-left) makes back_angle_deg independent of direction.
"""

from __future__ import annotations

import numpy as np

from posecheck.geometry import distance, elevation_deg, included_angle_deg
from posecheck.landmarks import side_landmark

#: (column, first, vertex, last) joints for the included angles, per side.
JOINT_ANGLES: tuple[tuple[str, str, str, str], ...] = (
    ("knee_angle_deg", "HIP", "KNEE", "ANKLE"),
    ("hip_angle_deg", "SHOULDER", "HIP", "KNEE"),
    ("elbow_angle_deg", "SHOULDER", "ELBOW", "WRIST"),
    ("shoulder_angle_deg", "HIP", "SHOULDER", "ELBOW"),
    ("ankle_angle_deg", "KNEE", "ANKLE", "FOOT_INDEX"),
)

#: landmarks each column is computed from (used for confidences)
COLUMN_JOINTS: dict[str, tuple[str, ...]] = {
    **{c: (a, b, d) for c, a, b, d in JOINT_ANGLES},
    "back_angle_deg": ("HIP", "SHOULDER"),
    "shrug_ratio": ("EAR", "SHOULDER", "HIP"),
    "neck_angle_deg": ("HIP", "SHOULDER", "EAR"),
}


def side_angles(xy: np.ndarray, side: str, facing: int) -> dict[str, np.ndarray]:
    """The columns above for one side, from image landmarks ``xy`` (T, 33, 2) in pixels."""

    def j(name: str) -> np.ndarray:
        return xy[:, side_landmark(side, name)]

    out = {col: included_angle_deg(j(a), j(b), j(c)) for col, a, b, c in JOINT_ANGLES}
    hip, sh, ear = j("HIP"), j("SHOULDER"), j("EAR")
    out["back_angle_deg"] = elevation_deg(hip, sh, facing)
    with np.errstate(invalid="ignore", divide="ignore"):
        trunk = distance(sh, hip)
        out["shrug_ratio"] = np.where(trunk > 0, distance(ear, sh) / trunk, np.nan)
    out["neck_angle_deg"] = 180.0 - included_angle_deg(hip, sh, ear)
    return out
