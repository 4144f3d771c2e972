"""Camera tilt and scale correction, and stored rider baselines, on rendered clips."""

import json

import numpy as np
import pytest

from posecheck.calibration import load_profile
from posecheck.cli import main
from posecheck.pipeline import analyze
from tests.conftest import Lazy

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def clips(scenario_clip):
    """name -> rendered clip, rendered on first use (once per session)."""

    return Lazy(scenario_clip)


def _back(a) -> float:
    return float(np.nanmedian(a.metrics["back_angle_deg"]))


def test_tilted_phone_corrected_through_the_profile(clips, fit_check_analysis, tmp_path):
    upright = _back(fit_check_analysis)
    raw = analyze(clips["fit_check_tilted"], tmp_path / "raw", reports=False)
    prof = {"camera": {"tilt_deg": 6.0}}
    fixed = analyze(clips["fit_check_tilted"], tmp_path / "fixed", profile=prof, reports=False)
    print(
        f"back angle: upright {upright:.2f}, tilted 6 deg uncorrected {_back(raw):.2f}, "
        f"corrected {_back(fixed):.2f} (tolerance 1)"
    )
    assert abs(_back(raw) - upright) > 4  # the tilt really shows...
    assert abs(_back(fixed) - upright) < 1.0  # ...and the profile removes it
    assert fixed.summary["camera"]["source"] == "profile"
    # included angles do not depend on the tilt; strokes stay the same
    assert abs(fixed.strokes["cadence_rpm"].median() - 88) < 1


def test_level_line_sets_the_tilt(clips, fit_check_analysis, tmp_path):
    # the floor is level in the world: two points on it in the tilted picture
    a = np.radians(6.0)
    c = np.array([320.0, 240.0])
    p1 = c + np.array([-200 * np.cos(a), 200 * np.sin(a)])
    p2 = c + np.array([200 * np.cos(a), -200 * np.sin(a)])
    prof = {"camera": {"level_line": [*p1.round(1).tolist(), *p2.round(1).tolist()]}}
    fixed = analyze(clips["fit_check_tilted"], tmp_path / "line", profile=prof, reports=False)
    assert fixed.summary["camera"]["tilt_deg"] == pytest.approx(6.0, abs=0.05)
    assert abs(_back(fixed) - _back(fit_check_analysis)) < 1.0


def test_aruco_marker_gives_tilt_and_scale(clips, fit_check_analysis, tmp_path):
    meta = json.loads(clips["fit_check_aruco"].with_suffix(".json").read_text())
    truth_cm_per_px = meta["aruco_cm"] / meta["aruco_side_px"]
    a = analyze(
        clips["fit_check_aruco"],
        tmp_path / "aruco",
        profile={"camera": {"aruco_marker_cm": 18.0}},
        reports=False,
    )
    cam = a.summary["camera"]
    err = cam["cm_per_px"] / truth_cm_per_px - 1
    print(
        f"aruco: tilt {cam['tilt_deg']:+.2f} (truth -4), scale {cam['cm_per_px']:.4f} cm/px "
        f"(truth {truth_cm_per_px:.4f}, error {100 * err:+.2f}%), back angle "
        f"{_back(a):.2f} vs upright {_back(fit_check_analysis):.2f}; distances "
        f"{a.summary['distances_cm']}"
    )
    assert cam["source"] == "aruco"
    assert cam["tilt_deg"] == pytest.approx(-4.0, abs=0.5)
    assert abs(err) < 0.02
    assert abs(_back(a) - _back(fit_check_analysis)) < 1.0
    # hip-to-wrist drop in cm from the renderer's geometry (pixels / px_per_m)
    assert a.summary["distances_cm"]["hip_to_wrist_drop_cm"] is not None


def test_stored_baseline_changes_a_ride_tired_from_the_start(clips, fit_check_analysis, tmp_path):
    """Calibrate on the fresh fit check; a ride with the back 8 degrees lower throughout shows
    nothing against its own first minutes but a finding against the stored baseline."""
    profile = tmp_path / "anna.toml"
    assert (
        main(["calibrate", str(fit_check_analysis.outdir), "--rider", "anna", "-o", str(profile)])
        == 0
    )
    prof = load_profile(profile)
    assert prof["baseline"]["back_angle_deg"]["median"] == pytest.approx(
        _back(fit_check_analysis), abs=0.5
    )
    own = analyze(clips["after_bars_down"], tmp_path / "own", sustain_s=10.0, reports=False)
    stored = analyze(
        clips["after_bars_down"], tmp_path / "stored", profile=prof, sustain_s=10.0, reports=False
    )
    print("own baseline:", own.findings["headline"], "| stored:", stored.findings["headline"])
    assert "back_angle_deg" not in {f["metric"] for f in own.findings["findings"]}
    found = {f["metric"]: f for f in stored.findings["findings"]}
    assert "back_angle_deg" in found
    assert found["back_angle_deg"]["change"] == pytest.approx(-8.0, abs=2.0)
    assert "stored baseline" in found["back_angle_deg"]["sentence"]
