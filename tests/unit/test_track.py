import zipfile

import numpy as np
import pytest

from posecheck.landmarks import LEFT_RIGHT_PAIRS, N_LANDMARKS, Landmark
from posecheck.track import PoseTrack


def _track(n=5):
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 640, (n, N_LANDMARKS, 2))
    xy[2 % n] = np.nan  # no person in frame 2
    return PoseTrack(
        np.arange(n),
        np.arange(n) / 29.97,
        xy,
        rng.normal(size=(n, N_LANDMARKS, 3)),
        rng.uniform(size=(n, N_LANDMARKS)),
        {"fps": 29.97},
    )


def test_landmark_enum_pairs():
    assert N_LANDMARKS == 33
    assert Landmark.LEFT_SHOULDER == 11 and Landmark.RIGHT_FOOT_INDEX == 32
    assert len(LEFT_RIGHT_PAIRS) == 16
    assert all(left.name.replace("LEFT", "RIGHT") == r.name for left, r in LEFT_RIGHT_PAIRS)


def test_save_load_round_trip_without_pickles(tmp_path):
    tr = _track()
    path = tmp_path / "keypoints.npz"
    tr.save(path)
    back = PoseTrack.load(path)
    for k in ("frame", "t_s", "xy_px", "world_m", "visibility"):
        np.testing.assert_array_equal(getattr(back, k), getattr(tr, k))
    assert back.meta == {"fps": 29.97}
    assert not (tmp_path / "keypoints.npz.tmp").exists()
    with zipfile.ZipFile(path) as z:  # every member is a plain array, none an object array
        for name in z.namelist():
            with z.open(name) as fh:
                assert b"pickle" not in fh.read(200)
    assert back.detection_rate == pytest.approx(0.8)
    np.testing.assert_array_equal(back.detected, [True, True, False, True, True])


def test_shape_validation_names_the_field():
    tr = _track()
    with pytest.raises(ValueError, match="xy_px"):
        PoseTrack(tr.frame, tr.t_s, tr.xy_px[:, :10], tr.world_m, tr.visibility)


def test_concat_keeps_order():
    a, b = _track(3), _track(2)
    c = PoseTrack.concat([a, b])
    assert len(c) == 5
    np.testing.assert_array_equal(c.xy_px[3:], b.xy_px)
