"""Back shape from the trunk outline (side views).

``thoracic_rounding_deg`` — how much the back bends between the lower and the upper back.
The dorsal edge of the person mask is taken at stations s along the hip->shoulder chord
(s = 0 mid-hip, 1 mid-shoulder; distances in chord lengths, see :mod:`posecheck.outline`).
A straight line is fitted to the lower back (s in [0.15, 0.45]) and one to the upper back
(s in [0.55, 0.85]); the metric is the angle between them in degrees, positive when the back
is convex (rounded, kyphotic), 0 for a flat back, negative when arched (hollow).
For a parabolic back d(s) = 4 b s (1 - s) it equals 2 atan(1.6 b).
It measures the **silhouette**, not the spine: baggy clothes, a backpack, a hood or hair
over the shoulders, and a mask that bleeds into the background all change it. Compare a
rider with themselves (the fatigue timeline), not with a norm. Valid views: side.

``pelvic_tilt_deg`` — a **proxy** for pelvic tilt: the direction of the lower-back outline just
above the saddle (s in [0, 0.25]) relative to the hip->shoulder line, in degrees. When the
pelvis rolls back (posterior tilt) the lower back rounds and the value rises. It is not the
anatomical pelvic angle (no landmark sees the pelvis' spines); use its change over a ride.
Valid views: side.
"""

from __future__ import annotations

import numpy as np

from posecheck.outline import STATIONS

LOWER = (0.15, 0.45)
UPPER = (0.55, 0.85)
PELVIS = (0.0, 0.25)


def dorsal_profile(outline: np.ndarray, facing: int) -> np.ndarray:
    """(T, K) distance of the back's edge from the hip->shoulder chord, in chord lengths.

    The back lies on the n- side for a rider facing image-right and on n+ facing left.
    """
    return outline[:, 1] if facing > 0 else outline[:, 0]


def _slope(profile: np.ndarray, lo_hi: tuple[float, float], stations=STATIONS) -> np.ndarray:
    """Least-squares slope of the profile over stations in [lo, hi], per frame; NaN if any
    point is missing."""
    sel = (stations >= lo_hi[0] - 1e-9) & (stations <= lo_hi[1] + 1e-9)
    s = stations[sel] - stations[sel].mean()
    y = profile[:, sel]
    return (y - y.mean(axis=1, keepdims=True)) @ s / (s @ s)


def thoracic_rounding_deg(profile: np.ndarray, stations=STATIONS) -> np.ndarray:
    """Angle between the lower-back and upper-back lines of the dorsal profile (degrees)."""
    return np.degrees(
        np.arctan(_slope(profile, LOWER, stations)) - np.arctan(_slope(profile, UPPER, stations))
    )


def pelvic_tilt_deg(profile: np.ndarray, stations=STATIONS) -> np.ndarray:
    """Lower-back outline direction against the trunk line (degrees); see the module doc."""
    return np.degrees(np.arctan(_slope(profile, PELVIS, stations)))
