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


def test_a_compact_track_loads_within_its_rounding_and_is_smaller(tmp_path):
    """Compact tracks (the stored sample poses): every value within half a rounding step,
    NaNs where they were, the outline kept, a third of the size or less on a smooth track."""
    from posecheck.track import COMPACT_STEP

    n = 600
    rng = np.random.default_rng(1)
    drift = np.cumsum(rng.normal(0, 0.3, (n, N_LANDMARKS, 2)), axis=0)
    tr = _track(n)
    tr = PoseTrack(
        tr.frame,
        tr.t_s,
        300 + drift + np.where(np.isnan(tr.xy_px), np.nan, 0),
        tr.world_m,
        tr.visibility,
        tr.meta,
        outline=rng.uniform(0, 400, (n, 2, 19)),
    )
    tr.save(tmp_path / "full.npz")
    tr.save(tmp_path / "compact.npz", compact=True)
    back = PoseTrack.load(tmp_path / "compact.npz")
    for name, step in COMPACT_STEP.items():
        a, b = getattr(tr, name), getattr(back, name)
        assert b.dtype == np.float64
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        assert np.nanmax(np.abs(a - b)) <= step / 2 + 1e-9, name
    np.testing.assert_array_equal(back.frame, tr.frame)
    assert back.meta == tr.meta
    assert (tmp_path / "compact.npz").stat().st_size < (tmp_path / "full.npz").stat().st_size / 2
