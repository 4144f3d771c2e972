"""The body's outline across the trunk, from a person segmentation mask.

For stations s in :data:`STATIONS` along the chord from mid-hip (s=0) to mid-shoulder (s=1),
march from the chord point outwards along both normals while the mask says "person"
(probability >= 0.5). The result, in chord lengths, is a (2, K) profile: row 0 along
``n+ = (-u_y, u_x)`` (u = unit chord in image coordinates, y down), row 1 along ``n- = -n+``.
Which row is the back depends on which way the rider faces (see
:func:`posecheck.metrics.trunk.dorsal_profile`). Saving this profile instead of the mask keeps
``keypoints.npz`` small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from posecheck.cropmask import CropMask

STATIONS = np.round(np.linspace(0.0, 0.9, 19), 3)
THRESHOLD = 0.5


def trunk_profile(
    mask: np.ndarray | CropMask | None,
    hip_xy: np.ndarray,
    shoulder_xy: np.ndarray,
    stations: np.ndarray = STATIONS,
    threshold: float = THRESHOLD,
    max_extent: float = 0.6,
) -> np.ndarray:
    """(2, K) outward extent of the mask on each side of the hip->shoulder chord, in chord
    lengths; NaN where the chord point is not on the person or a point is missing."""
    out = np.full((2, len(stations)), np.nan)
    hip = np.asarray(hip_xy, float)
    sh = np.asarray(shoulder_xy, float)
    if mask is None or not (np.isfinite(hip).all() and np.isfinite(sh).all()):
        return out
    chord = sh - hip
    length = float(np.hypot(*chord))
    if length < 4:
        return out
    u = chord / length
    n = np.array([-u[1], u[0]])
    h, w = mask.shape
    steps = np.arange(int(max_extent * length) + 1)
    # both sides at once: points (side, station, step, xy), n+ first
    side = np.array([1.0, -1.0])[:, None, None, None]
    pts = hip + stations[None, :, None, None] * chord + (side * steps[None, None, :, None]) * n
    x = np.rint(pts[..., 0]).astype(int)
    y = np.rint(pts[..., 1]).astype(int)
    inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
    on = np.zeros(inside.shape, bool)
    on[inside] = _values(mask, x[inside], y[inside]) >= threshold
    off = ~on
    first_off = np.where(off.any(axis=2), np.argmax(off, axis=2), len(steps))
    out = first_off / length
    out[off[:, :, 0]] = np.nan  # the chord point itself is not on the person
    return out


def _values(mask: np.ndarray | CropMask, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The mask at integer picture pixels: a whole-picture array, or the model's crop read
    through its geometry (:class:`posecheck.cropmask.CropMask`)."""
    return mask[y, x] if isinstance(mask, np.ndarray) else mask.at(x, y)
