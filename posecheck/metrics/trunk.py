"""Back shape from the trunk outline (side views).

``thoracic_rounding_deg`` — how much the back bends between the lower and the upper back.
The dorsal edge of the person mask is taken at stations s along the hip->shoulder chord
(s = 0 mid-hip, 1 mid-shoulder; distances in chord lengths, see :mod:`posecheck.outline`).
A straight line is fitted to the lower back (s in [0.15, 0.45]) and one to the upper back
(s in [0.55, 0.85]); the metric is the angle between them in degrees, positive when the back
is convex (rounded, kyphotic), 0 for a flat back, negative when arched (hollow).
For a parabolic back d(s) = 4 b s (1 - s) it equals 2 atan(1.6 b).
:func:`posecheck.metrics.compute_metrics` multiplies it (and ``pelvic_tilt_deg``, and the
shape columns below) by :data:`posecheck.metrics.bias.OUTLINE_GAIN`: the outline reads about
half of the body's flexion on human renders, so the product's changes are the body's degrees.
It measures the **silhouette**, not the spine: baggy clothes, a backpack, a hood or hair
over the shoulders, and a mask that bleeds into the background all change it. Compare a
rider with themselves (the fatigue timeline), not with a norm. Valid views: side.

``pelvic_tilt_deg`` — a **proxy** for pelvic tilt: the direction of the lower-back outline just
above the saddle (s in [0, 0.25]) relative to the hip->shoulder line, in degrees. When the
pelvis rolls back (posterior tilt) the lower back rounds and the value rises. It is not the
anatomical pelvic angle (no landmark sees the pelvis' spines); use its change over a ride.
Valid views: side.

Where along the back a bend sits tells the two apart (both raise the lower back's slope
against the trunk line: a rounder back lifts its whole outline off the chord):

``upper_bend_deg`` — the angle between the mid-back line (s in [0.3, 0.55]) and the upper-back
line (s in [0.6, 0.9]): the bend of the upper back alone.

``lumbar_bend_deg`` — the lower back's direction (s in [0, 0.25]) against the direction the
curve of the back above it (a parabola fitted to s in [0.3, 0.9]) would give there: the
bend of the lowest back beyond what the whole back's rounding explains.

They are noisier than the two signs (each frame's mask edge moves), so they are not signs of
their own; :mod:`posecheck.fatigue` uses their change to say which of the two signs changed
(on the cartoon and MakeHuman renders: upper-back rounding alone moves ``lumbar_bend_deg``
by -0.6 to -12.6 deg, pelvic tilt alone moves it by +8 to +32 deg).
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


#: the mid-back, the upper back, and the part of the back whose curve is extrapolated down
MID, TOP, ABOVE_PELVIS = (0.3, 0.55), (0.6, 0.9), (0.3, 0.9)


def upper_bend_deg(profile: np.ndarray, stations=STATIONS) -> np.ndarray:
    """Angle between the mid-back and upper-back lines (degrees; positive = rounded)."""
    return np.degrees(
        np.arctan(_slope(profile, MID, stations)) - np.arctan(_slope(profile, TOP, stations))
    )


def lumbar_bend_deg(profile: np.ndarray, stations=STATIONS) -> np.ndarray:
    """Lower-back direction against the extrapolated curve of the back above it (degrees;
    positive = the lowest back rounds more than the rest of the back explains)."""
    fit = (stations >= ABOVE_PELVIS[0] - 1e-9) & (stations <= ABOVE_PELVIS[1] + 1e-9)
    low = (stations >= PELVIS[0] - 1e-9) & (stations <= PELVIS[1] + 1e-9)
    s = stations[fit]
    y = profile[:, fit]
    ok = np.isfinite(y).all(axis=1) & np.isfinite(profile[:, low]).all(axis=1)
    coef = np.full((len(profile), 3), np.nan)
    if ok.any():
        basis = np.stack([np.ones_like(s), s, s * s], axis=1)
        coef[ok] = np.linalg.lstsq(basis, y[ok].T, rcond=None)[0].T
    # the parabola's own least-squares slope over the low stations: c1 + 2 c2 * mean(s_low)
    expected = coef[:, 1] + 2 * coef[:, 2] * stations[low].mean()
    actual = _slope(profile, PELVIS, stations)
    out = np.degrees(np.arctan(actual) - np.arctan(expected))
    out[~ok] = np.nan
    return out
