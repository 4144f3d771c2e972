"""Adaptive long mode (issue 20) on synthetic metric tables whose onsets are known exactly:
the refinement brackets an onset that falls between two coarse windows."""

import numpy as np
import pytest

from posecheck.adaptive import coarse_windows, refine, tolerance_s
from posecheck.fatigue import FatigueSettings, analyse_fatigue
from tests.unit.test_fatigue import NO_STROKES, ride

DURATION = 3600.0
ONSET = 1650.0  # between the coarse windows at 1500 and 1800 s


def _measure(drifts):
    def measure(windows):
        def keep(t):
            return np.any([(t >= a) & (t < b) for a, b in windows], axis=0)

        out, _ = analyse_fatigue(ride(DURATION, drifts, keep=keep), NO_STROKES, DURATION)
        return out, out["findings"]

    return measure


@pytest.mark.parametrize("metric,change", [("elbow_angle_deg", 12.0), ("shrug_ratio", -0.08)])
def test_an_onset_between_coarse_windows_is_bracketed(metric, change):
    drifts = {metric: (ONSET, ONSET + 400.0, change)}
    full, _ = analyse_fatigue(ride(DURATION, drifts), NO_STROKES, DURATION)
    tol = tolerance_s(DURATION)  # 72 s: 2% of an hour
    got = refine(DURATION, 10.0, 300.0, _measure(drifts))
    coarse = refine(DURATION, 10.0, 300.0, _measure(drifts), enabled=False)
    onset = got.result["findings"][0]["onset_s"]
    was = coarse.result["findings"][0]["onset_s"]
    measured = sum(b - a for a, b in got.windows)
    print(
        f"\n{metric}: full {full['findings'][0]['onset_s']} s, coarse {was} s, adaptive "
        f"{onset} s after {got.rounds} rounds; windows {len(got.windows)} "
        f"({measured / DURATION:.0%} of the ride), added {got.added}"
    )
    assert [f["metric"] for f in got.result["findings"]] == [metric]
    assert abs(onset - ONSET) <= tol and abs(onset - full["findings"][0]["onset_s"]) <= tol
    assert not got.open_brackets and got.rounds >= 1
    assert measured < 0.1 * DURATION
    # without the refinement the onset is dated in the gap between coarse windows, too far
    assert abs(was - ONSET) > tol


def test_coarse_windows_cover_the_baseline_and_the_end():
    w = coarse_windows(DURATION, 10.0, 300.0)
    starts = [a for a, _ in w]
    # the baseline (60-360 s of an hour) gets a window every minute, then one every 5 min;
    # none in the first minute, while the rider settles in (the timeline leaves it out)
    assert starts[:7] == [60.0, 120.0, 180.0, 240.0, 300.0, 600.0, 900.0]
    # where the rider is said to need no settling in, the first minute is baseline
    assert [a for a, _ in coarse_windows(DURATION, 10.0, 300.0, FatigueSettings(settle_s=0))][
        :3
    ] == [0.0, 60.0, 120.0]
    assert 3300.0 in starts and w[-1] == (3590.0, 3600.0)
    # a spacing finer than the baseline's keeps the plain grid (long mode as before)
    assert coarse_windows(180.0, 10.0, 20.0)[:3] == [(0.0, 10.0), (20.0, 30.0), (40.0, 50.0)]


def test_windows_start_on_keyframes_when_one_is_near():
    """A window starting between keyframes decodes from the keyframe before it first; the
    bundled fatigue sample has a keyframe every 10 s (read from its packets)."""
    from posecheck.adaptive import keyframe_snap, next_windows
    from posecheck.video import keyframe_times
    from tests.conftest import SAMPLES

    keys = keyframe_times(SAMPLES / "fatigue_side.mp4")
    assert list(keys) == [10.0 * k for k in range(18)]
    snap = keyframe_snap(keys, max_shift_s=10.0)
    assert [snap(t) for t in (0.0, 55.0, 59.9, 60.0, 175.0)] == [0.0, 50.0, 50.0, 60.0, 170.0]
    assert keyframe_snap(keys, max_shift_s=2.0)(55.0) == 55.0  # too far back: left
    w = coarse_windows(180.0, 10.0, 25.0, snap=snap)
    assert [a for a, _ in w] == [0.0, 20.0, 50.0, 70.0, 100.0, 120.0, 150.0, 170.0]
    # a refinement window in the middle of a bracket, on a keyframe, still inside it
    assert next_windows([(0.0, 10.0), (120.0, 130.0)], [(10.0, 120.0)], 10.0, snap) == [
        (60.0, 70.0)
    ]
    assert next_windows([(0.0, 10.0), (28.0, 38.0)], [(10.0, 28.0)], 10.0, snap) == [(10.0, 20.0)]


def test_a_drift_that_windows_see_too_late_to_be_sustained_is_refined_into_a_finding():
    """A ride of 3500 s whose elbows pass their threshold about 6.5 minutes before the end
    (the sustain is 5): the coarse windows first see it at 3300 s, 200 s before the end, too
    short; the gap before is bisected until the run's start is known, and it is a finding, as
    in full mode."""
    duration = 3500.0
    drifts = {"elbow_angle_deg": (3100.0, 3160.0, 12.0)}
    full, _ = analyse_fatigue(ride(duration, drifts), NO_STROKES, duration)
    got = refine(duration, 10.0, 300.0, _pending_measure(drifts, duration))
    coarse = refine(duration, 10.0, 300.0, _pending_measure(drifts, duration), enabled=False)
    print(f"\nfull {full['findings'][0]['onset_s']} s; adaptive windows added {got.added}")
    assert [f["metric"] for f in full["findings"]] == ["elbow_angle_deg"]
    assert [f["metric"] for f in coarse.result["findings"]] == []
    assert [f["metric"] for f in got.result["findings"]] == ["elbow_angle_deg"]
    onset = got.result["findings"][0]["onset_s"]
    assert abs(onset - full["findings"][0]["onset_s"]) <= tolerance_s(duration)


def _pending_measure(drifts, duration):
    from posecheck.adaptive import pending_crossings

    def measure(windows):
        def keep(t):
            return np.any([(t >= a) & (t < b) for a, b in windows], axis=0)

        out, timeline = analyse_fatigue(ride(duration, drifts, keep=keep), NO_STROKES, duration)
        return out, out["findings"] + pending_crossings(windows, out, timeline, duration, 10.0)

    return measure
