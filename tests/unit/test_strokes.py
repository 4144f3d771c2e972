"""Pedal strokes on synthetic riders whose crank timing is known exactly."""

import numpy as np
import pandas as pd
import pytest

from posecheck.landmarks import N_LANDMARKS
from posecheck.landmarks import Landmark as L
from posecheck.metrics import compute_metrics
from posecheck.strokes import (
    coasting_spells,
    crank_phase_deg,
    foot_point,
    pedalling_statement,
    stroke_table,
)
from posecheck.track import PoseTrack
from posecheck.view import ViewDecision

W, H = 1000, 800
THIGH, SHIN, CRANK = 240.0, 230.0, 90.0


def _knee(hip, ankle, facing):
    """Two-link inverse kinematics: the knee ahead of the hip-ankle line."""
    d = ankle - hip
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    a = (THIGH**2 - SHIN**2 + dist**2) / (2 * dist)
    h = np.sqrt(np.maximum(THIGH**2 - a**2, 0))
    u = d / dist
    perp = np.stack([-u[:, 1], u[:, 0]], axis=1) * -facing
    return hip + a * u + h * perp


def side_rider(theta, t, facing=1, hip_offset=None, noise_px=0.0, seed=0):
    """A side-view rider whose crank angle is ``theta`` (radians, 0 = TDC) at times ``t``.

    Returns the track and the near (right for facing=+1, left otherwise) side."""
    n = len(t)
    side = "RIGHT" if facing == 1 else "LEFT"
    cx = W / 2
    bb = np.array([cx, 560.0])
    hip = np.tile([cx - facing * 60.0, 560.0 - 330.0], (n, 1))
    if hip_offset is not None:
        hip = hip + hip_offset
    ankle = bb + CRANK * np.stack([facing * np.sin(theta), -np.cos(theta)], axis=1)
    knee = _knee(hip, ankle, facing)
    sh = hip + [facing * 220.0, -200.0]
    pts = {
        "HIP": hip,
        "KNEE": knee,
        "ANKLE": ankle,
        "HEEL": ankle + [-facing * 25.0, 10.0],
        "FOOT_INDEX": ankle + [facing * 60.0, 10.0],
        "SHOULDER": sh,
        "ELBOW": sh + [facing * 90.0, 110.0],
        "WRIST": sh + [facing * 190.0, 100.0],
        "EAR": sh + [facing * 40.0, -70.0],
    }
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    for name, p in pts.items():
        xy[:, L[f"{side}_{name}"]] = p
        # the far side: same posture, crank half a turn on (only the foot matters here)
        other = "LEFT" if side == "RIGHT" else "RIGHT"
        xy[:, L[f"{other}_{name}"]] = p
    xy[:, L.NOSE] = sh + [facing * 70.0, -60.0]
    if noise_px:
        xy = xy + np.random.default_rng(seed).normal(0, noise_px, xy.shape)
    world = np.zeros((n, N_LANDMARKS, 3))
    vis = np.ones((n, N_LANDMARKS))
    track = PoseTrack(np.arange(n), t, xy, world, vis)
    view = ViewDecision(f"side-{side.lower()}", side.lower(), facing, 1.0)
    return track, view


def strokes_of(track, view, fps=30.0):
    metrics = compute_metrics(track, view, (W, H))
    return stroke_table(metrics, track.xy_px, view, fps), metrics


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("rpm", [28.0, 30.0, 45.0, 60.0, 90.0, 115.0, 130.0])
def test_constant_cadence_gives_exact_strokes(facing, rpm):
    fps, seconds = 30.0, 12.0
    t = np.arange(int(fps * seconds)) / fps
    f = rpm / 60.0
    theta = 2 * np.pi * f * t + 0.3
    track, view = side_rider(theta, t, facing)
    strokes, _ = strokes_of(track, view, fps)
    # TDC when theta = 2 pi k, BDC at pi + 2 pi k
    k = np.arange(1, 100)
    tdc = (2 * np.pi * k - 0.3) / (2 * np.pi * f)
    all_tdc = tdc[tdc < seconds]
    tdc = tdc[tdc < seconds - 1.0]  # the running centre is unreliable near the ends
    assert len(strokes) >= len(tdc) - 2
    # the running centre sees only half a window in the first and last second: 2% there
    inner = (strokes["start_s"] > 1.0) & (strokes["end_s"] < seconds - 1.0)
    assert strokes.loc[inner, "cadence_rpm"].to_numpy() == pytest.approx(rpm, abs=0.3)
    assert strokes["cadence_rpm"].to_numpy() == pytest.approx(rpm, rel=0.02)
    bdc_truth = strokes["start_s"].to_numpy() + 0.5 / f
    assert np.abs(strokes["bdc_s"].to_numpy() - bdc_truth).max() < 0.01
    starts = strokes["start_s"].to_numpy()
    nearest = all_tdc[np.abs(all_tdc[:, None] - starts[None]).argmin(axis=0)]
    assert np.abs(starts - nearest).max() < 0.01
    assert not strokes["standing"].any()


def test_max_extension_is_kept_apart_from_bdc():
    """With the hip behind the bottom bracket the leg is longest a little before BDC (the
    ankle furthest from the hip); the table keeps both instants and the knee angle at each."""
    fps, f = 120.0, 1.5
    t = np.arange(int(fps * 10)) / fps
    theta = 2 * np.pi * f * t
    track, view = side_rider(theta, t, facing=1)
    strokes, metrics = strokes_of(track, view, fps)
    # truth from a dense evaluation of the same geometry
    tt = np.linspace(0, 1 / f, 20001)
    dense, _ = side_rider(2 * np.pi * f * tt, tt, facing=1)
    knee_dense = compute_metrics(dense, view, (W, H))["knee_angle_deg"].to_numpy()
    lag = tt[np.argmax(knee_dense)] - 0.5 / f  # seconds from BDC to maximum extension
    assert abs(lag) > 2 / fps  # the synthetic geometry separates them by more than two frames
    got = (strokes["max_extension_s"] - strokes["bdc_s"]).to_numpy()
    assert got == pytest.approx(lag, abs=1 / fps)
    assert strokes["knee_max_deg"].to_numpy() == pytest.approx(knee_dense.max(), abs=0.2)
    knee_bdc = np.interp(0.5 / f, tt, knee_dense)
    assert strokes["knee_at_bdc_deg"].to_numpy() == pytest.approx(knee_bdc, abs=0.2)
    assert (strokes["knee_max_deg"] > strokes["knee_at_bdc_deg"]).all()
    assert strokes["knee_min_deg"].to_numpy() == pytest.approx(knee_dense.min(), abs=0.5)


def test_cadence_ramp_is_followed_stroke_by_stroke():
    fps = 30.0
    t = np.arange(int(fps * 30)) / fps
    rpm = 60 + 40 * t / t[-1]  # 60 -> 100 rpm
    theta = 2 * np.pi * np.cumsum(rpm / 60.0) / fps
    track, view = side_rider(theta, t)
    strokes, _ = strokes_of(track, view, fps)
    mid = (strokes["start_s"] + strokes["end_s"]).to_numpy() / 2
    truth = 60 + 40 * mid / t[-1]
    assert strokes["cadence_rpm"].to_numpy() == pytest.approx(truth, abs=1.0)
    assert len(strokes) >= 35


def test_noisy_ankle_still_gives_the_cadence():
    fps, rpm = 30.0, 85.0
    t = np.arange(int(fps * 20)) / fps
    theta = 2 * np.pi * rpm / 60 * t
    track, view = side_rider(theta, t, noise_px=4.0)
    strokes, _ = strokes_of(track, view, fps)
    expected = 20 * rpm / 60
    assert len(strokes) >= expected - 4
    assert strokes["cadence_rpm"].median() == pytest.approx(rpm, abs=1.5)


def test_standing_strokes_are_flagged():
    fps, rpm = 30.0, 70.0
    t = np.arange(int(fps * 20)) / fps
    theta = 2 * np.pi * rpm / 60 * t
    offset = np.zeros((len(t), 2))
    up = (t > 8) & (t < 12)
    offset[up, 1] = -80.0  # hips 80 px (27% of the 297 px trunk) above the saddle
    track, view = side_rider(theta, t, hip_offset=offset)
    strokes, _ = strokes_of(track, view, fps)
    inside = (strokes["start_s"] > 8) & (strokes["end_s"] < 12)
    outside = (strokes["end_s"] < 8) | (strokes["start_s"] > 12)
    assert inside.sum() >= 3
    assert strokes.loc[inside, "standing"].all()
    assert not strokes.loc[outside, "standing"].any()
    assert pedalling_statement(strokes, 20.0)["standing_strokes"] == int(strokes["standing"].sum())


def test_walking_is_not_pedalling():
    """Feet swing in loops while the hips travel across the picture: no strokes."""
    fps = 30.0
    t = np.arange(int(fps * 5)) / fps
    theta = 2 * np.pi * 0.9 * t
    offset = np.zeros((len(t), 2))
    offset[:, 0] = -350 + 150.0 * t  # half a trunk length per second: a slow walk
    track, view = side_rider(theta, t, hip_offset=offset)
    # the feet travel with the body
    for j in ("ANKLE", "HEEL", "FOOT_INDEX", "KNEE"):
        for s in ("LEFT", "RIGHT"):
            track.xy_px[:, L[f"{s}_{j}"]] += offset
    strokes, _ = strokes_of(track, view, fps)
    assert strokes.empty
    st = pedalling_statement(strokes, 5.0, feet_in_frame=1.0)
    assert st["pedalling"] is False and "No pedalling" in st["statement"]


def test_feet_out_of_picture_give_no_strokes_and_say_why():
    fps = 30.0
    t = np.arange(int(fps * 10)) / fps
    track, view = side_rider(2 * np.pi * 1.5 * t, t)
    cut = track.xy_px.copy()
    for s in ("LEFT", "RIGHT"):
        for j in ("ANKLE", "HEEL", "FOOT_INDEX"):
            cut[:, L[f"{s}_{j}"], 1] += 400  # below the bottom of the 800 px picture
    cut_track = PoseTrack(track.frame, track.t_s, cut, track.world_m, track.visibility)
    strokes, metrics = strokes_of(cut_track, view, fps)
    assert strokes.empty
    assert metrics["knee_angle_deg_conf"].max() == 0
    st = pedalling_statement(strokes, 10.0, feet_in_frame=0.0)
    assert st["pedalling"] is None and "could not be measured" in st["statement"]


def test_phase_restarts_after_a_gap():
    fps = 30.0
    t = np.arange(int(fps * 10)) / fps
    track, view = side_rider(2 * np.pi * 1.5 * t, t)
    xy = track.xy_px.copy()
    xy[100:130] = np.nan  # rider hidden for a second
    foot = foot_point(xy, "right")
    phase = crank_phase_deg(foot, t, 1)
    assert np.isnan(phase[100:130]).all()
    strokes, _ = strokes_of(
        PoseTrack(track.frame, t, xy, track.world_m, track.visibility), view, fps
    )
    # no stroke spans the gap
    gap = (strokes["start_s"] < 130 / fps) & (strokes["end_s"] > 100 / fps)
    assert not gap.any()
    assert len(strokes) >= 10


def test_rear_view_strokes_from_the_lowest_foot_points():
    fps, f = 30.0, 1.25  # 75 rpm
    t = np.arange(int(fps * 12)) / fps
    n = len(t)
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    theta = 2 * np.pi * f * t
    # image-right foot lowest when theta = pi (mod 2 pi); the other foot half a turn later
    for lm, x, ph in ((L.LEFT_ANKLE, 440.0, 0.0), (L.RIGHT_ANKLE, 560.0, np.pi)):
        xy[:, lm] = np.stack([np.full(n, x), 600 - 80 * np.cos(theta + ph)], axis=1)
    xy[:, L.LEFT_HIP] = [450.0, 350.0]
    xy[:, L.RIGHT_HIP] = [550.0, 350.0]
    xy[:, L.LEFT_SHOULDER] = [430.0, 150.0]
    xy[:, L.RIGHT_SHOULDER] = [570.0, 150.0]
    track = PoseTrack(np.arange(n), t, xy, np.zeros((n, N_LANDMARKS, 3)), np.ones((n, N_LANDMARKS)))
    view = ViewDecision("rear", None, 0, 1.0)
    strokes, _ = strokes_of(track, view, fps)
    assert strokes["cadence_rpm"].to_numpy() == pytest.approx(75.0, abs=2.5)
    # right foot (image-right = RIGHT_ANKLE here) lowest at theta + pi = pi + 2 pi k
    lows = np.arange(0, 20) / f
    starts = strokes["start_s"].to_numpy()
    assert np.abs(starts[:, None] - lows[None]).min(axis=1).max() <= 1 / fps + 1e-9


def test_empty_table_has_the_contract_columns():
    df = stroke_table(
        pd.DataFrame({"time_s": [], "knee_angle_deg_conf": []}),
        np.zeros((0, N_LANDMARKS, 2)),
        ViewDecision("rear", None, 0, 1.0),
        30.0,
    )
    assert {"stroke", "start_s", "end_s", "cadence_rpm", "bdc_s"} <= set(df.columns)
    assert pedalling_statement(df, 0.0)["strokes"] == 0


def test_coasting_is_found_and_stated():
    """Pedal 0-6 s, cranks still 6-10 s (coasting), pedal again 10-16 s."""
    fps = 30.0
    t = np.arange(int(fps * 16)) / fps
    rate = np.where((t >= 6) & (t < 10), 0.0, 1.5)  # turns per second
    theta = 2 * np.pi * np.cumsum(rate) / fps
    track, view = side_rider(theta, t)
    spells = coasting_spells(t, track.xy_px, view)
    assert len(spells) == 1
    assert spells[0][0] == pytest.approx(6.0, abs=0.2) and spells[0][1] == pytest.approx(
        10.0, abs=0.2
    )
    strokes, _ = strokes_of(track, view, fps)
    assert not ((strokes["start_s"] > 6.2) & (strokes["end_s"] < 9.8)).any()
    st = pedalling_statement(strokes, 16.0, feet_in_frame=1.0, coasting=spells)
    assert st["coasting_s"] == pytest.approx(4.0, abs=0.4) and "Coasting" in st["statement"]
    # steady pedalling: no coasting
    track2, _ = side_rider(2 * np.pi * 1.5 * t, t)
    assert coasting_spells(t, track2.xy_px, view) == []


def test_cadence_is_rounded_once_for_the_sentence_and_the_figure():
    """The app's tile formats cadence_rpm_median; the sentence must say the same number
    (72.54 once read 72 in one and 73 in the other)."""
    strokes = pd.DataFrame(
        {
            "cadence_rpm": [72.54] * 5,
            "start_s": np.arange(5.0),
            "end_s": np.arange(5.0) + 0.8,
            "standing": [False] * 5,
        }
    )
    out = pedalling_statement(strokes, 10.0)
    assert f"{out['cadence_rpm_median']:.0f} rpm" in out["statement"]
