"""Placing a ride file on the video's time axis without the rider's help.

``offset_s`` is the ride file's elapsed seconds at the video's first frame (ride time =
video time + offset). Found in three steps:

1. **Clock guess.** The video's creation time (container metadata) against the file's start
   time, when both exist: the search is limited to that guess +/- :data:`CLOCK_SLACK_S`
   (phone and head-unit clocks and time zones disagree by minutes, rarely more).
2. **Cadence match.** The video's own cadence (one value per detected pedal stroke, on a
   1 s grid) is correlated with the file's cadence (or its power, when the file has no
   cadence) at every whole-second offset that overlaps at least half of the video; the best
   is refined to a tenth of a second.
3. **Checks.** The best match must correlate (r >= :data:`MIN_R`), stand out from the next
   best offset more than a few strokes away, and, for cadence, agree in level (median
   difference <= :data:`MAX_CADENCE_DIFF_RPM`). A file from another ride fails these and is
   refused with the reason; so is a video whose cadence barely changes (nothing to match:
   give the offset by hand), and one whose pattern fits about as well at another offset
   (a workout of repeated intervals: confidence below :data:`MIN_CONFIDENCE`).

``confidence`` (0-1) = r at the match x how clearly it beats the runner-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from posecheck.ride.read import Ride

CLOCK_SLACK_S = 600.0
MIN_R = 0.6
MAX_CADENCE_DIFF_RPM = 6.0
MIN_VIDEO_CADENCE_SD = 1.5  # rpm: below this the video's cadence has no pattern to match
RUNNER_UP_GAP_S = 5.0
MIN_CONFIDENCE = 0.3  # below: the pattern fits about as well elsewhere (a repeating workout)


class SyncError(ValueError):
    """The ride file cannot be placed on the video; the message says why."""


@dataclass(frozen=True)
class Sync:
    offset_s: float
    confidence: float
    method: str  # "cadence", "power", "manual"
    r: float | None = None
    clock_guess_s: float | None = None
    overlap_s: float = 0.0

    def as_dict(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def video_cadence(strokes: pd.DataFrame, duration_s: float, step_s: float = 1.0) -> np.ndarray:
    """Cadence on a ``step_s`` grid from 0 to the video's end: each seated stroke's cadence
    over its span, NaN where no stroke was seen."""
    n = int(np.floor(duration_s / step_s)) + 1
    out = np.full(n, np.nan)
    if not len(strokes):
        return out
    grid = np.arange(n) * step_s
    seated = strokes[~strokes["standing"].astype(bool)] if "standing" in strokes else strokes
    for s, e, c in seated[["start_s", "end_s", "cadence_rpm"]].to_numpy(float):
        out[(grid >= s) & (grid < e)] = c
    return out


def ride_series(ride: Ride, channel: str, step_s: float = 1.0) -> np.ndarray:
    """The file's ``channel`` on a ``step_s`` grid over its whole length (gaps up to 5 s
    bridged, longer gaps NaN)."""
    rec = ride.records[["elapsed_s", channel]].dropna()
    n = int(np.floor(ride.duration_s / step_s)) + 1
    grid = np.arange(n) * step_s
    if len(rec) < 2:
        return np.full(n, np.nan)
    t, v = rec["elapsed_s"].to_numpy(float), rec[channel].to_numpy(float)
    out = np.interp(grid, t, v, left=np.nan, right=np.nan)
    idx = np.searchsorted(t, grid)
    gap = np.full(n, np.inf)
    inside = (idx > 0) & (idx < len(t))
    gap[inside] = t[idx[inside]] - t[idx[inside] - 1]
    exact = np.isin(grid, t)
    out[(gap > 5.0) & ~exact] = np.nan
    return out


def _corr(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    ok = np.isfinite(a) & np.isfinite(b)
    n = int(ok.sum())
    if n < 10:
        return np.nan, n
    x, y = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    d = np.sqrt((x @ x) * (y @ y))
    return (float(x @ y / d) if d > 0 else np.nan), n


def synchronise(
    ride: Ride,
    strokes: pd.DataFrame,
    duration_s: float,
    video_start_utc: dt.datetime | None = None,
    manual_offset_s: float | None = None,
) -> Sync:
    """Find the ride file's offset against the video (see the module doc); raises
    :class:`SyncError` when it cannot."""
    if manual_offset_s is not None:
        overlap = min(duration_s, ride.duration_s - manual_offset_s) - max(0.0, -manual_offset_s)
        if overlap <= 0:
            raise SyncError(
                f"with the given offset of {manual_offset_s:.1f} s the ride file "
                f"({ride.duration_s:.0f} s long) does not overlap the video"
            )
        return Sync(manual_offset_s, 1.0, "manual", overlap_s=float(overlap))
    video = video_cadence(strokes, duration_s)
    seen = np.isfinite(video)
    if seen.sum() < 20:
        raise SyncError(
            "too few pedal strokes were seen in the video to match it to the ride file; "
            "give the offset by hand (--ride-offset-s)"
        )
    if np.nanstd(video) < MIN_VIDEO_CADENCE_SD:
        raise SyncError(
            f"the video's cadence barely changes ({np.nanstd(video):.1f} rpm spread), so it "
            "has no pattern to match against the ride file; give the offset by hand "
            "(--ride-offset-s)"
        )
    channel = "cadence_rpm" if ride.has("cadence_rpm") else "power_w"
    if not ride.has(channel):
        raise SyncError("the ride file has neither cadence nor power to match the video with")
    series = ride_series(ride, channel)
    guess = None
    if video_start_utc is not None and ride.start_utc is not None:
        guess = (video_start_utc - ride.start_utc).total_seconds()
    lo = -0.5 * duration_s
    hi = ride.duration_s - 0.5 * duration_s
    if guess is not None:
        lo, hi = max(lo, guess - CLOCK_SLACK_S), min(hi, guess + CLOCK_SLACK_S)
    if hi < lo:
        raise SyncError(
            f"the ride file does not overlap the video: by the clocks the video starts "
            f"{guess:.0f} s into a {ride.duration_s:.0f} s file"
        )
    offsets = np.arange(np.floor(lo), np.ceil(hi) + 1)
    n_video = len(video)
    pad = np.full(n_video, np.nan)
    padded = np.concatenate([pad, series, pad])
    rs = np.full(len(offsets), np.nan)
    for i, off in enumerate(offsets):
        start = int(off) + n_video
        r, n = _corr(video, padded[start : start + n_video])
        if n >= 0.5 * seen.sum():
            rs[i] = r
    if not np.isfinite(rs).any():
        raise SyncError("the ride file does not overlap at least half of the video")
    best = int(np.nanargmax(rs))
    far = np.abs(offsets - offsets[best]) > RUNNER_UP_GAP_S
    runner_up = (
        float(np.nanmax(np.where(far, rs, np.nan))) if (far & np.isfinite(rs)).any() else 0.0
    )
    # refine to 0.1 s around the best whole second
    t_video = np.arange(n_video, dtype=float)
    t_ride = np.arange(len(series), dtype=float)
    fine = offsets[best] + np.arange(-1.0, 1.01, 0.1)
    fine_r = [
        _corr(video, np.interp(t_video + f, t_ride, series, left=np.nan, right=np.nan))[0]
        for f in fine
    ]
    offset = float(fine[int(np.nanargmax(fine_r))])
    r = float(np.nanmax(fine_r))
    if r < MIN_R:
        raise SyncError(
            f"the video's cadence does not match the ride file's {channel.split('_')[0]} "
            f"anywhere (best correlation {r:.2f}, needs {MIN_R}): is it the same ride?"
        )
    matched = np.interp(t_video + offset, t_ride, series, left=np.nan, right=np.nan)
    if channel == "cadence_rpm":
        diff = float(np.nanmedian(np.abs(video - matched)))
        if diff > MAX_CADENCE_DIFF_RPM:
            raise SyncError(
                f"the ride file's cadence differs from the video's by {diff:.0f} rpm at the "
                "best match: is it the same ride?"
            )
    clarity = float(np.clip((r - runner_up) / 0.3, 0.0, 1.0))
    if r * clarity < MIN_CONFIDENCE:
        raise SyncError(
            f"the video's cadence fits the ride file about as well at several places (best "
            f"at {offset:.0f} s, r {r:.2f}; another {runner_up:.2f}): give the offset by "
            "hand (--ride-offset-s)"
        )
    overlap = float(np.sum(np.isfinite(matched) & seen))
    return Sync(offset, round(r * clarity, 3), channel.split("_")[0], r, guess, overlap)
