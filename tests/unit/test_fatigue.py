"""Fatigue timeline on synthetic metric tables whose drifts and onsets are known exactly."""

import numpy as np
import pandas as pd
import pytest

from posecheck.fatigue import (
    SIGNS,
    FatigueSettings,
    analyse_fatigue,
    default_windows,
    mmss,
    running_median,
    units,
)

FPS = 10.0
BASE = {
    "shrug_ratio": 0.40,
    "elbow_angle_deg": 155.0,
    "neck_angle_deg": 30.0,
    # the back signs in the body's degrees (the outline's reading times its gain)
    "thoracic_rounding_deg": 10.0,
    "back_angle_deg": 40.0,
    "pelvic_tilt_deg": 5.0,
}
NOISE = {
    "shrug_ratio": 0.004,
    "elbow_angle_deg": 1.0,
    "neck_angle_deg": 1.0,
    "thoracic_rounding_deg": 1.5,
    "back_angle_deg": 0.5,
    "pelvic_tilt_deg": 1.2,
}


def ride(duration_s=600.0, drifts=None, events=(), seed=1, keep=None):
    """Per-frame metrics of a steady rider with optional ramps {metric: (onset, full, change)}
    and transient steps ``(metric, start, end, change)``; ``keep`` masks frames (long mode)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * FPS)) / FPS
    df = pd.DataFrame({"frame": np.arange(len(t)), "time_s": t})
    for col, base in BASE.items():
        v = base + rng.normal(0, NOISE[col], len(t))
        for name, (onset, full, change) in (drifts or {}).items():
            if name == col:
                v = v + change * np.clip((t - onset) / (full - onset), 0, 1)
        for name, a, b, change in events:
            if name == col:
                v = v + change * ((t >= a) & (t < b))
        df[col] = v
        df[f"{col}_conf"] = 0.9
    if keep is not None:
        df = df[keep(t)].reset_index(drop=True)
    return df


NO_STROKES = pd.DataFrame(columns=["start_s", "end_s", "standing"])


def test_default_windows_scale_with_the_ride():
    assert default_windows(180.0) == pytest.approx((9.0, 45.0, 30.0))
    assert default_windows(5400.0) == pytest.approx((60.0, 360.0, 300.0))
    assert default_windows(600.0, FatigueSettings(baseline_s=120, sustain_s=90)) == pytest.approx(
        (30.0, 150.0, 90.0)
    )


def test_steady_ride_has_no_findings_and_says_so():
    out, timeline = analyse_fatigue(ride(), NO_STROKES, 600.0)
    assert out["findings"] == [] and out["steady"]
    assert "held steady" in out["headline"]
    assert timeline["tension_score"].max() < 1 and timeline["collapse_score"].max() < 1
    assert set(out["baseline"]["per_metric"]) == set(BASE)


@pytest.mark.parametrize(
    "metric,change,unit,family",
    [
        ("shrug_ratio", -0.08, "%", "tension"),
        ("elbow_angle_deg", 12.0, "deg", "tension"),
        ("neck_angle_deg", 12.0, "deg", "tension"),
        ("thoracic_rounding_deg", 20.0, "deg", "collapse"),
        ("back_angle_deg", -8.0, "deg", "collapse"),
        ("pelvic_tilt_deg", 18.0, "deg", "collapse"),
    ],
)
def test_each_drift_is_found_with_its_onset(metric, change, unit, family):
    onset, full = 280.0, 400.0
    out, timeline = analyse_fatigue(ride(drifts={metric: (onset, full, change)}), NO_STROKES, 600.0)
    assert [f["metric"] for f in out["findings"]] == [metric]
    f = out["findings"][0]
    assert f["family"] == family and f["change_unit"] == unit
    assert f["onset_s"] == pytest.approx(onset, abs=25), f
    assert f["late_value"] == pytest.approx(BASE[metric] + change, abs=4 * NOISE[metric])
    expected = 100 * change / BASE[metric] if unit == "%" else change
    assert f["change"] == pytest.approx(expected, rel=0.15)
    assert f["confidence"] > 0.6
    assert f["onset"] == mmss(f["onset_s"]) and f["onset"] in f["sentence"]
    assert f["advice"]
    # the family score passes 1 after the onset and names this metric as the driver
    late = timeline["time_s"] > full
    assert (timeline.loc[late, f"{family}_score"] > 1).all()
    assert (timeline.loc[late, f"{family}_driver"] == metric).all()
    other = "collapse" if family == "tension" else "tension"
    assert timeline[f"{other}_score"].max() < 1


def test_shrug_sentence_reads_like_the_brief():
    out, _ = analyse_fatigue(ride(drifts={"shrug_ratio": (280, 400, -0.072)}), NO_STROKES, 600.0)
    s = out["findings"][0]["sentence"]
    assert s.startswith("Your shoulders began creeping up at 4:")
    assert "ear-to-shoulder distance 18% shorter than in your fresh minutes (0:30-2:30)" in s


@pytest.mark.parametrize(
    "event",
    [
        ("back_angle_deg", 200, 220, 25.0),  # a 20 s standing effort
        ("elbow_angle_deg", 300, 310, -40.0),  # a drink
        ("neck_angle_deg", 400, 404, -25.0),  # a head turn to a screen
        ("elbow_angle_deg", 450, 510, -20.0),  # hands on the tops for a minute, then back
    ],
)
def test_transients_are_not_findings_but_position_changes(event):
    out, _ = analyse_fatigue(ride(events=[event]), NO_STROKES, 600.0)
    assert out["findings"] == []
    metric, a, b, _ = event
    hits = [e for e in out["position_changes"] if e["metric"] == metric]
    assert hits and abs(hits[0]["start_s"] - a) < 25


def test_opposite_direction_is_not_fatigue():
    """Shoulders dropping (shrug ratio rising) is relaxing, not tension."""
    out, _ = analyse_fatigue(ride(drifts={"shrug_ratio": (280, 400, +0.08)}), NO_STROKES, 600.0)
    assert out["findings"] == []


def test_small_drift_below_the_noise_floor_is_ignored():
    out, _ = analyse_fatigue(ride(drifts={"elbow_angle_deg": (280, 400, 3.0)}), NO_STROKES, 600.0)
    assert out["findings"] == []


def test_single_bad_frames_change_nothing():
    df = ride()
    rng = np.random.default_rng(5)
    bad = rng.choice(len(df), 60, replace=False)
    df.loc[bad, "elbow_angle_deg"] = 179.0
    out, _ = analyse_fatigue(df, NO_STROKES, 600.0)
    assert out["findings"] == []
    ref, _ = analyse_fatigue(ride(), NO_STROKES, 600.0)
    assert out["baseline"]["per_metric"]["elbow_angle_deg"]["median"] == pytest.approx(
        ref["baseline"]["per_metric"]["elbow_angle_deg"]["median"], abs=0.3
    )


def test_low_confidence_frames_are_not_used():
    df = ride(drifts={"elbow_angle_deg": (280, 400, 12.0)})
    df["elbow_angle_deg_conf"] = 0.2
    out, _ = analyse_fatigue(df, NO_STROKES, 600.0)
    assert "elbow_angle_deg" not in out["baseline"]["per_metric"]
    assert any(s["metric"] == "elbow_angle_deg" for s in out["not_assessed"])


@pytest.mark.parametrize("window,every", [(20, 60), (10, 90)])
def test_long_mode_windows_give_the_same_findings(window, every):
    drifts = {"shrug_ratio": (1500, 2400, -0.08), "elbow_angle_deg": (2000, 2600, 12.0)}
    full, _ = analyse_fatigue(ride(3600.0, drifts), NO_STROKES, 3600.0)
    long_, _ = analyse_fatigue(
        ride(3600.0, drifts, keep=lambda t: (t % every) < window), NO_STROKES, 3600.0
    )
    assert [f["metric"] for f in full["findings"]] == [f["metric"] for f in long_["findings"]]
    assert len(full["findings"]) == 2
    for a, b in zip(full["findings"], long_["findings"]):
        assert a["onset_s"] == pytest.approx(b["onset_s"], abs=90)
        assert a["change"] == pytest.approx(b["change"], rel=0.1)


def test_a_stored_baseline_catches_a_rider_tired_from_the_start():
    # shoulders already up by 18% from the first minute: the ride's own baseline sees nothing
    df = ride(drifts={"shrug_ratio": (0.0, 1.0, -0.072)})
    own, _ = analyse_fatigue(df, NO_STROKES, 600.0)
    assert own["findings"] == []
    stored = {"shrug_ratio": {"median": 0.40, "spread": 0.004}}
    out, _ = analyse_fatigue(df, NO_STROKES, 600.0, stored_baseline=stored)
    assert [f["metric"] for f in out["findings"]] == ["shrug_ratio"]
    assert out["baseline"]["per_metric"]["shrug_ratio"]["source"] == "profile"
    assert "stored baseline" in out["findings"][0]["sentence"]


def test_units_follow_strokes_and_drop_standing_ones():
    df = ride(60.0)
    strokes = pd.DataFrame(
        {
            "start_s": np.arange(0, 59, 1.0),
            "end_s": np.arange(1, 60, 1.0),
            "standing": [i % 10 == 0 for i in range(59)],
            "hip_rocking_deg": np.linspace(2, 4, 59),
        }
    )
    u = units(df, strokes)
    assert len(u) == 59 - 6
    assert u["time_s"].iloc[0] == pytest.approx(1.5)
    expected = df.loc[(df.time_s >= 1) & (df.time_s < 2), "elbow_angle_deg"].median()
    assert u["elbow_angle_deg"].iloc[0] == pytest.approx(expected)
    assert "hip_rocking_deg" in u


def test_narrowing_movement_is_reported():
    rng = np.random.default_rng(3)
    df = ride(600.0)
    early = df["time_s"] < 200
    wobble = 6 * np.sin(2 * np.pi * df["time_s"] / 30)  # posture shifting early on
    df.loc[early, "back_angle_deg"] += wobble[early] + rng.normal(0, 1, early.sum())
    out, _ = analyse_fatigue(df, NO_STROKES, 600.0)
    notes = " ".join(out["variability"]["notes"])
    assert "back angle varied less in the last third" in notes


def test_running_median_ignores_nan():
    t = np.arange(10.0)
    v = np.array([1, 1, np.nan, 1, 100, 1, 1, np.nan, 1, 1], float)
    out = running_median(t, v, 3.0)
    assert np.isnan(out[2]) and np.isnan(out[7])
    assert out[4] == 1.0


def test_running_median_after_a_gap_takes_the_level_of_its_own_window():
    """Long mode's windows on a ramp (the rendered 30-minute ride's elbows): 14 units at 0.68
    of the threshold in a window at 1460 s, 13 at 1.25 in the next one at 1500 s. A centred
    median over 100 s gave the 1500 s window the earlier window's level (more units), the run
    past the threshold began too late to be sustained, and adaptive mode missed the lock
    that full mode finds. Cut at the gap, each window keeps its own level; the ends of the
    series stay one-sided."""
    t = np.concatenate(
        [1460 + np.arange(14) * 0.7, 1500.5 + np.arange(13) * 0.7, 1790 + np.arange(14) * 0.7]
    )
    v = np.select([t < 1490, t < 1700], [0.68, 1.25], 2.7)
    out = running_median(t, v, 100.0)
    assert (out[(t > 1490) & (t < 1700)] == 1.25).all(), out
    assert (out[t < 1490] == 0.68).all() and (out[t > 1700] == 2.7).all(), out


def test_running_median_of_a_dense_series_is_the_centred_rolling_median():
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.5, 0.9, 3000))
    v = rng.normal(0, 1, len(t)) + np.where(t > 1000, 2.0, 0.0)
    s = pd.Series(v, index=pd.to_timedelta(t, unit="s"))
    plain = s.rolling(pd.Timedelta(seconds=100.0), center=True, min_periods=1).median()
    np.testing.assert_array_equal(running_median(t, v, 100.0), plain.to_numpy())


def test_every_sign_has_advice_and_a_family():
    for s in SIGNS:
        assert s.family in ("tension", "collapse") and s.advice and s.what.startswith("Your")


def test_personal_thresholds_replace_the_default_floor():
    df = ride(drifts={"elbow_angle_deg": (280, 400, 6.0)})
    default, _ = analyse_fatigue(df, NO_STROKES, 600.0)
    assert [f["metric"] for f in default["findings"]] == ["elbow_angle_deg"]  # 6 > 5 deg
    loose, _ = analyse_fatigue(df, NO_STROKES, 600.0, thresholds={"elbow_angle_deg": 8.0})
    assert loose["findings"] == []
    assert loose["baseline"]["per_metric"]["elbow_angle_deg"]["threshold"] == 8.0


def test_no_baseline_is_not_called_steady():
    """Strokes only after the baseline window: nothing can be judged, and the result says
    so instead of "held steady"."""
    t = np.arange(600.0, 1200.0, 1.0)
    metrics = pd.DataFrame({"time_s": t})
    for sign in SIGNS:
        metrics[sign.metric] = 10.0
        metrics[f"{sign.metric}_conf"] = 1.0
    strokes = pd.DataFrame({"start_s": t, "end_s": t + 1.0, "standing": False})
    out, _ = analyse_fatigue(metrics, strokes, duration_s=1200.0)
    assert out["findings"] == [] and out["steady"] is False
    assert out["headline"].startswith("Posture over time was not assessed")
    settle, base_end, _ = default_windows(1200.0, FatigueSettings())
    assert base_end < 600.0  # the baseline window really is empty
    assert f"({mmss(settle)}-{mmss(base_end)})" in out["headline"]


def test_a_clip_too_short_for_a_timeline_says_so_and_claims_nothing():
    """A fitter's 30 s side view: even a drift inside it is no finding, and the headline says
    what the clip is good for instead of "held steady" (issue 21)."""
    out, _ = analyse_fatigue(
        ride(30.0, drifts={"elbow_angle_deg": (10, 20, 15.0)}), NO_STROKES, 30.0
    )
    assert out["findings"] == [] and out["too_short"] and not out["steady"]
    assert out["headline"].startswith("A 0:30 clip is a fit check, but")
    assert "held steady" not in out["headline"]
    # no stroke in it (feet out of the picture, no pedalling): no stroke angles to claim
    assert "no pedal stroke was measured" in out["headline"]
    assert "are valid" not in out["headline"]
    strokes = pd.DataFrame({"start_s": [5.0, 6.0], "end_s": [6.0, 7.0], "standing": False})
    fit, _ = analyse_fatigue(ride(30.0), strokes, 30.0)
    assert fit["too_short"] and "stroke are valid (see Fitter)" in fit["headline"]
    assert "no pedal stroke" not in fit["headline"]
    long, _ = analyse_fatigue(ride(600.0), NO_STROKES, 600.0)
    assert not long["too_short"] and long["steady"]
    # against a stored fresh baseline (a rider profile) a short clip is still judged
    stored = {"elbow_angle_deg": {"median": 155.0, "spread": 1.0}}
    out, _ = analyse_fatigue(ride(30.0), NO_STROKES, 30.0, stored_baseline=stored)
    assert not out["too_short"]


@pytest.mark.parametrize(
    "lumbar, upper, reported, set_aside",
    [
        # the whole back rounds: the lower back's slope follows, but it has no bend of its own
        (-2.0, 19.0, "thoracic_rounding_deg", "pelvic_tilt_deg"),
        # the pelvis tips: the bend is low, the upper back does not bend
        (19.0, 1.0, "pelvic_tilt_deg", "thoracic_rounding_deg"),
    ],
)
def test_the_back_sign_reported_is_the_one_where_the_bend_is(lumbar, upper, reported, set_aside):
    """Both back signs rise together (they read one outline); the shape columns say where
    the bend is, and only that sign is reported, the other listed as explained."""
    onset, full = 280.0, 400.0
    df = ride(
        drifts={
            "thoracic_rounding_deg": (onset, full, 19.0),
            "pelvic_tilt_deg": (onset, full, 17.0),
        }
    )
    t = df["time_s"].to_numpy()
    ramp = np.clip((t - onset) / (full - onset), 0, 1)
    rng = np.random.default_rng(5)
    for col, change in (("lumbar_bend_deg", lumbar), ("upper_bend_deg", upper)):
        df[col] = 2.0 + change * ramp + rng.normal(0, 3.0, len(t))
        df[f"{col}_conf"] = 0.9
    out, timeline = analyse_fatigue(df, NO_STROKES, 600.0)
    assert [f["metric"] for f in out["findings"]] == [reported]
    assert [x["metric"] for x in out["explained"]] == [set_aside]
    assert out["explained"][0]["located_share"] < 0.5
    # the set-aside sign does not drive the collapse score
    assert set_aside not in set(timeline["collapse_driver"])
    # without the shape columns (an outline-less track) both are reported, as before
    both, _ = analyse_fatigue(
        df.drop(columns=["lumbar_bend_deg", "upper_bend_deg"]), NO_STROKES, 600.0
    )
    assert {f["metric"] for f in both["findings"]} == {reported, set_aside}


def test_a_drift_whose_last_unit_lies_past_the_stated_duration_still_has_its_late_value():
    """A live recording's container states a duration from its average frame rate, a little
    short of its last frame; with no unit inside the late window (sparse strokes) the late
    value was NaN and findings.json could not be written."""
    metrics = ride(
        600.0,
        drifts={"elbow_angle_deg": (280.0, 380.0, 12.0)},
        keep=lambda t: (t < 400) | (t >= 594),
    )
    out, _ = analyse_fatigue(metrics, NO_STROKES, 594.5)
    (f,) = out["findings"]
    assert f["metric"] == "elbow_angle_deg"
    assert f["late_value"] == pytest.approx(BASE["elbow_angle_deg"] + 12.0, abs=2.0)
    assert f["change"] == pytest.approx(12.0, abs=2.0)


def test_a_driver_is_named_only_where_the_score_shows_it():
    """A sign 1e-17 past its threshold (a CPU's rounding: the ready-made fatigue analysis
    named a driver there on one machine and not on another) drives nothing; 0.002 does."""
    from posecheck.fatigue import family_drivers

    stack = np.array([[0.0, 1e-17, 0.002, 0.0], [0.0, 0.0, 0.001, 0.3]])
    names = np.array(["shrug_ratio", "elbow_angle_deg"], dtype=object)
    assert list(family_drivers(stack, names)) == ["", "", "shrug_ratio", "elbow_angle_deg"]


def test_a_small_shift_held_for_an_hour_does_not_date_a_later_lock():
    """The rendered 90-minute ride's elbows: the measured angle shifts (2.3° there, 2.5° here:
    half the threshold) when the shoulders rise at 25 minutes and holds there; the lock itself comes
    at 71 minutes. The onset is the lock, not the shift: walking back from the lock through a
    level held below the threshold for an hour dated it at the shift (25 min)."""
    lock = 4260.0
    m = ride(
        5400.0,
        drifts={"elbow_angle_deg": (lock, lock + 300.0, 14.0)},
        events=[("elbow_angle_deg", 1500.0, 5400.0, 2.5)],
    )
    out, _ = analyse_fatigue(m, NO_STROKES, 5400.0)
    (f,) = [f for f in out["findings"] if f["metric"] == "elbow_angle_deg"]
    assert f["threshold"] == pytest.approx(5.0)
    assert f["onset_s"] == pytest.approx(lock, abs=108), f  # 2% of the ride


def test_a_slow_creep_is_dated_where_it_began_not_where_it_looks_held():
    """A creep slow enough that a stretch of it rises less than a quarter of the threshold in
    a sustain time looks like a held level; it is not one (it reaches the threshold as slowly
    as it climbed: more than half a sustain time from three quarters of it), so the onset
    stays at the creep's start. (The rise is measured along a least-squares line because a
    running median climbs a creep in flat steps: the human shrug render's test in
    tests/integration/test_human_renders.py fails when it is measured by medians of thirds.)"""
    start = 1500.0
    m = ride(5400.0, drifts={"elbow_angle_deg": (start, start + 3900.0, 10.0)})
    out, _ = analyse_fatigue(m, NO_STROKES, 5400.0)
    (f,) = [f for f in out["findings"] if f["metric"] == "elbow_angle_deg"]
    assert f["onset_s"] == pytest.approx(start, abs=108), f
