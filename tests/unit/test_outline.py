"""The trunk outline on masks drawn with a known shape."""

import cv2
import numpy as np
import pytest

from posecheck.outline import STATIONS, trunk_profile


def _mask_with_back(bulge: float, length=300, thickness=0.2, angle_deg=0.0):
    """A trunk of ``length`` px from hip (450, 500) along ``angle_deg`` above the image x axis,
    flat on the n- side at ``thickness`` and with a parabolic edge d(s) = thickness + 4 b s(1-s)
    on the n+ side. Returns mask, hip, shoulder."""
    mask = np.zeros((800, 800), np.float32)
    a = np.radians(angle_deg)
    hip = np.array([450.0, 500.0])
    u = np.array([np.cos(a), -np.sin(a)])
    n = np.array([-u[1], u[0]])
    s = np.linspace(-0.05, 1.05, 200)
    d_pos = thickness + 4 * bulge * s * (1 - s)
    edge_pos = hip + (s[:, None] * u + d_pos[:, None] * n) * length
    edge_neg = hip + (s[:, None] * u - thickness * n) * length
    poly = np.vstack([edge_pos, edge_neg[::-1]])
    cv2.fillPoly(mask, [np.round(poly * 16).astype(np.int32)], 1.0, cv2.LINE_8, shift=4)
    return mask, hip, hip + u * length


@pytest.mark.parametrize("angle", [0.0, 35.0, 140.0])
def test_profile_recovers_a_known_edge(angle):
    mask, hip, sh = _mask_with_back(0.05, angle_deg=angle)
    prof = trunk_profile(mask, hip, sh)
    expect = 0.2 + 4 * 0.05 * STATIONS * (1 - STATIONS)
    np.testing.assert_allclose(prof[0], expect, atol=2.5 / 300)  # within 2.5 px
    np.testing.assert_allclose(prof[1], 0.2, atol=2.5 / 300)


def test_profile_nan_when_off_the_person_or_missing():
    mask, hip, sh = _mask_with_back(0.0)
    assert np.isnan(trunk_profile(mask, hip + [0, -300], sh + [0, -300])).all()
    assert np.isnan(trunk_profile(mask, np.array([np.nan, 1.0]), sh)).all()
    assert np.isnan(trunk_profile(None, hip, sh)).all()
