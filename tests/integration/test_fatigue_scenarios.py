"""The fatigue timeline end to end: rendered scenarios with known onsets, the real model.

Each scenario is rendered by the project's own generator into the session's folder (they are
not committed), analysed with MediaPipe once per session and judged against its script."""

import json

import pytest

from posecheck.pipeline import analyze
from posecheck.samples import SCENARIOS
from tests.conftest import SAMPLES, Lazy

pytestmark = pytest.mark.model

#: scenario -> the one finding expected (None: a steady ride)
EXPECTED = {
    "steady_side": None,
    "transients_side": None,
    "shrug_onset": "shrug_ratio",
    "elbow_onset": "elbow_angle_deg",
    "thoracic_onset": "thoracic_rounding_deg",
    "pelvic_onset": "pelvic_tilt_deg",
}
#: the two back signs read one outline (a rounder back lifts the lower back's outline too):
#: each scenario must report its own sign and not the other (posecheck.fatigue.LOCATED_SHARE),
#: and the one it set aside is listed as explained
OTHER_BACK_SIGN = {
    "thoracic_rounding_deg": "pelvic_tilt_deg",
    "pelvic_tilt_deg": "thoracic_rounding_deg",
}


@pytest.fixture(scope="module")
def scenario_results(scenario_analysis):
    """name -> analysis, each analysed on first use (once per session, shared by workers)."""

    return Lazy(scenario_analysis)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_scenario_findings(scenario_results, name):
    a = scenario_results[name]
    found = [f["metric"] for f in a.findings["findings"]]
    print(
        f"{name}: {a.findings['headline']} | findings {found} | position changes "
        f"{len(a.findings['position_changes'])}"
    )
    expected = EXPECTED[name]
    on_disk = json.loads((a.outdir / "findings.json").read_text())
    assert on_disk["findings"] == a.findings["findings"]
    if expected is None:
        assert found == [], a.findings["findings"]
        assert on_disk["steady"] and "held steady" in on_disk["headline"]
        return
    assert found == [expected], a.findings["findings"]
    explained = {x["metric"] for x in a.findings["explained"]}
    shares = {
        x["metric"]: x.get("located_share")
        for x in a.findings["findings"] + a.findings["explained"]
    }
    print(f"{name}: explained (not reported) {sorted(explained)}; located shares {shares}")
    assert explained <= {OTHER_BACK_SIGN.get(expected)}
    f = next(f for f in a.findings["findings"] if f["metric"] == expected)
    onset = SCENARIOS[name].drifts
    truth_onset = next(iter(onset.values()))[0]
    # the acceptance: within 10% of the ride's length of the programmed onset
    tol = 0.1 * SCENARIOS[name].duration_s
    print(
        f"{name}: onset {f['onset_s']:.1f} s (truth {truth_onset:.0f} s, tolerance {tol:.0f} s)"
        f", change {f['change']:+.1f} {f['change_unit']}, confidence {f['confidence']:.2f}"
    )
    assert abs(f["onset_s"] - truth_onset) <= tol, f
    assert f["confidence"] >= 0.5, f


def test_transients_are_reported_as_position_changes(scenario_results):
    a = scenario_results["transients_side"]
    changes = a.findings["position_changes"]
    starts = sorted({round(e["start_s"]) for e in changes})
    print(
        "transients: position changes start at",
        starts,
        "standing strokes",
        a.summary["pedalling"].get("standing_strokes"),
    )
    events = SCENARIOS["transients_side"].events
    seen = [any(abs(s - start) <= 6 for s in starts) for _, start, _ in events]
    # the standing effort, the drink and the spell on the tops move the tracked posture;
    # the head turn is too short to be sure of, so it is not required
    assert seen[0] and seen[1] and seen[3], (events, starts)
    assert a.summary["pedalling"]["standing_strokes"] >= 5
    assert any(e["metric"] == "standing" and abs(e["start_s"] - 42) <= 6 for e in changes)


def test_bundled_fatigue_sample(fatigue_analysis):
    a = fatigue_analysis
    found = {f["metric"]: f for f in a.findings["findings"]}
    print(
        "fatigue_side findings:",
        {
            k: (v["onset_s"], v["change"], v["change_unit"], v["confidence"])
            for k, v in found.items()
        },
    )
    for metric in ("shrug_ratio", "elbow_angle_deg", "thoracic_rounding_deg"):
        assert metric in found, found
    # truth: onset 80 s for all three
    for metric in ("elbow_angle_deg", "thoracic_rounding_deg", "shrug_ratio"):
        assert abs(found[metric]["onset_s"] - 80) <= 18  # 10% of the 180 s ride
    assert found["elbow_angle_deg"]["change"] == pytest.approx(14.0, abs=4)
    assert found["shrug_ratio"]["change"] < -10  # percent shorter ear-to-shoulder distance
    assert a.findings["headline"].startswith("Your")
    timeline = (a.outdir / "timeline.csv").read_text().splitlines()[0]
    assert "tension_score" in timeline and "collapse_score" in timeline


def test_long_mode_matches_full_mode(fatigue_analysis, tmp_path):
    """Long mode (windows of 10 s every 20 s here) finds the same signs at nearby onsets."""
    prof = {"analysis": {"long_window_s": 10.0, "long_every_s": 20.0}}
    long_ = analyze(
        SAMPLES / "fatigue_side.mp4", tmp_path / "long", mode="long", workers=2, profile=prof
    )
    full = {f["metric"]: f for f in fatigue_analysis.findings["findings"]}
    got = {f["metric"]: f for f in long_.findings["findings"]}
    print(
        "long vs full onsets:",
        {k: (got[k]["onset_s"], full[k]["onset_s"]) for k in got if k in full},
        "frames",
        len(long_.track),
        "of",
        len(fatigue_analysis.track),
    )
    assert long_.summary["mode"] == "long" and len(long_.track) < 0.6 * len(fatigue_analysis.track)
    assert set(got) == set(full)
    for metric in got:
        assert abs(got[metric]["onset_s"] - full[metric]["onset_s"]) <= 18
