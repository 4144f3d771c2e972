"""View and near-side decisions on synthetic landmarks."""

import numpy as np
import pytest

from posecheck.landmarks import N_LANDMARKS
from posecheck.landmarks import Landmark as L
from posecheck.track import PoseTrack
from posecheck.view import classify_view, from_override


def _track(xy, world):
    n = len(xy)
    return PoseTrack(np.arange(n), np.arange(n) / 30.0, xy, world, np.ones((n, N_LANDMARKS)))


def side_track(facing=1, near="right", n=30, bad_frames=0):
    """A rider in profile facing image-right (+1) or image-left (-1); ``near`` is the side
    whose world depth is smaller (nearer the camera)."""
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    world = np.zeros((n, N_LANDMARKS, 3))
    base = {
        "HIP": (0, 0),
        "SHOULDER": (200, -180),
        "KNEE": (150, 60),
        "ANKLE": (120, 250),
        "ELBOW": (280, -100),
        "WRIST": (360, -90),
        "EAR": (240, -250),
    }
    for s in ("LEFT", "RIGHT"):
        for j, (x, y) in base.items():
            xy[:, L[f"{s}_{j}"]] = [500 + facing * x + (3 if s == "LEFT" else -3), 400 + y]
            world[:, L[f"{s}_{j}"], 2] = -0.1 if s.lower() == near else 0.1
    xy[:, L.NOSE] = [500 + facing * 290, 400 - 240]
    if bad_frames:
        xy[:bad_frames, L.NOSE, 0] = 500 - facing * 400  # head turned back: one cue flips
        xy[:bad_frames, [L.LEFT_KNEE, L.RIGHT_KNEE], 0] = 500 - facing * 150
    return _track(xy, world)


@pytest.mark.parametrize(
    "facing,near,view", [(1, "right", "side-right"), (-1, "left", "side-left")]
)
def test_side_view_and_near_side(facing, near, view):
    d = classify_view(side_track(facing, near))
    assert (d.view, d.near_side, d.facing) == (view, near, facing)
    assert d.confidence == pytest.approx(1.0)
    assert d.source == "auto"


def test_mirrored_video_trusts_depth():
    """A selfie-mirrored clip: the rider faces image-right but the left side is nearer."""
    d = classify_view(side_track(1, "left"))
    assert (d.view, d.near_side, d.facing) == ("side-left", "left", 1)


def test_confidence_falls_with_disagreeing_frames():
    d = classify_view(side_track(1, "right", n=40, bad_frames=10))
    assert d.view == "side-right"
    assert d.confidence == pytest.approx(30 / 40)


@pytest.mark.parametrize(
    "nose_z,view", [(-0.3, "front"), (-0.09, "front"), (0.1, "rear"), (-0.015, "rear")]
)
def test_rear_and_front(nose_z, view):
    n = 20
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    world = np.zeros((n, N_LANDMARKS, 3))
    for s, x in (("LEFT", 420), ("RIGHT", 580)):
        xy[:, L[f"{s}_SHOULDER"]] = [x, 200]
        xy[:, L[f"{s}_HIP"]] = [x - 10 if s == "LEFT" else x + 10, 450]
        xy[:, L[f"{s}_EAR"]] = [x + (40 if s == "LEFT" else -40), 120]
    xy[:, L.NOSE] = [500, 130]
    world[:, L.NOSE, 2] = nose_z
    d = classify_view(_track(xy, world))
    assert (d.view, d.near_side, d.facing) == (view, None, 0)
    assert d.confidence == pytest.approx(1.0)


def test_no_detection_gives_zero_confidence():
    n = 5
    d = classify_view(
        _track(np.full((n, N_LANDMARKS, 2), np.nan), np.full((n, N_LANDMARKS, 3), np.nan))
    )
    assert d.confidence == 0.0


def test_override():
    d = from_override("side-left")
    assert (d.near_side, d.facing, d.source) == ("left", -1, "override")
    assert from_override("rear").near_side is None
    with pytest.raises(ValueError, match="side-left"):
        from_override("sideways")
