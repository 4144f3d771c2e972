"""Pedal strokes from the foot's path: crank phase, cadence, TDC/BDC, per-stroke table.

Side views: the near foot (mean of ankle, heel and foot index, which is steadier than any one
of them) circles the bottom bracket. Its position relative to the loop's running centre
(midpoint of the 3 s running extremes) gives the crank phase, 0 deg at top dead centre
(12 o'clock) and 180 deg at bottom dead centre (6 o'clock), increasing in the pedalling
direction whichever way the rider faces. A stroke runs from one TDC crossing to the next;
BDC is the 180 deg crossing.
The instant of maximum knee extension is found separately (a little before or after BDC,
depending on saddle setback and ankling).

Rear/front views: the image-right foot's height; a stroke runs from one lowest point (BDC) to
the next.

A stroke counts only if it takes 0.4-2.5 s (24-150 rpm), the phase advances steadily, the
loop is crank-sized relative to the shin, and the hips stay put (walking moves them).
Standing: the hips more than 15% of trunk length above their seated height.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from posecheck.landmarks import Landmark as L
from posecheck.landmarks import side_landmark

# 24-150 rpm: a rider turning the cranks slowly (30 rpm) for a fitter is still pedalling
MIN_STROKE_S, MAX_STROKE_S = 0.4, 2.5
CENTRE_WINDOW_S = 3.0  # holds a whole turn down to 20 rpm
STANDING_RISE = 0.15  # of trunk length
MAX_HIP_TRAVEL = 0.25  # of trunk length, within one stroke
LOOP_TO_SHIN = (0.12, 0.9)  # foot loop radius over shin length
MIN_LEG_CONF = 0.3  # mean knee confidence a side-view stroke needs
COAST_MIN_S = 2.0  # the feet still for at least this long, seated: coasting
COAST_SPEED = 0.1  # foot speed below this many shin lengths per second counts as still


def foot_point(xy: np.ndarray, side: str) -> np.ndarray:
    """(T, 2) mean of the ankle, heel and foot index of one side (NaN if any is missing)."""
    pts = xy[:, [side_landmark(side, j) for j in ("ANKLE", "HEEL", "FOOT_INDEX")]]
    return pts.mean(axis=1)


def crank_centre(foot_xy: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """(T, 2) centre of the foot's loop: the midpoint of the running minimum and maximum over
    ``CENTRE_WINDOW_S`` (exact for a circle whenever the window holds a whole turn, i.e. above
    60 / CENTRE_WINDOW_S rpm, however many turns it holds). Within half a window of either end
    of the clip the window is cut short, so the nearest full-window centre is used there."""
    df = pd.DataFrame(foot_xy, columns=["x", "y"], index=pd.to_timedelta(t_s, unit="s"))
    roll = df.rolling(f"{CENTRE_WINDOW_S}s", center=True, min_periods=5)
    centre = ((roll.max() + roll.min()) / 2).to_numpy().copy()
    if len(t_s):
        half = CENTRE_WINDOW_S / 2
        inner = np.flatnonzero((t_s >= t_s[0] + half) & (t_s <= t_s[-1] - half))
        if len(inner):
            centre[: inner[0]] = centre[inner[0]]
            centre[inner[-1] + 1 :] = centre[inner[-1]]
    return centre


def crank_phase_deg(foot_xy: np.ndarray, t_s: np.ndarray, facing: int) -> np.ndarray:
    """Unwrapped crank phase in degrees (0 = TDC, 180 = BDC, +360 per turn); NaN where the
    foot is missing. Phase is unwrapped within each NaN-free run and restarts after gaps."""
    rel = foot_xy - crank_centre(foot_xy, t_s)
    ang = np.arctan2(rel[:, 1], facing * rel[:, 0]) + np.pi / 2  # 0 at 12 o'clock
    out = np.full(len(ang), np.nan)
    ok = np.isfinite(ang)
    edges = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        out[a:b] = np.degrees(np.unwrap(ang[a:b]))
    return out


def _crossings(t_s: np.ndarray, phase: np.ndarray, offset_deg: float) -> np.ndarray:
    """Times where the phase crosses offset + k*360 upwards (linear interpolation)."""
    k = np.floor((phase - offset_deg) / 360.0)
    idx = np.flatnonzero(np.isfinite(k[:-1]) & np.isfinite(k[1:]) & (k[1:] == k[:-1] + 1))
    target = (k[idx + 1]) * 360.0 + offset_deg
    frac = (target - phase[idx]) / (phase[idx + 1] - phase[idx])
    return t_s[idx] + frac * (t_s[idx + 1] - t_s[idx])


def segment_side(t_s: np.ndarray, xy: np.ndarray, side: str, facing: int):
    """Candidate strokes of a side view: list of (start_s, end_s, bdc_s)."""
    phase = crank_phase_deg(foot_point(xy, side), t_s, facing)
    tdc = _crossings(t_s, phase, 0.0)
    bdc = _crossings(t_s, phase, 180.0)
    out = []
    for a, b in zip(tdc[:-1], tdc[1:]):
        mid = bdc[(bdc > a) & (bdc < b)]
        out.append((a, b, mid[0] if len(mid) == 1 else np.nan))
    return out, phase


def segment_frontal(t_s: np.ndarray, xy: np.ndarray):
    """Candidate strokes of a rear/front view from the image-right foot's lowest points."""
    la, ra = xy[:, L.LEFT_ANKLE], xy[:, L.RIGHT_ANKLE]
    right_y = np.where(la[:, 0] > ra[:, 0], la[:, 1], ra[:, 1])
    y = pd.Series(right_y).interpolate(limit=5).to_numpy()
    dt = np.nanmedian(np.diff(t_s)) if len(t_s) > 1 else 1.0
    ok = np.isfinite(y)
    if ok.sum() < 10:
        return []
    y_ok = np.where(ok, y, np.nanmedian(y))
    prom = 0.3 * (np.nanpercentile(y, 95) - np.nanpercentile(y, 5))
    peaks, _ = find_peaks(y_ok, distance=max(1, int(MIN_STROKE_S / dt)), prominence=prom)
    times = t_s[peaks]
    return [(a, b, a) for a, b in zip(times[:-1], times[1:])]


def stroke_table(metrics: pd.DataFrame, xy: np.ndarray, view, fps: float) -> pd.DataFrame:
    """One row per valid pedal stroke (see the module doc); empty when no pedalling is seen."""
    t = metrics["time_s"].to_numpy()
    knee: np.ndarray | None
    ankle: np.ndarray | None
    foot: np.ndarray | None
    if view.near_side:
        cands, _ = segment_side(t, xy, view.near_side, view.facing)
        hip = xy[:, side_landmark(view.near_side, "HIP")]
        sh = xy[:, side_landmark(view.near_side, "SHOULDER")]
        knee = xy[:, side_landmark(view.near_side, "KNEE")]
        ankle = xy[:, side_landmark(view.near_side, "ANKLE")]
        foot = foot_point(xy, view.near_side)
    else:
        cands = segment_frontal(t, xy)
        hip = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
        sh = (xy[:, L.LEFT_SHOULDER] + xy[:, L.RIGHT_SHOULDER]) / 2
        knee = ankle = foot = None
    trunk = np.nanmedian(np.linalg.norm(sh - hip, axis=1)) if len(t) else np.nan
    seated_hip_y = np.nanmedian(hip[:, 1]) if len(t) else np.nan
    shin = (
        np.nanmedian(np.linalg.norm(knee - ankle, axis=1))
        if knee is not None and len(t)
        else np.nan
    )
    thigh = (
        np.nanmedian(np.linalg.norm(knee - hip, axis=1)) if knee is not None and len(t) else np.nan
    )
    rows = []
    arrays = _Columns(metrics)
    knee_conf = arrays["knee_angle_deg_conf"]
    for start, end, bdc in cands:
        dur = end - start
        sel = (t >= start) & (t < end)
        if not (MIN_STROKE_S <= dur <= MAX_STROKE_S) or sel.sum() < 3:
            continue
        travel = np.nanmax(np.ptp(hip[sel], axis=0)) if np.isfinite(hip[sel]).any() else np.inf
        if not travel < MAX_HIP_TRAVEL * trunk:
            continue
        if foot is not None:
            if not np.isfinite(bdc):
                continue  # the phase did not pass 6 o'clock exactly once: not a clean turn
            if not knee_conf[sel].mean() >= MIN_LEG_CONF:
                continue  # the foot path is the model's guess (feet out of the picture)
            f = foot[sel]
            radius = np.nanmedian(np.linalg.norm(f - np.nanmean(f, axis=0), axis=1))
            if not LOOP_TO_SHIN[0] <= radius / shin <= LOOP_TO_SHIN[1]:
                continue
        row = _stroke_row(arrays, sel, start, end, bdc, hip, seated_hip_y, trunk, t)
        row["hip_bounce_pct"] = hip_bounce_pct(hip[sel], thigh)
        rows.append(row)
    cols = ["stroke", "start_s", "end_s", "cadence_rpm", "bdc_s", "max_extension_s", "standing"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows)
    df.insert(0, "stroke", np.arange(1, len(df) + 1))
    return df


def hip_bounce_pct(hip_xy: np.ndarray, thigh_px: float) -> float:
    """Side views: how far the hip rises and falls within one stroke (top to bottom of its
    vertical path), in percent of the thigh's length; NaN without a thigh length (rear and
    front views) or with under 3 hip points. On a fixed trainer the hip barely moves; a hip
    that bounces more as the rider tires (the saddle a little high, or fading legs reaching
    for the pedal) shows here."""
    y = hip_xy[:, 1]
    y = y[np.isfinite(y)]
    if not (np.isfinite(thigh_px) and thigh_px > 0) or len(y) < 3:
        return float("nan")
    return round(float(100.0 * (y.max() - y.min()) / thigh_px), 3)


class _Columns:
    """The metrics columns a stroke row reads, as arrays (a DataFrame selection per stroke
    cost 5 ms: minutes over the thousands of strokes of a long ride), and each column's
    finite samples for interpolation."""

    def __init__(self, metrics: pd.DataFrame):
        self.metrics = metrics
        self.a: dict[str, np.ndarray] = {}
        self._finite: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __getitem__(self, col: str) -> np.ndarray:
        if col not in self.a:  # each column converted once, when first read
            self.a[col] = self.metrics[col].to_numpy(float)
        return self.a[col]

    def at(self, col: str, time_s: float) -> float:
        """``col`` interpolated at ``time_s``; NaN outside its measured stretch."""
        if not np.isfinite(time_s):
            return np.nan
        if col not in self._finite:
            v = self[col]
            ok = np.isfinite(v)
            self._finite[col] = (self["time_s"][ok], v[ok])
        t, v = self._finite[col]
        if len(t) < 2 or time_s < t[0] or time_s > t[-1]:
            return np.nan
        return float(np.interp(time_s, t, v))


def _stroke_row(m: _Columns, sel, start, end, bdc, hip, seated_hip_y, trunk, t) -> dict:
    knee = m["knee_angle_deg"][sel]
    row = {
        "start_s": round(start, 4),
        "end_s": round(end, 4),
        "cadence_rpm": round(60.0 / (end - start), 2),
        "bdc_s": round(bdc, 4) if np.isfinite(bdc) else np.nan,
    }
    if np.isfinite(knee).any():
        i = int(np.nanargmax(knee))
        row["max_extension_s"] = round(float(m["time_s"][sel][i]), 4)
        row["knee_max_deg"] = float(np.nanmax(knee))
        row["knee_min_deg"] = float(np.nanmin(knee))
    else:
        row["max_extension_s"] = np.nan
        row["knee_max_deg"] = row["knee_min_deg"] = np.nan
    row["knee_at_bdc_deg"] = m.at("knee_angle_deg", bdc)
    row["ankle_at_bdc_deg"] = m.at("ankle_angle_deg", bdc)
    hip_angle = m["hip_angle_deg"][sel]
    row["hip_closed_deg"] = float(np.nanmin(hip_angle)) if np.isfinite(hip_angle).any() else np.nan
    for col, name in (
        ("back_angle_deg", "back_mean_deg"),
        ("elbow_angle_deg", "elbow_mean_deg"),
        ("shoulder_angle_deg", "shoulder_mean_deg"),
        ("shrug_ratio", "shrug_mean"),
        ("neck_angle_deg", "neck_mean_deg"),
        ("thoracic_rounding_deg", "thoracic_mean_deg"),
        ("pelvic_tilt_deg", "pelvic_tilt_mean_deg"),
        ("pelvic_obliquity_deg", "obliquity_mean_deg"),
    ):
        v = m[col][sel]
        row[name] = float(np.nanmean(v)) if np.isfinite(v).any() else np.nan
    obl = m["pelvic_obliquity_deg"][sel]
    row["hip_rocking_deg"] = (
        float(np.nanmax(obl) - np.nanmin(obl)) if np.isfinite(obl).sum() > 3 else np.nan
    )
    row["knee_conf"] = float(m["knee_angle_deg_conf"][sel].mean())
    row["ankle_conf"] = float(m["ankle_angle_deg_conf"][sel].mean())
    hip_y = np.nanmedian(hip[sel, 1])
    row["standing"] = bool(seated_hip_y - hip_y > STANDING_RISE * trunk)
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}


def coasting_spells(t_s: np.ndarray, xy: np.ndarray, view) -> list[tuple[float, float]]:
    """Spells of at least ``COAST_MIN_S`` where the near foot stays still (side views): the
    rider sits with the cranks stopped. [(start_s, end_s), ...]"""
    if not view.near_side or len(t_s) < 3:
        return []
    foot = foot_point(xy, view.near_side)
    shin = np.nanmedian(
        np.linalg.norm(
            xy[:, side_landmark(view.near_side, "KNEE")]
            - xy[:, side_landmark(view.near_side, "ANKLE")],
            axis=1,
        )
    )
    if not np.isfinite(shin) or shin <= 0:
        return []
    speed = np.linalg.norm(np.gradient(foot, t_s, axis=0), axis=1) / shin
    smooth = pd.Series(speed).rolling(5, center=True, min_periods=1).median().to_numpy()
    still = np.isfinite(smooth) & (smooth < COAST_SPEED)
    edges = np.diff(np.concatenate([[0], still.astype(np.int8), [0]]))
    out = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if t_s[b - 1] - t_s[a] >= COAST_MIN_S:
            out.append((round(float(t_s[a]), 2), round(float(t_s[b - 1]), 2)))
    return out


def pedalling_statement(
    strokes: pd.DataFrame,
    duration_s: float,
    feet_in_frame: float | None = None,
    coasting: list[tuple[float, float]] | None = None,
) -> dict:
    """What the stroke detection saw, in words, for summary.json and the app.

    ``feet_in_frame`` is the share of frames with the near foot (ankle, heel, toe) inside the
    picture (side views); ``coasting`` the spells from :func:`coasting_spells`."""
    coast_s = round(sum(b - a for a, b in coasting or []), 1)
    coast_txt = (
        f" Coasting (cranks still) for {coast_s:.0f} s in {len(coasting)} spell"
        f"{'s' if len(coasting) > 1 else ''}."
        if coasting
        else ""
    )
    if strokes.empty and feet_in_frame is not None and feet_in_frame < 0.5:
        return {
            "strokes": 0,
            "pedalling": None,
            "statement": "Pedal strokes could not be measured: the feet are out of the "
            "picture or hidden, so the leg angles are not trustworthy. Film "
            "with the whole body and the crank in frame.",
        }
    if strokes.empty:
        return {
            "strokes": 0,
            "pedalling": False,
            "coasting_s": coast_s,
            "coasting": coasting or [],
            "statement": "No pedalling seen: no foot went round a crank-sized circle with "
            "the hips staying put. Nothing per-stroke is reported." + coast_txt,
        }
    covered = float((strokes["end_s"] - strokes["start_s"]).sum())
    standing = int(strokes["standing"].sum())
    # one rounded figure for every place that shows it (the app's tile and this sentence
    # once rounded 72.54 differently: 72 and 73)
    cadence = round(float(strokes["cadence_rpm"].median()), 1)
    return {
        "strokes": int(len(strokes)),
        "pedalling": True,
        "cadence_rpm_median": cadence,
        "pedalling_share": round(covered / duration_s, 3) if duration_s > 0 else None,
        "standing_strokes": standing,
        "coasting_s": coast_s,
        "coasting": coasting or [],
        "statement": f"{len(strokes)} pedal strokes at a median {cadence:.0f} rpm"
        + (f", {standing} standing" if standing else "")
        + "."
        + coast_txt,
    }
