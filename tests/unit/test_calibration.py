"""Profiles (merge order, validation) and camera correction with exact answers."""

import numpy as np
import pytest

from posecheck.calibration import (
    ProfileError,
    dump_toml,
    find_aruco,
    line_tilt_deg,
    load_profile,
    untilt,
)
from posecheck.samples import paste_marker, tilt_frame


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_defaults_have_every_section():
    prof = load_profile()
    assert prof["analysis"]["mode"] == "auto" and prof["view"]["view"] == "auto"
    assert prof["fatigue"]["baseline_s"] == 0.0 and prof["camera"]["level_line"] == []


def test_merge_order_defaults_rider_camera_flags(tmp_path):
    rider = write(
        tmp_path,
        "rider.toml",
        "[fatigue]\nbaseline_s = 120.0\nsustain_s = 60.0\n[camera]\ntilt_deg = 1.0\n",
    )
    camera = write(tmp_path, "camera.toml", "[camera]\ntilt_deg = -3.5\n")
    prof = load_profile(
        rider, camera, flags={("fatigue", "sustain_s"): 30.0, ("fatigue", "baseline_s"): None}
    )
    assert prof["fatigue"]["baseline_s"] == 120.0  # rider (flag None = not given)
    assert prof["fatigue"]["sustain_s"] == 30.0  # flag beats rider
    assert prof["camera"]["tilt_deg"] == -3.5  # camera beats rider
    assert prof["analysis"]["long_every_s"] == 300.0  # default kept


@pytest.mark.parametrize(
    "text,expected",
    [
        ("[fatigue]\nbaseline = 3.0\n", "unknown key [fatigue].baseline; allowed: baseline_s"),
        ("[fatigues]\nbaseline_s = 3.0\n", "unknown section [fatigues]"),
        ("[fatigue]\nbaseline_s = 'long'\n", "[fatigue].baseline_s must be a float"),
        ("[fatigue]\nsustain_s = -5.0\n", "[fatigue].sustain_s must be >= 0"),
        ("[view]\nview = 'above'\n", "[view].view = 'above'; allowed: auto, side-left"),
        ("[camera]\nlevel_line = [1, 2, 3]\n", "[camera].level_line must be [] or four"),
        ("[baseline.knees]\nmedian = 1.0\nspread = 0.1\n", "unknown metric [baseline.knees]"),
        ("[baseline.shrug_ratio]\nmedian = 0.4\n", "[baseline.shrug_ratio] needs numbers median"),
        ("[fatigue\n", "not valid TOML"),
        ("[thresholds]\nknee = 3.0\n", "unknown metric [thresholds].knee"),
        (
            "[thresholds]\nelbow_angle_deg = 0\n",
            "[thresholds].elbow_angle_deg must be a number > 0",
        ),
    ],
)
def test_bad_profiles_name_the_file_and_key(tmp_path, text, expected):
    p = write(tmp_path, "bad.toml", text)
    with pytest.raises(ProfileError) as err:
        load_profile(p)
    assert str(p) in str(err.value) and expected in str(err.value)


def test_missing_profile_file(tmp_path):
    with pytest.raises(ProfileError, match="profile file not found"):
        load_profile(tmp_path / "nope.toml")


def test_bad_flag_is_named():
    with pytest.raises(ProfileError, match="command line: \\[view\\].view"):
        load_profile(flags={("view", "view"): "sideways"})


def test_dump_round_trips(tmp_path):
    prof = load_profile()
    prof["baseline"] = {"shrug_ratio": {"median": 0.41, "spread": 0.012}}
    p = write(tmp_path, "r.toml", dump_toml(prof, "a rider"))
    assert load_profile(p) == prof


@pytest.mark.parametrize("deg", [-10.0, -3.0, 0.0, 4.5, 10.0])
def test_level_line_and_untilt_exact(deg):
    a = np.radians(deg)
    centre = np.array([320.0, 240.0])
    # a level segment seen rotated counter-clockwise by deg (y down)
    p1 = centre + [-100 * np.cos(a), 100 * np.sin(a)]
    p2 = centre + [100 * np.cos(a), -100 * np.sin(a)]
    assert line_tilt_deg(*p1, *p2) == pytest.approx(deg)
    back = untilt(np.array([p1, p2]), deg, centre)
    np.testing.assert_allclose(back[:, 1], centre[1], atol=1e-9)
    assert line_tilt_deg(*p2, *p1) == pytest.approx(deg)  # direction does not matter


@pytest.mark.parametrize("deg", [-8.0, 0.0, 5.0])
def test_aruco_tilt_and_scale(deg):
    img = np.full((480, 640, 3), 200, np.uint8)
    paste_marker(img, 60)  # 60 px for 15 cm: 0.25 cm/px
    img, _ = tilt_frame(img, np.zeros((1, 2)), deg)
    r = find_aruco(img, 15.0)
    assert r is not None and r["id"] == 7
    assert r["tilt_deg"] == pytest.approx(deg, abs=0.5)
    assert r["cm_per_px"] == pytest.approx(0.25, rel=0.02)
    assert find_aruco(np.full((100, 100, 3), 200, np.uint8), 15.0) is None


def test_every_bundled_profile_is_valid():
    from posecheck.calibration import DEFAULTS_FILE

    files = [p for p in DEFAULTS_FILE.parent.glob("*.toml") if p.stem not in ("default", "ranges")]
    assert len(files) >= 2
    for p in files:
        load_profile(p)  # raises ProfileError naming the file when invalid


def test_stored_outline_baselines_are_brought_to_the_gain_in_use(tmp_path):
    """A profile calibrated before the outline gains (no ``gain`` in its table) holds the
    outline's own degrees: judged against today's body degrees it would flag every ride.
    Its median and spread are multiplied by the gain; a table with the gain in use, and
    any other sign, are left as they are."""
    from posecheck.calibration import stored_baseline
    from posecheck.metrics.bias import OUTLINE_GAIN

    g = OUTLINE_GAIN["thoracic_rounding_deg"]
    p = tmp_path / "old.toml"
    p.write_text(
        "[baseline.thoracic_rounding_deg]\nmedian = 5.0\nspread = 1.0\n"
        f"[baseline.pelvic_tilt_deg]\nmedian = 4.0\nspread = 0.5\ngain = "
        f"{OUTLINE_GAIN['pelvic_tilt_deg']}\n"
        "[baseline.shrug_ratio]\nmedian = 0.4\nspread = 0.01\n"
    )
    got = stored_baseline(load_profile(p))
    assert got["thoracic_rounding_deg"] == pytest.approx({"median": 5.0 * g, "spread": g})
    assert got["pelvic_tilt_deg"] == pytest.approx({"median": 4.0, "spread": 0.5})
    assert got["shrug_ratio"] == pytest.approx({"median": 0.4, "spread": 0.01})
    p.write_text("[baseline.thoracic_rounding_deg]\nmedian = 5.0\nspread = 1.0\ngain = 0\n")
    with pytest.raises(ProfileError, match="old.toml.*gain"):
        load_profile(p)


def test_the_riding_position_is_checked_and_remembered(tmp_path):
    from posecheck.calibration import set_position

    p = tmp_path / "ana.toml"
    p.write_text('[fit]\nposition = "tt"\n')
    with pytest.raises(ProfileError, match=r"ana.toml: \[fit\].position = 'tt'; allowed: hoods"):
        load_profile(p)
    p.write_text("[baseline.shrug_ratio]\nmedian = 0.4\nspread = 0.01\n")
    set_position(p, "aero")
    prof = load_profile(p)
    assert prof["fit"]["position"] == "aero"
    assert prof["baseline"]["shrug_ratio"] == {"median": 0.4, "spread": 0.01}
    assert load_profile()["fit"]["position"] == "hoods"
