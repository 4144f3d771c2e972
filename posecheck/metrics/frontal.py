"""Rear and front views: the hip and shoulder lines against the horizontal.

MediaPipe often exchanges left and right labels when it sees a person from behind, so these
metrics never use the labels: the two points of a pair are ordered by image x.

| column | formula | sign | valid views |
|---|---|---|---|
| pelvic_obliquity_deg | line from the image-left hip to the image-right hip, against horizontal | + when the image-right hip is higher | rear, front |
| shoulder_tilt_deg | the same for the shoulders | + when the image-right shoulder is higher | rear, front |

In a rear view the image-right hip is the rider's right hip; in a front view it is the left.
Per-stroke hip rocking is the range (max - min) of pelvic_obliquity_deg within a stroke.
"""

from __future__ import annotations

import numpy as np


def line_tilt_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Tilt of the segment between two (T, 2) point series, ordered by x; + = right end up."""
    left = np.where((a[:, :1] <= b[:, :1]), a, b)
    right = np.where((a[:, :1] <= b[:, :1]), b, a)
    d = right - left
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arctan2(-d[:, 1], d[:, 0]))
