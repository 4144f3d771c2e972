"""Vectorised geometry over (..., 2) point arrays. NaN in, NaN out; never an exception."""

from __future__ import annotations

import numpy as np


def included_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle a-b-c at vertex ``b`` in degrees, in [0, 180] (180 = straight).

    NaN where a point is missing or a segment has zero length.
    """
    v1 = np.asarray(a, float) - b
    v2 = np.asarray(c, float) - b
    n1 = np.linalg.norm(v1, axis=-1)
    n2 = np.linalg.norm(v2, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(v1 * v2, axis=-1) / (n1 * n2)
    cos = np.where((n1 > 0) & (n2 > 0), cos, np.nan)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def elevation_deg(p_from: np.ndarray, p_to: np.ndarray, facing: int | np.ndarray = 0) -> np.ndarray:
    """Angle of the line p_from->p_to above the horizontal of an image (y down), degrees.

    ``facing`` = +1 (rider faces image-right) or -1 measures from the forward horizontal, so a
    line leaning backwards exceeds 90; 0 measures from whichever horizontal is nearer, in
    [-90, 90]. Positive = p_to higher than p_from.
    """
    d = np.asarray(p_to, float) - p_from
    up = -d[..., 1]
    fwd = np.abs(d[..., 0]) if np.all(facing == 0) else d[..., 0] * facing
    return np.degrees(np.arctan2(up, fwd))


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(a, float) - b, axis=-1)


def rotate_points(xy: np.ndarray, angle_deg: float, center: np.ndarray) -> np.ndarray:
    """Rotate image points counter-clockwise as seen on screen (y down) by ``angle_deg``."""
    r = np.radians(angle_deg)
    rot = np.array([[np.cos(r), np.sin(r)], [-np.sin(r), np.cos(r)]])
    return (np.asarray(xy, float) - center) @ rot.T + center
