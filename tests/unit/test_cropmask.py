"""posecheck.cropmask.CropMask against OpenCV's own warp, on a crop that covers only part of
the picture: the real-clip test (tests/integration/test_model.py) compares it with the stock
graph, but there the crop's edges read zero or the crop covers the picture, so reading
pixels far outside the crop is checked here."""

import cv2
import numpy as np
import pytest

from posecheck.cropmask import CropMask


def _relative(angle_deg: float, scale: float) -> list[float]:
    """A 4x4 matrix from the picture's relative coordinates to the crop's, as MediaPipe's
    graph gives it: rotated and scaled about the picture's centre, which stays the crop's."""
    a = np.deg2rad(angle_deg)
    c, s = np.cos(a) * scale, np.sin(a) * scale
    ox, oy = 0.5 - (c - s) * 0.5, 0.5 - (s + c) * 0.5
    return [c, -s, 0, ox, s, c, 0, oy, 0, 0, 1, 0, 0, 0, 0, 1]


@pytest.mark.parametrize("angle", [0.0, 17.0, -40.0])
def test_the_crop_mask_is_opencvs_warp_everywhere_in_the_picture(angle):
    rng = np.random.default_rng(3)
    grid = rng.uniform(0.2, 1.0, (64, 48)).astype(np.float32)  # no zeros, edges included
    h, w = 90, 160
    mask = CropMask(grid, _relative(angle, 2.5), (h, w))
    m = mask._m.astype(np.float32)  # its matrix (checked against the stock graph elsewhere)
    want = cv2.warpAffine(
        grid,
        m,
        (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    got = np.asarray(mask)
    # the crop covers part of the picture only: zeros around it, values inside
    assert (want == 0).mean() > 0.3 and (want > 0.1).mean() > 0.1
    np.testing.assert_array_equal(got, want)
