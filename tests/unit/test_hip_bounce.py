"""Side-view hip bounce: the hips rising and falling on the saddle each stroke, measured per
stroke against the thigh's length and watched by the fatigue timeline."""

import numpy as np
import pytest

from posecheck.fatigue import analyse_fatigue
from tests.unit.test_strokes import THIGH, side_rider, strokes_of

FPS, RPM, SECONDS = 30.0, 80.0, 300.0


def bouncing_ride(amplitude, seed=0):
    """A rider whose hips move up and down twice per crank turn by ``amplitude(t)`` x thigh
    (half the top-to-bottom travel), with 1 px of detection noise."""
    t = np.arange(int(FPS * SECONDS)) / FPS
    theta = 2 * np.pi * RPM / 60 * t
    dy = amplitude(t) * THIGH * np.sin(2 * theta)
    track, view = side_rider(
        theta, t, hip_offset=np.c_[np.zeros_like(t), dy], noise_px=1.0, seed=seed
    )
    return strokes_of(track, view, FPS), t


def ramp(t, start=120.0, end=160.0, low=0.02, high=0.08):
    return low + (high - low) * np.clip((t - start) / (end - start), 0, 1)


def test_hip_bounce_per_stroke_is_the_hips_travel_over_the_thigh():
    (strokes, _), _ = bouncing_ride(lambda t: np.full_like(t, 0.05))
    # travel top to bottom = 2 x 0.05 x thigh = 10% of the thigh
    got = strokes["hip_bounce_pct"].to_numpy()
    print(
        f"hip bounce per stroke: median {np.median(got):.2f}% (truth 10%), spread {got.std():.2f}"
    )
    assert np.median(got) == pytest.approx(10.0, abs=1.0)
    assert got.std() < 1.0


def test_growing_hip_bounce_is_a_finding_with_its_onset():
    (strokes, metrics), _ = bouncing_ride(ramp)
    out, timeline = analyse_fatigue(metrics, strokes, SECONDS)
    found = {f["metric"]: f for f in out["findings"]}
    print({m: (f["onset_s"], f["change"]) for m, f in found.items()})
    assert set(found) == {"hip_bounce_pct"}  # the only sign that changed
    f = found["hip_bounce_pct"]
    assert abs(f["onset_s"] - 120.0) <= 0.05 * SECONDS
    assert f["change"] == pytest.approx(12.0, abs=2.0)  # 4% -> 16% of the thigh
    assert "saddle" in f["advice"] and out["headline"].startswith("Your hips began bouncing")
    # said in its own unit, not in degrees
    assert f["change_unit"] == "% of thigh" and "°" not in out["headline"], out["headline"]
    assert "% of thigh against" in out["headline"]
    assert "hip_bounce_pct" in timeline


def test_steady_small_bounce_is_no_finding():
    (strokes, metrics), _ = bouncing_ride(lambda t: np.full_like(t, 0.03))
    out, _ = analyse_fatigue(metrics, strokes, SECONDS)
    assert out["findings"] == []
