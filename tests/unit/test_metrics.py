"""Every metric on synthetic landmarks with exact answers."""

import numpy as np
import pytest

from posecheck.landmarks import N_LANDMARKS
from posecheck.landmarks import Landmark as L
from posecheck.metrics import compute_metrics, landmark_confidence, leg_factor
from posecheck.metrics.angles import side_angles
from posecheck.metrics.frontal import line_tilt_deg
from posecheck.metrics.trunk import dorsal_profile, pelvic_tilt_deg, thoracic_rounding_deg
from posecheck.outline import STATIONS
from posecheck.track import PoseTrack
from posecheck.view import ViewDecision


def _rider(trunk_deg=40.0, shrug_px=0.0, neck_deg=0.0, n=1, facing=1, side="RIGHT"):
    """A side-view rider: hip at (300, 300), trunk 200 px; the ear 80 px beyond the shoulder
    along a line ``neck_deg`` above the trunk line; the shoulder raised by ``shrug_px``."""
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    a = np.radians(trunk_deg)
    u = np.array([facing * np.cos(a), -np.sin(a)])
    hip = np.array([300.0, 300.0])
    sh = hip + (200 + shrug_px) * u
    b = np.radians(trunk_deg + neck_deg)
    ear_base = hip + 200 * u  # the head does not move when the shoulders rise
    ear = ear_base + 80 * np.array([facing * np.cos(b), -np.sin(b)])
    for name, p in (
        ("HIP", hip),
        ("SHOULDER", sh),
        ("EAR", ear),
        ("KNEE", hip + [facing * 150, 150]),
        ("ANKLE", hip + [facing * 150, 350]),
        ("FOOT_INDEX", hip + [facing * 230, 350]),
        ("HEEL", hip + [facing * 130, 360]),
        ("ELBOW", sh + [facing * 100, 100]),
        ("WRIST", sh + [facing * 200, 100]),
    ):
        xy[:, L[f"{side}_{name}"]] = p
    return xy


def test_shrug_ratio_exact():
    base = side_angles(_rider(), "right", 1)["shrug_ratio"][0]
    assert base == pytest.approx(80 / 200)
    # Shoulders raised 20 px towards the still head: ear-shoulder 60 px, trunk 220 px.
    up = side_angles(_rider(shrug_px=20.0), "right", 1)["shrug_ratio"][0]
    assert up == pytest.approx(60 / 220)


@pytest.mark.parametrize("facing,side", [(1, "right"), (-1, "left")])
def test_back_neck_and_joint_angles_exact(facing, side):
    out = side_angles(
        _rider(trunk_deg=33.0, neck_deg=25.0, facing=facing, side=side.upper()), side, facing
    )
    assert out["back_angle_deg"][0] == pytest.approx(33.0)
    assert out["neck_angle_deg"][0] == pytest.approx(25.0)
    # knee: thigh from knee to hip (-150,-150), shin from knee to ankle (0, 200): 135 degrees
    assert out["knee_angle_deg"][0] == pytest.approx(135.0)
    # ankle: knee-ankle (0,-200) vs ankle-toe (80, 0): 90 degrees
    assert out["ankle_angle_deg"][0] == pytest.approx(90.0)
    # elbow: shoulder-elbow (-100,-100) vs elbow-wrist (100, 0): 135 degrees
    assert out["elbow_angle_deg"][0] == pytest.approx(135.0)


def test_frontal_tilt_ignores_labels():
    left = np.array([[100.0, 200.0]])
    right = np.array([[200.0, 200.0 - 100 * np.tan(np.radians(5))]])
    assert line_tilt_deg(left, right)[0] == pytest.approx(5.0)
    assert line_tilt_deg(right, left)[0] == pytest.approx(5.0)  # swapped labels, same answer
    assert np.isnan(line_tilt_deg(np.array([[np.nan, 1.0]]), right)[0])


@pytest.mark.parametrize("b", [0.0, 0.02, 0.05, 0.1, -0.03])
@pytest.mark.parametrize("tilt", [0.0, 0.1])
def test_thoracic_rounding_of_a_parabolic_back(b, tilt):
    """d(s) = c + tilt s + 4 b s (1 - s): the least-squares lines over the symmetric lower and
    upper station sets have the parabola's slopes at s = 0.3 and 0.7: tilt +/- 1.6 b."""
    prof = (0.18 + tilt * STATIONS + 4 * b * STATIONS * (1 - STATIONS))[None]
    lower = np.array([1.0, tilt + 1.6 * b])
    upper = np.array([1.0, tilt - 1.6 * b])
    between = np.degrees(
        np.arccos(np.clip(lower @ upper / np.linalg.norm(lower) / np.linalg.norm(upper), -1, 1))
    )
    assert thoracic_rounding_deg(prof)[0] == pytest.approx(np.sign(b) * between, abs=1e-9)
    if tilt == 0:
        assert thoracic_rounding_deg(prof)[0] == pytest.approx(
            np.degrees(2 * np.arctan(1.6 * b)), abs=1e-9
        )


def test_pelvic_tilt_proxy_and_dorsal_side():
    outline = np.zeros((1, 2, len(STATIONS)))
    outline[0, 0] = 0.3  # n+ side: the belly for a rider facing right
    outline[0, 1] = 0.2 - 0.4 * STATIONS  # n- side: the back, sloping in going up
    prof = dorsal_profile(outline, facing=1)
    np.testing.assert_array_equal(prof, outline[:, 1])
    assert pelvic_tilt_deg(prof)[0] == pytest.approx(np.degrees(np.arctan(-0.4)))
    np.testing.assert_array_equal(dorsal_profile(outline, facing=-1), outline[:, 0])
    prof[0, 3] = np.nan
    assert np.isnan(thoracic_rounding_deg(prof)[0])


def test_landmark_confidence_rules():
    xy = np.array([[[10.0, 10.0], [700.0, 10.0], [50.0, 50.0], [np.nan, np.nan]]])
    vis = np.array([[0.9, 0.9, np.nan, 0.9]])
    conf = landmark_confidence(vis, xy, (640, 480))
    np.testing.assert_allclose(conf, [[0.9, 0.0, 0.5, 0.0]])  # in, outside, filled, missing


def test_leg_factor_zero_when_the_foot_leaves_the_picture():
    n = 40
    xy = np.repeat(_rider(), n, axis=0)
    xy[::2, L.RIGHT_FOOT_INDEX, 1] = 900.0  # toe below a 700-px picture every other frame
    conf = landmark_confidence(np.ones((n, N_LANDMARKS)), xy, (800, 700))
    f = leg_factor(xy, conf, "right")
    np.testing.assert_allclose(f[::2], 0.0)
    np.testing.assert_allclose(f[1::2], 0.5)  # in frame, but only half the clip is


def test_compute_metrics_view_validity():
    n = 5
    xy = np.repeat(_rider(), n, axis=0)
    xy[:, L.LEFT_HIP] = xy[:, L.RIGHT_HIP] + [5, 0]
    xy[:, L.LEFT_SHOULDER] = xy[:, L.RIGHT_SHOULDER] + [5, 0]
    tr = PoseTrack(
        np.arange(n),
        np.arange(n) / 30,
        xy,
        np.zeros((n, N_LANDMARKS, 3)),
        np.ones((n, N_LANDMARKS)),
    )
    side = compute_metrics(tr, ViewDecision("side-right", "right", 1, 0.8), (640, 640))
    assert side["back_angle_deg"].iloc[0] == pytest.approx(40.0)
    assert side["back_angle_deg_conf"].iloc[0] == pytest.approx(0.8)
    assert side["pelvic_obliquity_deg"].isna().all()
    assert (side["pelvic_obliquity_deg_conf"] == 0).all()
    assert side["thoracic_rounding_deg"].isna().all()  # no outline without segmentation
    rear = compute_metrics(tr, ViewDecision("rear", None, 0, 1.0), (640, 640))
    assert rear["knee_angle_deg"].isna().all() and rear["knee_angle_deg_conf"].eq(0).all()
    assert rear["pelvic_obliquity_deg"].notna().all()


def test_rear_obliquity_not_measured_when_the_hips_collapse_together():
    n = 10
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    xy[:, L.LEFT_HIP] = [450.0, 400.0]
    xy[:, L.RIGHT_HIP] = [550.0, 400.0 - 100 * np.tan(np.radians(4))]
    xy[3, L.RIGHT_HIP] = [455.0, 380.0]  # the model put both hips on one spot: 76 deg "tilt"
    xy[:, L.LEFT_SHOULDER] = [430.0, 200.0]
    xy[:, L.RIGHT_SHOULDER] = [570.0, 200.0]
    tr = PoseTrack(
        np.arange(n),
        np.arange(n) / 30,
        xy,
        np.zeros((n, N_LANDMARKS, 3)),
        np.ones((n, N_LANDMARKS)),
    )
    rear = compute_metrics(tr, ViewDecision("rear", None, 0, 1.0), (1000, 800))
    ob = rear["pelvic_obliquity_deg"].to_numpy()
    assert np.isnan(ob[3]) and rear["pelvic_obliquity_deg_conf"].iloc[3] == 0
    np.testing.assert_allclose(np.delete(ob, 3), 4.0)
