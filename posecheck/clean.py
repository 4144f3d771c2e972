"""Cleaning a PoseTrack: each step a function from arrays to arrays.

1. :func:`gate_visibility` — landmarks MediaPipe itself doubts (visibility < 0.5) become NaN.
2. :func:`repair_swaps` — side views: MediaPipe (like Sports2D/OpenPose) sometimes exchanges
   the left and right legs for a few frames; a frame is swapped back when the exchanged
   assignment is much closer to the previous frame than the given one.
3. :func:`reject_bursts` — side views: a leg point that breaks the leg's own geometry for a
   few frames is dropped. Thigh (hip-knee) and shank (knee-ankle) keep their length on a
   bike, and the hip stays on the saddle, so a knee that jumps 30-40 degrees and back in a
   quarter second while the crank turns an eighth of a revolution shows up as a thigh and a
   shank 20% longer or shorter than their running medians; real fast pedalling does not
   change them (on the real trainer clips the 1st-99th percentiles stay within 12-15%).
4. :func:`interpolate_gaps` — linear interpolation over gaps of at most ``max_gap`` samples;
   longer gaps stay NaN (not observed is not the same as observed).
5. :func:`lowpass` — zero-phase 4th-order Butterworth (``filtfilt``) applied separately to each
   NaN-free run. Cut-off :data:`CUTOFF_HZ` = 6 Hz: pedalling at 120 rpm is 2 Hz, and the knee
   angle's shape needs its 2nd and 3rd harmonics (4 and 6 Hz); marker-based cycling studies
   filter at 6-10 Hz. On low-frame-rate clips the cut-off is capped at 0.8 x Nyquist.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.signal import butter, filtfilt

from posecheck.landmarks import Landmark as L
from posecheck.landmarks import side_landmark
from posecheck.track import PoseTrack

CUTOFF_HZ = 6.0
MIN_VISIBILITY = 0.5
MAX_GAP_S = 0.25
#: a projected segment this far off its running median (fraction) breaks the leg's geometry
SEGMENT_TOLERANCE = 0.2
#: and the hip this far (in thigh lengths) off its running median position has left the saddle
HIP_TOLERANCE = 0.15
GEOMETRY_WINDOW_S = 3.0
#: a knee angle this far from the crank phase's expected angle is a burst, not a movement
KNEE_TOLERANCE_DEG = 10.0

#: landmark pairs that swap together when MediaPipe exchanges the legs
LEG_PAIRS = tuple(
    (L[f"LEFT_{j}"], L[f"RIGHT_{j}"]) for j in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")
)
ARM_PAIRS = tuple(
    (L[f"LEFT_{j}"], L[f"RIGHT_{j}"]) for j in ("ELBOW", "WRIST", "PINKY", "INDEX", "THUMB")
)


def gate_visibility(
    xy: np.ndarray, visibility: np.ndarray, min_visibility: float = MIN_VISIBILITY
) -> np.ndarray:
    """``xy`` (T, N, D) with points whose visibility is below the threshold set to NaN."""
    out = np.array(xy, float, copy=True)
    out[~(visibility >= min_visibility)] = np.nan
    return out


def repair_swaps(xy: np.ndarray, pairs=LEG_PAIRS, swap_cost: float | None = None):
    """Undo left/right exchanges of a limb group over the whole track at once.

    Each frame is either as given or exchanged. The labelling chosen is the one whose limbs
    move least from frame to frame, summed over the track (a two-state Viterbi path; the
    first frame is taken as given). Movement is measured on the joints seen on both sides in
    both frames, so a frame with a doubtful point still counts through the others, and one
    bad decision cannot carry on: the path is optimal for the whole track, not frame by frame
    (a greedy choice against the previous frame locked into the wrong legs at 15 fps, where a
    foot moves a third of the crank's diameter between frames). MediaPipe's own labels are
    right most of the time, so each exchanged frame costs ``swap_cost`` pixels (default: the
    track's median frame-to-frame movement): a run of k exchanged frames is taken only when
    it removes two jumps larger than about k/2 typical movements each, and a long run where
    the limbs merely cross is not. Returns (repaired xy, (T,) bool swapped).
    """
    out = np.array(xy, float, copy=True)
    left = [a for a, _ in pairs]
    right = [b for _, b in pairs]
    n = len(out)
    swapped = np.zeros(n, bool)
    if n < 2:
        return out, swapped
    lp, rp = out[:, left], out[:, right]  # (T, J, 2)
    seen = np.isfinite(lp).all(-1) & np.isfinite(rp).all(-1)  # (T, J)
    both = seen[1:] & seen[:-1]  # (T-1, J)

    def dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        d = np.linalg.norm(a[1:] - b[:-1], axis=-1)  # (T-1, J)
        return np.where(both, d, 0.0).sum(-1)

    same = dist(lp, lp) + dist(rp, rp)  # labels kept between t-1 and t
    cross = dist(lp, rp) + dist(rp, lp)  # labels exchanged between t-1 and t
    if swap_cost is None:
        moving = same[both.any(-1)]
        swap_cost = float(np.median(moving)) if len(moving) else 0.0
    # the path in plain floats (numpy's per-call overhead on 2-element arrays was 20 times
    # the arithmetic: 0.12 s of a 90-minute ride's 6,600 frames); the same sums and choices
    c0, c1 = 0.0, float("inf")  # frame 0 as given
    back0, back1 = [0] * n, [1] * n  # the state at t-1 on the best path to state 0 / 1 at t
    for t, (s, x) in enumerate(zip(same.tolist(), cross.tolist()), start=1):
        stay0, flip0 = c0 + s, c1 + x  # state 0 at t from 0 (kept) or from 1 (exchanged)
        stay1, flip1 = c1 + s, c0 + x
        back0[t] = 0 if stay0 <= flip0 else 1
        back1[t] = 1 if stay1 <= flip1 else 0
        c0, c1 = min(stay0, flip0), min(stay1, flip1) + swap_cost
    state = 0 if c0 <= c1 else 1
    for t in range(n - 1, -1, -1):
        swapped[t] = bool(state)
        state = back1[t] if state else back0[t]
    return exchange(out, swapped, pairs), swapped


def _running_median(x: np.ndarray, n: int) -> np.ndarray:
    """Centred running median along axis 0 over ``n`` samples (NaN ignored), per column."""
    import pandas as pd

    flat = x.reshape(len(x), -1)
    med = pd.DataFrame(flat).rolling(n, center=True, min_periods=max(3, n // 4)).median()
    return med.to_numpy().reshape(x.shape)


def _phase_fit(angle: np.ndarray, phase_deg: np.ndarray, order: int = 3) -> np.ndarray:
    """The periodic part of ``angle`` as a function of crank phase: a Fourier series of
    ``order`` harmonics fitted by least squares, refitted once without the worst residuals
    (beyond 3 robust SDs), so a burst does not pull the fit toward itself."""
    ph = np.radians(phase_deg)
    cols = [np.ones_like(ph)]
    for k in range(1, order + 1):
        cols += [np.cos(k * ph), np.sin(k * ph)]
    X = np.stack(cols, axis=1)
    ok = np.isfinite(angle) & np.isfinite(ph)
    fit = np.full(len(angle), np.nan)
    if ok.sum() < 4 * X.shape[1]:
        return fit
    for _ in range(2):
        coef, *_ = np.linalg.lstsq(X[ok], angle[ok], rcond=None)
        res = angle - X @ coef
        mad = 1.4826 * np.nanmedian(np.abs(res[ok]))
        ok = ok & (np.abs(res) <= max(3 * mad, 1.0))
    return X @ coef


def reject_bursts(
    xy: np.ndarray,
    fps: float,
    side: str,
    tolerance: float = SEGMENT_TOLERANCE,
    hip_tolerance: float = HIP_TOLERANCE,
    window_s: float = GEOMETRY_WINDOW_S,
    knee_tolerance_deg: float = KNEE_TOLERANCE_DEG,
) -> tuple[np.ndarray, np.ndarray]:
    """Drop (set NaN) the leg points of ``side`` that break the leg's geometry on a bike.

    1. Segment lengths: each frame's thigh and shank against their running medians over
       ``window_s``. A shank off by more than ``tolerance`` with the thigh right blames the
       ankle (with heel and toe); a thigh off blames the hip when the hip has left its running
       position by ``hip_tolerance`` thigh lengths, else the knee; both off blame the knee.
    2. The crank: with the saddle and the fit fixed, the knee angle is a function of the crank
       phase (from the foot's path). A Fourier series in the phase, fitted over blocks of
       ``5 * window_s``, gives each frame's expected knee angle; a knee further from it than
       ``knee_tolerance_deg`` or 4 robust SDs of the clip's residuals (whichever is larger)
       is dropped, with one frame either side (a burst ramps in and out). Real fast
       pedalling moves the phase, not the residual, so it is kept at any cadence.

    Returns (xy with the blamed points NaN, (T,) bool frames touched)."""
    from posecheck.geometry import included_angle_deg
    from posecheck.strokes import crank_phase_deg, foot_point

    out = np.array(xy, float, copy=True)
    hip, knee, ankle = (side_landmark(side, j) for j in ("HIP", "KNEE", "ANKLE"))
    foot = [ankle, side_landmark(side, "HEEL"), side_landmark(side, "FOOT_INDEX")]
    n = max(5, int(round(window_s * fps)))
    thigh = np.linalg.norm(out[:, hip] - out[:, knee], axis=1)
    shank = np.linalg.norm(out[:, knee] - out[:, ankle], axis=1)
    with np.errstate(invalid="ignore"):
        t_off = np.abs(thigh / _running_median(thigh, n) - 1) > tolerance
        s_off = np.abs(shank / _running_median(shank, n) - 1) > tolerance
        hip_shift = np.linalg.norm(out[:, hip] - _running_median(out[:, hip], n), axis=1)
        hip_off = hip_shift > hip_tolerance * _running_median(thigh, n)
    blame_hip = t_off & ~s_off & hip_off
    blame_knee = t_off & ~blame_hip
    blame_ankle = s_off & ~t_off
    out[blame_hip, hip] = np.nan
    out[blame_knee, knee] = np.nan
    out[np.ix_(blame_ankle, foot)] = np.nan

    t = np.arange(len(out)) / fps
    phase = crank_phase_deg(foot_point(out, side), t, 1)
    angle = included_angle_deg(out[:, hip], out[:, knee], out[:, ankle])
    expected = np.full(len(out), np.nan)
    block = 5 * n
    for a in range(0, len(out), block):
        b = min(a + block, len(out))
        a = max(0, b - block)  # the last block is a full one too
        expected[a:b] = _phase_fit(angle[a:b], phase[a:b])
    res = np.abs(angle - expected)
    spread = 1.4826 * np.nanmedian(res) if np.isfinite(res).any() else 0.0
    with np.errstate(invalid="ignore"):
        off_phase = res > max(knee_tolerance_deg, 4 * spread)
    # a burst ramps in and out: its first and last frames go with it
    off_phase[1:] |= off_phase[:-1].copy()
    off_phase[:-1] |= off_phase[1:].copy()
    out[off_phase, knee] = np.nan
    return out, blame_hip | blame_knee | blame_ankle | off_phase


def knee_from_leg(
    xy: np.ndarray, side: str, frames: np.ndarray, thigh: np.ndarray, shank: np.ndarray
) -> np.ndarray:
    """``xy`` with the knee of ``side`` rebuilt at ``frames`` (bool) from the hip and ankle and
    the thigh and shank lengths (per frame): of the two places where the leg can bend, the one
    nearer the knee ``xy`` holds there (interpolated from the neighbours). A frame whose hip
    and ankle are further apart than the leg is long keeps its knee."""
    out = np.array(xy, float, copy=True)
    hip, knee, ankle = (side_landmark(side, j) for j in ("HIP", "KNEE", "ANKLE"))
    h, k, a = out[:, hip], out[:, knee], out[:, ankle]
    d = a - h
    dist = np.linalg.norm(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        along = (thigh**2 - shank**2 + dist**2) / (2 * dist)
        across = np.sqrt(thigh**2 - along**2)
        u = d / dist[:, None]
    perp = np.stack([-u[:, 1], u[:, 0]], axis=1)
    base = h + along[:, None] * u
    c1, c2 = base + across[:, None] * perp, base - across[:, None] * perp
    pick = np.where(
        (np.linalg.norm(c1 - k, axis=1) <= np.linalg.norm(c2 - k, axis=1))[:, None], c1, c2
    )
    ok = frames & np.isfinite(pick).all(axis=1) & np.isfinite(k).all(axis=1)
    out[ok, knee] = pick[ok]
    return out


def exchange(x: np.ndarray, swapped: np.ndarray, pairs) -> np.ndarray:
    """``x`` (T, N, ...) with the left and right landmarks of ``pairs`` exchanged where
    ``swapped``."""
    out = np.array(x, copy=True)
    left, right = [a for a, _ in pairs], [b for _, b in pairs]
    out[np.ix_(swapped, left)], out[np.ix_(swapped, right)] = (
        x[np.ix_(swapped, right)],
        x[np.ix_(swapped, left)],
    )
    return out


def true_runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """Index ranges [start, stop) of each run of True."""
    edges = np.diff(np.concatenate([[0], valid.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def interpolate_gaps(x: np.ndarray, max_gap: int) -> np.ndarray:
    """Linear interpolation along axis 0 over interior NaN gaps of at most ``max_gap`` samples."""
    out = np.array(x, float, copy=True)
    flat = out.reshape(out.shape[0], int(np.prod(out.shape[1:])))
    idx = np.arange(len(out))
    for c in range(flat.shape[1]):
        col = flat[:, c]
        nan = np.isnan(col)
        if not nan.any() or nan.all():
            continue
        for a, b in true_runs(nan):
            if a == 0 or b == len(col) or b - a > max_gap:
                continue
            col[a:b] = np.interp(idx[a:b], [a - 1, b], [col[a - 1], col[b]])
    return out


def lowpass(
    x: np.ndarray,
    fs: float,
    cutoff_hz: float = CUTOFF_HZ,
    order: int = 4,
    breaks: np.ndarray | None = None,
) -> np.ndarray:
    """Zero-phase Butterworth along axis 0, per NaN-free run (and per segment between
    ``breaks``, a (T,) bool marking samples that start a new segment, e.g. after a time jump).

    Runs too short for ``filtfilt``'s padding are returned unfiltered.
    """
    cutoff = min(cutoff_hz, 0.8 * fs / 2)
    b, a = butter(order, cutoff / (fs / 2))
    pad = 3 * max(len(a), len(b))
    out = np.array(x, float, copy=True)
    flat = out.reshape(out.shape[0], int(np.prod(out.shape[1:])))
    seg = np.zeros(len(out), bool) if breaks is None else np.asarray(breaks, bool)
    # columns with the same missing samples (all of a landmark's coordinates, and all the
    # landmarks of a frame where the model found nobody) filtered together: filtfilt works
    # on each column alone along axis 0, and solves its initial state once per call, not
    # once per column (66 columns: most of lowpass' time)
    valid = ~np.isnan(flat)
    groups: dict[bytes, list[int]] = {}
    for c in range(flat.shape[1]):
        groups.setdefault(np.packbits(valid[:, c]).tobytes(), []).append(c)
    for cols in groups.values():
        for s, e in true_runs(valid[:, cols[0]]):
            cuts = [s, *(s + np.flatnonzero(seg[s + 1 : e]) + 1), e]
            for p, q in zip(cuts[:-1], cuts[1:]):
                if q - p > pad:
                    flat[p:q, cols] = filtfilt(b, a, flat[p:q, cols], axis=0)
    return out


def time_breaks(t_s: np.ndarray, fps: float) -> np.ndarray:
    """(T,) True where a sample follows a time jump of more than 1.5 frames."""
    br = np.zeros(len(t_s), bool)
    br[1:] = np.diff(t_s) > 1.5 / fps
    return br


def clean_track(
    track: PoseTrack,
    fps: float,
    side_view: bool = True,
    min_visibility: float = MIN_VISIBILITY,
    max_gap_s: float = MAX_GAP_S,
    cutoff_hz: float = CUTOFF_HZ,
    near_side: str | None = None,
) -> PoseTrack:
    """Gate, repair swaps (side views), drop the near leg's geometry-breaking points (when
    ``near_side`` is given), fill short gaps and low-pass the image landmarks.

    Returns a new track whose ``meta["cleaning"]`` logs every step and its parameters.
    """
    # Swaps are undone on MediaPipe's raw guesses (a doubtful far-leg point still tells which
    # leg is which); each landmark's visibility travels with it, then doubtful points go.
    xy, vis = track.xy_px, track.visibility
    n_swapped = 0
    if side_view:
        for pairs in (LEG_PAIRS, ARM_PAIRS):
            xy, sw = repair_swaps(xy, pairs)
            vis = exchange(vis, sw, pairs)
            n_swapped += int(sw.sum())
    xy = gate_visibility(xy, vis, min_visibility)
    n_bursts = 0
    knee_dropped = np.zeros(len(xy), bool)
    br = time_breaks(track.t_s, fps)
    if near_side is not None:
        knee = side_landmark(near_side, "KNEE")
        had_knee = np.isfinite(xy[:, knee]).all(axis=1)
        # per stretch of continuous time: long mode's windows are minutes apart, and running
        # medians or a crank phase taken across their joins would mix two moments of the ride
        cuts = [0, *np.flatnonzero(br), len(xy)]
        xy = np.array(xy, float, copy=True)
        for a, b in zip(cuts[:-1], cuts[1:]):
            xy[a:b], touched = reject_bursts(xy[a:b], fps, near_side)
            n_bursts += int(touched.sum())
        knee_dropped = had_knee & ~np.isfinite(xy[:, knee]).all(axis=1)
    max_gap = max(1, int(round(max_gap_s * fps)))
    xy = (
        interpolate_gaps(xy, max_gap)
        if not br.any()
        else _per_segment(xy, br, lambda seg: interpolate_gaps(seg, max_gap))
    )
    if near_side is not None and knee_dropped.any():
        # the bike's leg: the thigh and shank keep their (projected) lengths through a burst,
        # so the knee is rebuilt from the hip, the ankle and the lengths just before and
        # after it (a running median would miss how the projected shank changes with phase)
        hip, ankle = (side_landmark(near_side, j) for j in ("HIP", "ANKLE"))
        thigh = np.linalg.norm(xy[:, hip] - xy[:, knee], axis=1)
        shank = np.linalg.norm(xy[:, knee] - xy[:, ankle], axis=1)
        thigh[knee_dropped] = shank[knee_dropped] = np.nan
        gap = max_gap + 2
        thigh, shank = interpolate_gaps(thigh, gap), interpolate_gaps(shank, gap)
        xy = knee_from_leg(xy, near_side, knee_dropped, thigh, shank)
    xy = lowpass(xy, fps, cutoff_hz, breaks=br)
    log = [
        {"step": "gate_visibility", "min_visibility": min_visibility},
        {"step": "repair_swaps", "frames_swapped": n_swapped, "applied": side_view},
        {
            "step": "reject_bursts",
            "frames_touched": n_bursts,
            "knees_rebuilt": int(knee_dropped.sum()),
            "side": near_side,
        },
        {"step": "interpolate_gaps", "max_gap_frames": max_gap},
        {"step": "lowpass", "cutoff_hz": min(cutoff_hz, 0.4 * fps), "order": 4, "zero_phase": True},
    ]
    return replace(track, xy_px=xy, meta={**track.meta, "cleaning": log})


def _per_segment(x: np.ndarray, breaks: np.ndarray, fn) -> np.ndarray:
    cuts = [0, *np.flatnonzero(breaks), len(x)]
    return np.concatenate([fn(x[a:b]) for a, b in zip(cuts[:-1], cuts[1:]) if b > a])
