"""The landmark correction (posecheck.metrics.bias) is fitted on renders of riders facing
right; a rider facing left (the camera on their left, or a mirrored clip) must get the same
correction, mirrored."""

import numpy as np
import pytest

from posecheck.metrics.angles import side_angles
from posecheck.metrics.bias import LANDMARK_ANGLES, LANDMARK_OFFSET, correct_landmarks
from tests.conftest import SAMPLES

TRUTH = SAMPLES / "human" / "human_fit_average.truth.npz"


@pytest.fixture(scope="module")
def pose():
    """Real joint positions of a right-facing render (60 frames), in pixels."""
    return np.load(TRUTH)["landmarks_px"][:60].astype(float)


def _mirror(xy, width=640.0):
    out = xy.copy()
    out[..., 0] = width - out[..., 0]
    return out


def test_a_mirrored_rider_is_corrected_the_mirrored_way(pose):
    right = correct_landmarks(pose, "right", +1)
    left = correct_landmarks(_mirror(pose), "right", -1)
    np.testing.assert_allclose(_mirror(left), right, atol=1e-9)
    a, b = side_angles(right, "right", +1), side_angles(left, "right", -1)
    for col in LANDMARK_ANGLES:
        np.testing.assert_allclose(a[col], b[col], atol=1e-9)
    # and the correction does move the points (a correction of zero would pass the above)
    moved = np.linalg.norm(right - pose, axis=-1).max()
    assert moved > 1.0, moved


def test_the_facing_decides_the_across_direction(pose):
    """Told the wrong facing, the across part of each offset goes the wrong way: the mirror
    test above would fail if the facing were ignored."""
    right = correct_landmarks(pose, "right", +1)
    wrong = correct_landmarks(pose, "right", -1)
    assert any(abs(across) > 0.005 for _, across in LANDMARK_OFFSET.values())
    assert np.nanmax(np.abs(right - wrong)) > 0.5
