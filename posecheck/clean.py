"""Cleaning a PoseTrack: each step a function from arrays to arrays.

1. :func:`gate_visibility` — landmarks MediaPipe itself doubts (visibility < 0.5) become NaN.
2. :func:`repair_swaps` — side views: MediaPipe (like Sports2D/OpenPose) sometimes exchanges
   the left and right legs for a few frames; a frame is swapped back when the exchanged
   assignment is much closer to the previous frame than the given one.
3. :func:`interpolate_gaps` — linear interpolation over gaps of at most ``max_gap`` samples;
   longer gaps stay NaN (not observed is not the same as observed).
4. :func:`lowpass` — zero-phase 4th-order Butterworth (``filtfilt``) applied separately to each
   NaN-free run. Cut-off :data:`CUTOFF_HZ` = 6 Hz: pedalling at 120 rpm is 2 Hz, and the knee
   angle's shape needs its 2nd and 3rd harmonics (4 and 6 Hz); marker-based cycling studies
   filter at 6-10 Hz. On low-frame-rate clips the cut-off is capped at 0.8 x Nyquist.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.signal import butter, filtfilt

from posecheck.landmarks import Landmark as L
from posecheck.track import PoseTrack

CUTOFF_HZ = 6.0
MIN_VISIBILITY = 0.5
MAX_GAP_S = 0.25

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


def repair_swaps(xy: np.ndarray, pairs=LEG_PAIRS, ratio: float = 0.5):
    """Undo left/right exchanges of a limb group frame by frame.

    A frame is swapped back when the cost (summed distance to the previous repaired frame)
    of the exchanged assignment is below ``ratio`` x the cost of the given one. Frames with a
    missing point are left as they are. Returns (repaired xy, (T,) bool swapped).
    """
    out = np.array(xy, float, copy=True)
    left = [a for a, _ in pairs]
    right = [b for _, b in pairs]
    swapped = np.zeros(len(out), bool)
    prev = None
    for t in range(len(out)):
        cur_l, cur_r = out[t, left], out[t, right]
        if np.isnan(cur_l).any() or np.isnan(cur_r).any():
            continue
        if prev is not None:
            keep = (
                np.linalg.norm(cur_l - prev[0], axis=-1).sum()
                + np.linalg.norm(cur_r - prev[1], axis=-1).sum()
            )
            swap = (
                np.linalg.norm(cur_l - prev[1], axis=-1).sum()
                + np.linalg.norm(cur_r - prev[0], axis=-1).sum()
            )
            if swap < ratio * keep:
                out[t, left], out[t, right] = cur_r, cur_l
                swapped[t] = True
        prev = (out[t, left].copy(), out[t, right].copy())
    return out, swapped


def _runs(valid: np.ndarray):
    """(start, stop) of each run of True."""
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
        for a, b in _runs(nan):
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
    for c in range(flat.shape[1]):
        col = flat[:, c]
        valid = ~np.isnan(col)
        for s, e in _runs(valid):
            cuts = [s, *(s + np.flatnonzero(seg[s + 1 : e]) + 1), e]
            for p, q in zip(cuts[:-1], cuts[1:]):
                if q - p > pad:
                    col[p:q] = filtfilt(b, a, col[p:q])
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
) -> PoseTrack:
    """Gate, repair swaps (side views), fill short gaps and low-pass the image landmarks.

    Returns a new track whose ``meta["cleaning"]`` logs every step and its parameters.
    """
    xy = gate_visibility(track.xy_px, track.visibility, min_visibility)
    n_swapped = 0
    if side_view:
        xy, sw_legs = repair_swaps(xy, LEG_PAIRS)
        xy, sw_arms = repair_swaps(xy, ARM_PAIRS)
        n_swapped = int(sw_legs.sum() + sw_arms.sum())
    br = time_breaks(track.t_s, fps)
    max_gap = max(1, int(round(max_gap_s * fps)))
    xy = (
        interpolate_gaps(xy, max_gap)
        if not br.any()
        else _per_segment(xy, br, lambda seg: interpolate_gaps(seg, max_gap))
    )
    xy = lowpass(xy, fps, cutoff_hz, breaks=br)
    log = [
        {"step": "gate_visibility", "min_visibility": min_visibility},
        {"step": "repair_swaps", "frames_swapped": n_swapped, "applied": side_view},
        {"step": "interpolate_gaps", "max_gap_frames": max_gap},
        {"step": "lowpass", "cutoff_hz": min(cutoff_hz, 0.4 * fps), "order": 4, "zero_phase": True},
    ]
    return replace(track, xy_px=xy, meta={**track.meta, "cleaning": log})


def _per_segment(x: np.ndarray, breaks: np.ndarray, fn) -> np.ndarray:
    cuts = [0, *np.flatnonzero(breaks), len(x)]
    return np.concatenate([fn(x[a:b]) for a, b in zip(cuts[:-1], cuts[1:]) if b > a])
