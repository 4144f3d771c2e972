"""Cleaning steps on synthetic tracks with exact answers, including NaN-injected ones."""

import numpy as np

from posecheck.clean import (
    LEG_PAIRS,
    clean_track,
    gate_visibility,
    interpolate_gaps,
    lowpass,
    repair_swaps,
    time_breaks,
)
from posecheck.landmarks import N_LANDMARKS
from posecheck.landmarks import Landmark as L
from posecheck.track import PoseTrack


def test_gate_visibility_exact():
    xy = np.arange(12, dtype=float).reshape(2, 3, 2)
    vis = np.array([[0.9, 0.2, 0.5], [np.nan, 1.0, 0.49]])
    out = gate_visibility(xy, vis)
    expect = xy.copy()
    expect[0, 1] = expect[1, 0] = expect[1, 2] = np.nan
    np.testing.assert_array_equal(out, expect)


def _legs(n=60, fps=30.0):
    """Left and right feet on circles half a turn apart: a pedalling side view."""
    t = np.arange(n) / fps
    ph = 2 * np.pi * 1.5 * t
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    for (lm_l, lm_r), off in zip(LEG_PAIRS, (0, 40, 60, 80)):
        xy[:, lm_l] = np.c_[300 + 80 * np.cos(ph), 400 + off + 80 * np.sin(ph)]
        xy[:, lm_r] = np.c_[300 + 80 * np.cos(ph + np.pi), 400 + off + 80 * np.sin(ph + np.pi)]
    return xy


def test_repair_swaps_restores_exchanged_legs_exactly():
    truth = _legs()
    bad = truth.copy()
    for lm_l, lm_r in LEG_PAIRS:  # MediaPipe exchanges the legs for frames 20-24
        bad[20:25, [lm_l, lm_r]] = truth[20:25, [lm_r, lm_l]]
    fixed, swapped = repair_swaps(bad)
    np.testing.assert_array_equal(fixed, truth)
    np.testing.assert_array_equal(np.flatnonzero(swapped), np.arange(20, 25))


def test_repair_swaps_leaves_a_clean_track_alone_and_skips_nan():
    truth = _legs()
    truth[30, L.LEFT_KNEE] = np.nan
    fixed, swapped = repair_swaps(truth)
    np.testing.assert_array_equal(fixed, truth)
    assert not swapped.any()


def test_interpolate_short_gaps_only():
    x = np.arange(20, dtype=float)
    x[3:5] = np.nan  # gap of 2: filled
    x[10:16] = np.nan  # gap of 6: kept
    x[0] = np.nan  # leading: kept
    out = interpolate_gaps(x, max_gap=3)
    np.testing.assert_allclose(out[3:5], [3.0, 4.0])
    assert np.isnan(out[10:16]).all() and np.isnan(out[0])
    np.testing.assert_array_equal(out[5:10], np.arange(5, 10))


def test_lowpass_keeps_pedalling_and_removes_jitter():
    fs = 30.0
    t = np.arange(600) / fs
    slow = 20 * np.sin(2 * np.pi * 2.0 * t)  # 120 rpm
    jitter = 3 * np.sin(2 * np.pi * 13.0 * t)  # frame-to-frame noise
    out = lowpass(slow + jitter, fs)
    mid = slice(60, -60)
    assert np.abs(out[mid] - slow[mid]).max() < 0.3  # <1.5% of the 20-unit swing
    # Zero phase: no lag at the pedalling frequency.
    lag = np.argmax(np.correlate(out[mid], slow[mid], "full")) - (len(slow[mid]) - 1)
    assert lag == 0


def test_lowpass_per_nan_free_run_and_constant_is_exact():
    x = np.full(100, 7.0)
    x[40:45] = np.nan
    out = lowpass(x, 30.0)
    np.testing.assert_allclose(out[~np.isnan(x)], 7.0, atol=1e-9)
    assert np.isnan(out[40:45]).all()


def test_time_breaks_split_long_mode_windows():
    t = np.r_[np.arange(30) / 30, 60 + np.arange(30) / 30]
    br = time_breaks(t, 30.0)
    np.testing.assert_array_equal(np.flatnonzero(br), [30])
    # A step between windows must not be smeared across the jump by the filter.
    x = np.r_[np.zeros(30), np.ones(30) * 10]
    out = lowpass(x, 30.0, breaks=br)
    np.testing.assert_allclose(out, x, atol=1e-9)


def test_clean_track_logs_steps():
    xy = _legs(90)
    for lm in (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER):
        xy[:, lm] = [200.0, 200.0]
    vis = np.where(np.isnan(xy[..., 0]), 0.0, 1.0)
    tr = PoseTrack(np.arange(90), np.arange(90) / 30, xy, np.zeros((90, N_LANDMARKS, 3)), vis)
    out = clean_track(tr, 30.0)
    assert [s["step"] for s in out.meta["cleaning"]] == [
        "gate_visibility",
        "repair_swaps",
        "interpolate_gaps",
        "lowpass",
    ]
    np.testing.assert_allclose(out.xy_px[:, L.LEFT_HIP], 200.0, atol=1e-9)
    assert np.isnan(out.xy_px[:, L.NOSE]).all()
