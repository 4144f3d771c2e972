"""The real model on riders that look like people: MakeHuman bodies of different shapes,
filmed from different heights, distances and framings (``sample_videos/human``, made by
``posecheck samples --human``; exact joint centres as truth). Stronger evidence than the
cartoon, weaker than real riders: see the README's Accuracy section for all three."""

import json

import numpy as np
import pytest

from posecheck.metrics.bias import (
    LANDMARK_ANGLES,
    LANDMARK_OFFSET,
    OUTLINE_GAIN,
    OUTLINE_RATIOS,
    choose_gains,
)
from posecheck.samples import load_truth
from posecheck.samples.accuracy import (
    FIT_ANGLES,
    fit_accuracy,
    fit_landmark_correction,
    format_landmark_fit,
    format_rows,
    sensitivity,
)
from tests.conftest import SAMPLES, Lazy, shared_analysis

pytestmark = pytest.mark.model

HUMAN = SAMPLES / "human"
FIT_CLIPS = sorted(p.stem for p in HUMAN.glob("human_fit_*.mp4"))


@pytest.fixture(scope="module")
def human(tmp_path_factory, worker_id):
    """name -> the default analysis (knee and hip from corrected landmarks), once per session."""
    return Lazy(lambda n: shared_analysis(tmp_path_factory, worker_id, HUMAN / f"{n}.mp4", n))


@pytest.fixture(scope="module")
def human_raw(tmp_path_factory, worker_id):
    """name -> the analysis without the bias correction (same pose track: no second model
    run when the session's pose cache has it)."""
    return Lazy(
        lambda n: shared_analysis(
            tmp_path_factory, worker_id, HUMAN / f"{n}.mp4", n + "-raw", correct_bias=False
        )
    )


def test_the_human_renders_are_committed_with_their_truth():
    assert len(FIT_CLIPS) >= 5, FIT_CLIPS
    shapes, heights, sizes = set(), set(), set()
    for name in FIT_CLIPS:
        meta = json.loads((HUMAN / f"{name}.json").read_text())
        truth = load_truth(HUMAN / f"{name}.mp4")
        assert len(truth["t_s"]) == round(meta["duration_s"] * meta["fps"])
        shapes.add(meta["shape"])
        heights.add(meta["camera_height_m"])
        sizes.add(tuple(meta["size_wh"]))
    # several bodies, camera heights and at least one portrait framing
    assert len(shapes) >= 4 and len(heights) >= 3
    assert any(h > w for w, h in sizes), sizes


@pytest.mark.parametrize("name", FIT_CLIPS)
def test_fit_angles_on_human_bodies(human, name):
    """Agreement per angle and crank quarter, printed as an instrument's figures; the knee and
    the hip (read from the corrected landmarks) within the issue's 3 deg, the elbow and back
    at today's level (the README says where they miss 3 deg)."""
    a = human[name]
    acc = fit_accuracy(a, load_truth(HUMAN / f"{name}.mp4"))
    lines = [line for col in FIT_ANGLES for line in format_rows(col, acc[col]["agreement"], 10)]
    bdc = acc["knee_at_bdc"]
    print(f"{name} (poseaudit):\n  " + "\n  ".join(lines) + f"\n  knee at BDC: {bdc}")
    assert a.track.detection_rate >= 0.95
    assert bdc["strokes"] >= 25
    assert acc["knee_angle_deg"]["median_abs_error"] <= 3.0
    assert abs(bdc["mean_error"]) <= 3.1 and bdc["max_abs_error"] <= 4.5
    for col, limit in (("hip_angle_deg", 3.0), ("elbow_angle_deg", 9.0), ("back_angle_deg", 3.5)):
        assert acc[col]["median_abs_error"] <= limit, (col, acc[col]["median_abs_error"])


def test_landmark_correction_is_what_the_renders_say(human_raw):
    """Refit the landmark correction (posecheck.metrics.bias) on the committed renders: each
    joint's offset from the true joint centre matches the constants in the code, and the
    angles read from the corrected landmarks are those whose bias a correction fitted without
    each render halves. Fails when the renders, the model, the constants or the rule change."""
    raw = {n: (human_raw[n], load_truth(HUMAN / f"{n}.mp4")) for n in FIT_CLIPS}
    fit = fit_landmark_correction(raw)
    print("\n".join(format_landmark_fit(fit)))
    assert {c for c, r in fit["chosen"].items() if r["use"]} == set(LANDMARK_ANGLES)
    for joint, (along, across) in LANDMARK_OFFSET.items():
        assert fit["fitted"][joint] == pytest.approx((along, across), abs=0.01), joint
    # every body reads the knee straighter than it is without the correction
    assert (np.array(fit["before"]["knee_angle_deg"]) > 0).all()


#: fatigue scenario on the human body -> the one sign that truly changes (None: steady)
FATIGUE = {
    "human_steady": None,
    "human_shrug": "shrug_ratio",
    "human_elbow": "elbow_angle_deg",
    "human_thoracic": "thoracic_rounding_deg",
    "human_pelvic": "pelvic_tilt_deg",
    "human_hip_bounce": "hip_bounce_pct",
}


def _meta(name):
    return json.loads((HUMAN / f"{name}.json").read_text())


@pytest.mark.parametrize("name", list(FATIGUE))
def test_fatigue_signs_on_a_human_body(human, name):
    """Each sign alone on the human body: found, with its onset within 5% of the ride, named
    first in the headline, and nothing else reported (upper-back rounding also lifts the
    lower back's outline: it must not be reported as the pelvis tipping); the steady
    control: no finding."""
    a = human[name]
    found = [f["metric"] for f in a.findings["findings"]]
    shares = {
        x["metric"]: x.get("located_share")
        for x in a.findings["findings"] + a.findings["explained"]
    }
    print(f"{name}: {a.findings['headline']} | findings {found} | located shares {shares}")
    expected = FATIGUE[name]
    if expected is None:
        assert found == [] and a.findings["steady"], a.findings["findings"]
        return
    assert expected in found
    assert found[0] == expected, found  # the headline names the sign that truly changed
    assert found == [expected], found
    f = a.findings["findings"][0]
    truth_onset = _meta(name)["drifts"][next(iter(_meta(name)["drifts"]))]["onset_s"]
    tol = 0.05 * _meta(name)["duration_s"]
    print(f"{name}: onset {f['onset_s']} s (truth {truth_onset:.0f} s, tolerance {tol:.0f} s)")
    assert abs(f["onset_s"] - truth_onset) <= tol, f


def test_transients_on_a_human_body_are_position_changes_not_findings(human):
    """Four short changes of position that come back (sitting up 15 s, a drink 8 s, a look
    down 4 s, the hands lower 15 s: all shorter than the 20 s a finding must hold): no
    finding, and each one listed as a position change where it happened."""
    name = "human_transients"
    a = human[name]
    changes = a.findings["position_changes"]
    print(
        f"{name}: findings {[f['metric'] for f in a.findings['findings']]}; position changes "
        + ", ".join(f"{c['metric']} {c['start_s']}-{c['end_s']} s" for c in changes)
    )
    assert a.findings["findings"] == [] and a.findings["steady"], a.findings["findings"]
    for kind, start, end in _events(name):
        assert any(
            abs(c["start_s"] - start) <= 3.0 and abs(c["end_s"] - end) <= 3.0 for c in changes
        ), (kind, start, end, changes)


def _events(name):
    return [(e["kind"], e["start_s"], e["end_s"]) for e in _meta(name)["events"]]


def test_elbow_lock_is_not_read_as_a_shrug_where_it_lifts_the_shoulder_most(human):
    """Elbow lock alone on the tall man filmed in portrait: the body and camera on which the
    shrug ratio reads an elbow lock most as a shrug (0.42 of a 2.5 cm shrug on the 36 s clips
    of ``bench/sign_gain.py --shrug-measures``: MediaPipe's shoulder rises as the arm
    straightens, the true shoulder does not). Only the elbows are reported, on time; the shrug
    ratio's drift stays under its threshold (printed: how close it comes)."""
    name = "human_elbow_portrait"
    a = human[name]
    found = [f["metric"] for f in a.findings["findings"]]
    onset = a.findings["findings"][0]["onset_s"] if found else None
    t = a.metrics["time_s"].to_numpy()
    drifts = {}
    for metric in ("shrug_ratio", "neck_angle_deg"):
        m = a.metrics[metric].to_numpy()
        drift = float(np.nanmedian(m[t > 85]) - np.nanmedian(m[t < 40]))
        drifts[metric] = (drift, a.findings["baseline"]["per_metric"][metric]["threshold"])
    print(
        f"{name}: findings {found}, elbow onset {onset} s (truth 45 s); late minus fresh, "
        "against the threshold: "
        + ", ".join(f"{m} {d:+.4f} / {th:.4f}" for m, (d, th) in drifts.items())
    )
    assert found == ["elbow_angle_deg"], a.findings["findings"]
    assert abs(onset - 45.0) <= 0.05 * _meta(name)["duration_s"]
    for metric, (drift, threshold) in drifts.items():
        assert abs(drift) < threshold, (metric, drift, threshold)


def test_sensitivity_on_a_human_body(human):
    """Measured change over true change for each sign, printed against the issue's 0.8.
    The back signs reach it through their gains (``OUTLINE_GAIN``, fitted on other clips:
    ``bench/sign_gain.py``'s six bodies and cameras); without them they read about half
    (0.49 each), and this test fails. The shrug ratio (0.45) and the elbow (0.77) are held at
    today's level: the README says they miss 0.8."""
    floors = {
        "elbow_angle_deg": 0.7,
        "thoracic_rounding_deg": 0.8,
        "pelvic_tilt_deg": 0.8,
        "shrug_ratio": 0.38,
    }
    got = {}
    for name, metric in FATIGUE.items():
        if metric in floors:
            got[metric] = sensitivity(
                human[name], load_truth(HUMAN / f"{name}.mp4"), _meta(name), metric
            )
    print(
        "sensitivity (measured / true change; target 0.8): "
        + ", ".join(f"{m} {v:.2f}{'' if v >= 0.8 else ' (below 0.8)'}" for m, v in got.items())
    )
    for metric, floor in floors.items():
        assert got[metric] >= floor, (metric, got[metric])
    for metric in OUTLINE_GAIN:  # and not blown past the truth either
        assert got[metric] <= 1.25, (metric, got[metric])


def test_outline_gains_follow_the_rule_on_the_measured_renders():
    """The gains in use are what the rule (same sign everywhere, leave-one-render-out halves
    the distance from 1) chooses on the six renders measured; the shrug is refused."""
    chosen = choose_gains(OUTLINE_RATIOS)
    print({k: {m: round(v, 3) for m, v in r.items() if m != "use"} for k, r in chosen.items()})
    assert {k for k, r in chosen.items() if r["use"]} == set(OUTLINE_GAIN)
    for metric, gain in OUTLINE_GAIN.items():
        assert chosen[metric]["gain"] == pytest.approx(gain, abs=0.01)
        assert 0.75 <= chosen[metric]["loo_min"] and chosen[metric]["loo_max"] <= 1.25


def test_staggered_signs_on_a_human_body(human):
    """Shoulders from 30 s, upper back from 55 s, elbows from 75 s: all three found, in that
    order, the shrug named first."""
    a = human["human_combined"]
    onsets = {f["metric"]: f["onset_s"] for f in a.findings["findings"]}
    print(f"human_combined: {a.findings['headline']} | onsets {onsets}")
    for metric in ("shrug_ratio", "thoracic_rounding_deg", "elbow_angle_deg"):
        assert metric in onsets
    assert a.findings["findings"][0]["metric"] == "shrug_ratio"
    assert "pelvic_tilt_deg" not in onsets  # the rounding upper back is not the pelvis
    assert onsets["shrug_ratio"] < onsets["thoracic_rounding_deg"] < onsets["elbow_angle_deg"]
    assert abs(onsets["elbow_angle_deg"] - 75.0) <= 6.0


def test_rear_view_on_a_human_body(human):
    """From behind, hips rocking 6 degrees each way per stroke (the hip dropping on the side
    of the pedal at the bottom): the view is found, and the rocking per stroke and the hip
    line frame by frame follow the truth. MediaPipe's hip line also follows the thighs, so
    the rocking reads larger than it is (README)."""
    a = human["human_rear_rocking"]
    truth = load_truth(HUMAN / "human_rear_rocking.mp4")
    fr = a.track.frame
    measured = a.metrics["pelvic_obliquity_deg"].to_numpy()
    true = truth["truth_pelvic_obliquity_deg"][fr]
    ok = np.isfinite(measured)
    r = float(np.corrcoef(measured[ok], true[ok])[0, 1])
    rocking = float(a.strokes["hip_rocking_deg"].median())
    true_p2p = float(true.max() - true.min())
    print(
        f"rear: view {a.view.view}, hip line error median "
        f"{np.nanmedian(np.abs(measured - true)):.1f} deg, r = {r:.2f}; rocking per stroke "
        f"{rocking:.1f} deg against {true_p2p:.1f} true ({rocking / true_p2p:.2f})"
    )
    assert a.view.view == "rear"
    assert r >= 0.5
    assert 0.8 <= rocking / true_p2p <= 1.5
