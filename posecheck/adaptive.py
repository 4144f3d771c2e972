"""Adaptive long mode: sparse windows first, more only where a sign changes.

A long ride is first measured in short windows (``window_s`` at the full frame rate): one
every ``BASELINE_EVERY_S`` over the fresh baseline (the fatigue timeline needs enough strokes
there), then one every ``every_s`` to the end, and one at the very end; none while the rider
settles in (the timeline leaves that out). The fatigue timeline
is worked out on those frames. Each finding's onset then lies between the last window
before it and the window it was dated in; while that bracket is wider than the tolerance
(:func:`tolerance_s`: 60 s or 2% of the ride, whichever is larger) a window is added in
the middle of the gap and the timeline worked out again, so an onset costs a few windows
(about log2(every_s / tolerance)) instead of a window every minute of the ride.

Each window starts on a keyframe when one lies within a window's length before its planned
start (:func:`keyframe_snap`, the keyframes read from the container's packets): a seek to a
start between keyframes decodes every picture from the keyframe before it for nothing.

:func:`refine` is the whole loop; it takes a function that measures a set of windows (the
pipeline runs the model on the windows not yet seen, the unit tests use synthetic
metrics), so the rule is tested without video.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecheck.fatigue import FatigueSettings, default_windows
from posecheck.track import PoseTrack

#: seconds between windows over the fresh baseline (its strokes set every threshold)
BASELINE_EVERY_S = 60.0
#: rounds of refinement at most (each halves every open bracket)
MAX_ROUNDS = 8

Window = tuple[float, float]


def tolerance_s(duration_s: float) -> float:
    """How closely an onset is bracketed: 60 s or 2% of the ride, whichever is larger."""
    return max(60.0, 0.02 * duration_s)


Snap = Callable[[float], float]


def keyframe_snap(keyframes: np.ndarray, max_shift_s: float) -> Snap:
    """Moves a window's start back to the keyframe at or before it, when one lies within
    ``max_shift_s``: decoding then starts at the window itself, where a start between
    keyframes first decodes every frame from the keyframe before it (up to a keyframe
    interval of pictures for nothing, per window)."""

    def snap(t: float) -> float:
        i = int(np.searchsorted(keyframes, t + 1e-6, side="right")) - 1
        if i >= 0 and t - keyframes[i] <= max_shift_s:
            return round(float(keyframes[i]), 3)
        return t

    return snap


def _no_snap(t: float) -> float:
    return t


def coarse_windows(
    duration_s: float,
    window_s: float,
    every_s: float,
    settings: FatigueSettings | None = None,
    snap: Snap = _no_snap,
) -> list[Window]:
    """The first pass: windows every ``every_s`` from 0; when that is sparser than
    :data:`BASELINE_EVERY_S`, also one every :data:`BASELINE_EVERY_S` over the baseline and
    one ending at the end of the ride, and none that ends before the rider has settled in
    (denser spacings: the fixed grid, as before)."""
    starts = set(np.arange(0.0, max(duration_s - 1e-9, 0.0), every_s).round(3))
    if every_s > BASELINE_EVERY_S:  # else the plain grid of fixed long mode
        settle, base_end, _sustain = default_windows(duration_s, settings or FatigueSettings())
        base = set(np.arange(settle, min(base_end, duration_s), BASELINE_EVERY_S).round(3))
        # a window over before the rider has settled in counts for nothing: the timeline
        # leaves those frames out of the baseline, and no onset can lie before the baseline
        starts = {s for s in starts if s + window_s > settle + 1e-6} | base
        if duration_s > window_s:
            starts.add(round(duration_s - window_s, 3))
    starts = {snap(float(s)) for s in starts}
    return _merge([(float(s), float(min(s + window_s, duration_s))) for s in starts])


def _merge(windows: list[Window]) -> list[Window]:
    """Sorted, overlapping windows joined."""
    out: list[Window] = []
    for a, b in sorted(windows):
        if out and a <= out[-1][1] + 1e-6:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def open_brackets(windows: list[Window], findings: list[dict], tol_s: float) -> list[Window]:
    """For each finding, the stretch its onset (and the time it became sustained) is known to
    lie in, when wider than ``tol_s``:
    from the end of the last window before the onset to the onset itself (an onset dated
    inside a window) or to the next window's start (an onset the change-point fit placed in
    a gap between windows: nothing was measured there)."""
    out = []
    for f in findings:
        # the onset, and where the change became sustained: on sparse windows the onset's fit
        # can land early (a small drift before the real one), and frames on the ramp up to the
        # threshold are what date it
        tol = float(f.get("tolerance_s", tol_s))
        for when in (float(f["onset_s"]), float(f.get("sustained_from_s", f["onset_s"]))):
            before = [b for _a, b in windows if b <= when + 1e-6]
            if not before:
                continue
            inside = any(a <= when < b for a, b in windows)
            later = [a for a, _b in windows if a > when]
            hi = when if inside or not later else later[0]
            if hi - before[-1] > tol and (before[-1], hi) not in out:
                out.append((before[-1], hi))
    return out


def pending_crossings(
    windows: list[Window],
    findings: dict,
    timeline,
    duration_s: float,
    window_s: float,
) -> list[dict]:
    """Signs past their threshold up to the last analysed unit that are not findings only
    because the windows began to see them too late: the drift runs to the end of the ride
    but started, as far as the windows can tell, less than the sustain time before it,
    while the gap before that run would leave enough time. Each is returned as a finding
    would be (``onset_s`` = ``sustained_from_s`` = the run's first unit) with its own
    tolerance of a window's length, so :func:`refine` bisects that gap until the run's start
    is known to within a window (and the sign becomes a finding, or is shown not to be)."""
    found = {f["metric"] for f in findings["findings"]}
    sustain = float(findings["sustain_s"])
    out = []
    for col in timeline.columns:
        if not col.endswith("_z") or col[:-2] in found:
            continue
        z = timeline[col].to_numpy(float)
        # units in the gaps between windows read z = 0 (no value): only measured ones count
        value = timeline.get(col[:-2])
        valid = np.isfinite(z) & (np.isfinite(value.to_numpy(float)) if value is not None else True)
        if not valid.any() or z[valid][-1] < 1.0:
            continue
        starts = timeline["start_s"].to_numpy(float)[valid]
        above = z[valid] >= 1.0
        first = len(above) - int(np.argmin(above[::-1])) if not above.all() else 0
        run_start = float(starts[first])
        before = [b for _a, b in windows if b <= run_start + 1e-6]
        if not before or duration_s - run_start >= sustain:
            continue  # no gap before it, or long enough (not a finding for another reason)
        if duration_s - before[-1] >= sustain and run_start - before[-1] > window_s:
            out.append(
                {
                    "metric": col[:-2],
                    "onset_s": run_start,
                    "sustained_from_s": run_start,
                    "tolerance_s": window_s,
                }
            )
    return out


def next_windows(
    windows: list[Window], brackets: list[Window], window_s: float, snap: Snap = _no_snap
) -> list[Window]:
    """One window in the middle of each open bracket (its start on a keyframe when
    ``snap`` moves it there and it stays inside the bracket)."""
    new: list[Window] = []
    for lo, hi in brackets:
        start = (lo + hi) / 2 - window_s / 2
        if snap(start) >= lo:
            start = snap(start)
        w = (round(start, 3), round(start + window_s, 3))
        if not any(a <= w[0] < b or a < w[1] <= b for a, b in windows + new):
            new.append(w)
    return new


@dataclass
class Refined:
    windows: list[Window]  # every window measured, sorted
    result: object  # what ``measure`` returned for all of them
    rounds: int  # refinement rounds run (0: the coarse pass was enough)
    added: list[Window]  # windows added by refinement
    open_brackets: list[Window]  # brackets still wider than the tolerance (none normally)


def refine(
    duration_s: float,
    window_s: float,
    every_s: float,
    measure: Callable[[list[Window]], tuple[object, list[dict]]],
    settings: FatigueSettings | None = None,
    enabled: bool = True,
    snap: Snap = _no_snap,
) -> Refined:
    """Measure the coarse windows, then add windows where findings begin until each onset is
    bracketed within :func:`tolerance_s`. ``measure(windows)`` returns (result, findings)
    for all the windows given; ``enabled=False`` stops after the coarse pass."""
    windows = coarse_windows(duration_s, window_s, every_s, settings, snap)
    tol = tolerance_s(duration_s)
    result, findings = measure(windows)
    added: list[Window] = []
    rounds = 0
    brackets = open_brackets(windows, findings, tol)
    while enabled and brackets and rounds < MAX_ROUNDS:
        new = next_windows(windows, brackets, window_s, snap)
        if not new:
            break
        rounds += 1
        added += new
        windows = _merge(windows + new)
        result, findings = measure(windows)
        brackets = open_brackets(windows, findings, tol)
    return Refined(windows, result, rounds, added, brackets)


def adaptive_track(
    info,
    outdir: Path,
    settings,
    window_s: float,
    every_s: float,
    fsettings: FatigueSettings,
    extract: Callable[[object, Path], tuple[PoseTrack, dict]],
    findings_of: Callable[[PoseTrack, list[Window]], list[dict]],
    enabled: bool = True,
) -> tuple[PoseTrack, dict, Refined]:
    """Long mode's pose track by :func:`refine`: ``extract(settings, folder)`` runs the model
        on the windows in ``settings.windows_s`` (each pass in its own folder under
        ``outdir/.adaptive``, so a rerun or a resumed run finds each pass's chunks again), and
        ``findings_of(track, windows)`` works out the findings of the frames so far (and the
    :func:`pending_crossings`). Returns the track of
        every window (saved as ``outdir/keypoints.npz``), the extraction's stats summed over the
        passes, and the refinement."""
    passes: list[PoseTrack] = []
    seen: set[Window] = set()
    stats = {"cached": True, "frames_processed": 0, "seconds": 0.0}

    def measure(windows: list[Window]):
        new = [w for w in windows if w not in seen]
        if new:
            folder = outdir / ".adaptive" / f"pass{len(passes)}"
            part, st = extract(dataclasses.replace(settings, windows_s=tuple(new)), folder)
            passes.append(part)
            seen.update(new)
            stats["cached"] = stats["cached"] and st["cached"]
            stats["frames_processed"] += st["frames_processed"]
            stats["seconds"] += st["seconds"]
        track = _in_order(passes)
        return track, findings_of(track, windows)

    from posecheck.video import keyframe_times

    snap = keyframe_snap(keyframe_times(info.path), max_shift_s=window_s)
    refined = refine(info.duration_s, window_s, every_s, measure, fsettings, enabled, snap)
    track = refined.result
    assert isinstance(track, PoseTrack)
    keys = [p.meta.get("cache_key", "") for p in passes]
    track = dataclasses.replace(
        track,
        meta={
            **passes[0].meta,
            "cache_key": hashlib.sha1(" ".join(keys).encode()).hexdigest()[:16],
            "passes": keys,
        },
    )
    track.save(outdir / "keypoints.npz")
    return track, stats, refined


def _in_order(parts: list[PoseTrack]) -> PoseTrack:
    """The passes' frames as one track, in frame order."""
    whole = PoseTrack.concat(parts)
    return whole.take(np.argsort(whole.frame, kind="stable"))
