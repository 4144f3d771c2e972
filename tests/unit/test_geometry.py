import numpy as np
import pytest

from posecheck.geometry import distance, elevation_deg, included_angle_deg, rotate_points


@pytest.mark.parametrize("deg", [0.0, 30.0, 90.0, 137.5, 180.0])
def test_included_angle_exact(deg):
    b = np.array([5.0, 7.0])
    a = b + 3 * np.array([1.0, 0.0])
    r = np.radians(deg)
    c = b + 2 * np.array([np.cos(r), np.sin(r)])
    assert included_angle_deg(a, b, c) == pytest.approx(deg, abs=1e-9)


def test_included_angle_vectorised_and_nan():
    a = np.array([[1.0, 0.0], [np.nan, 0.0], [0.0, 0.0]])
    b = np.zeros((3, 2))
    c = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])  # third: zero-length segment a-b
    out = included_angle_deg(a, b, c)
    assert out[0] == pytest.approx(90.0)
    assert np.isnan(out[1]) and np.isnan(out[2])


def test_elevation_against_forward_horizontal():
    hip = np.array([100.0, 200.0])
    # Image y grows downwards: a shoulder 100 px up and 100 px forward is 45 degrees.
    assert elevation_deg(hip, hip + [100.0, -100.0], facing=1) == pytest.approx(45.0)
    assert elevation_deg(hip, hip + [-100.0, -100.0], facing=-1) == pytest.approx(45.0)
    # Leaning back past vertical reads over 90 when the facing direction is known.
    assert elevation_deg(hip, hip + [-10.0, -100.0], facing=1) == pytest.approx(
        180 - np.degrees(np.arctan2(100, 10))
    )
    assert elevation_deg(hip, hip + [-100.0, -100.0], facing=0) == pytest.approx(45.0)


def test_distance_and_rotation_round_trip():
    pts = np.array([[3.0, 4.0], [10.0, -2.0]])
    center = np.array([1.0, 1.0])
    back = rotate_points(rotate_points(pts, 17.0, center), -17.0, center)
    np.testing.assert_allclose(back, pts, atol=1e-12)
    assert distance(pts[0], np.zeros(2)) == pytest.approx(5.0)
    # Counter-clockwise on screen: +x turns to -y (up) for +90.
    np.testing.assert_allclose(
        rotate_points(np.array([[1.0, 0.0]]), 90, np.zeros(2)), [[0.0, -1.0]], atol=1e-12
    )
