"""Property tests: arbitrary NaN patterns, extreme coordinates, zero-length segments and
constant signals give finite values or NaN, never an exception."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from posecheck.clean import interpolate_gaps, lowpass
from posecheck.fatigue import analyse_fatigue
from posecheck.geometry import elevation_deg, included_angle_deg
from posecheck.landmarks import N_LANDMARKS
from posecheck.metrics import compute_metrics
from posecheck.strokes import stroke_table
from posecheck.track import PoseTrack
from posecheck.view import ViewDecision, classify_view


def maybe_nan(lo, hi):
    return st.one_of(st.floats(lo, hi), st.just(float("nan")))


coords = maybe_nan(-1e9, 1e9)


@given(
    arrays(np.float64, st.tuples(st.integers(0, 60), st.integers(1, 3)), elements=coords),
    st.integers(0, 10),
)
def test_interpolate_gaps_keeps_data_and_bounds(x, max_gap):
    out = interpolate_gaps(x, max_gap)
    assert out.shape == x.shape
    ok = ~np.isnan(x)
    np.testing.assert_array_equal(out[ok], x[ok])  # measured samples are never changed
    filled = np.isnan(x) & ~np.isnan(out)
    for c in range(x.shape[1]):  # filled values lie between their neighbours
        col, f = x[:, c], np.flatnonzero(filled[:, c])
        for i in f:
            left = col[:i][~np.isnan(col[:i])][-1]
            right = col[i + 1 :][~np.isnan(col[i + 1 :])][0]
            assert (
                min(left, right) - 1e-6 * abs(left)
                <= out[i, c]
                <= max(left, right) + 1e-6 * abs(right)
            )


@given(
    arrays(
        np.float64, st.tuples(st.integers(0, 80), st.integers(1, 2)), elements=maybe_nan(-1e4, 1e4)
    ),
    st.floats(5, 240),
)
def test_lowpass_never_raises_and_keeps_nan(x, fs):
    out = lowpass(x, fs)
    assert out.shape == x.shape
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))
    assert np.isfinite(out[~np.isnan(x)]).all()


@given(st.floats(-1e6, 1e6), st.integers(20, 200), st.floats(5, 120))
def test_lowpass_of_a_constant_is_the_constant(c, n, fs):
    out = lowpass(np.full((n, 1), c), fs)
    np.testing.assert_allclose(out, c, rtol=1e-9, atol=1e-6)


pts = arrays(np.float64, (3, 2), elements=coords)


@given(pts)
def test_angles_finite_or_nan(p):
    a = included_angle_deg(p[0], p[1], p[2])
    assert np.isnan(a) or 0 <= a <= 180
    e = elevation_deg(p[0], p[1])
    assert np.isnan(e) or -90 <= e <= 90


def test_zero_length_segment_is_nan():
    p = np.array([1.0, 2.0])
    assert np.isnan(included_angle_deg(p, p, np.array([3.0, 4.0])))


def _track(xy):
    n = len(xy)
    return PoseTrack(
        np.arange(n),
        np.arange(n) / 30.0,
        xy,
        np.zeros((n, N_LANDMARKS, 3)),
        np.where(np.isnan(xy[..., 0]), np.nan, 0.9),
    )


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(0, 40), st.just(N_LANDMARKS), st.just(2)),
        elements=maybe_nan(-5000, 5000),
    ),
    st.sampled_from(["side-right", "side-left", "rear"]),
)
def test_metrics_strokes_and_view_on_arbitrary_tracks(xy, view_name):
    tr = _track(xy)
    side = view_name.split("-")[1] if "-" in view_name else None
    view = ViewDecision(view_name, side, {"right": 1, "left": -1}.get(side, 0), 0.8)
    m = compute_metrics(tr, view, (640, 480))
    conf = m[[c for c in m.columns if c.endswith("_conf")]].to_numpy()
    assert ((conf >= 0) & (conf <= 1)).all()
    values = m.drop(columns=["frame", "time_s"]).to_numpy(float)
    assert not np.isinf(values).any()
    stroke_table(m, tr.xy_px, view, 30.0)
    d = classify_view(tr)
    assert 0 <= d.confidence <= 1


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 400), st.floats(0, 1), st.integers(0, 2**31 - 1))
def test_fatigue_on_arbitrary_series(n, nan_share, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 2.0
    df = pd.DataFrame({"frame": np.arange(n), "time_s": t})
    for col in ("shrug_ratio", "elbow_angle_deg", "back_angle_deg"):
        v = rng.normal(0, 1, n).cumsum()
        v[rng.random(n) < nan_share] = np.nan
        df[col] = v
        df[f"{col}_conf"] = rng.random(n)
    out, timeline = analyse_fatigue(
        df, pd.DataFrame(columns=["start_s", "end_s", "standing"]), float(t[-1]) if n else 0.0
    )
    assert isinstance(out["headline"], str) and out["headline"]
    for f in out["findings"]:
        assert np.isfinite(f["onset_s"]) and 0 <= f["confidence"] <= 1
