"""Comparison on synthetic strokes with exact answers."""

import numpy as np
import pandas as pd
import pytest

from posecheck.compare import PHASE, compare, delta_table, phase_curves


def strokes(n=30, knee=142.0, back=40.0, sd=0.5, seed=0):
    rng = np.random.default_rng(seed)
    start = np.arange(n) * 0.7
    return pd.DataFrame(
        {
            "start_s": start,
            "end_s": start + 0.7,
            "bdc_s": start + 0.35,
            "knee_at_bdc_deg": knee + rng.normal(0, sd, n),
            "back_mean_deg": back + rng.normal(0, sd, n),
            "shrug_mean": 0.4 + rng.normal(0, 0.003, n),
            "cadence_rpm": np.full(n, 85.7),
        }
    )


def test_identical_inputs_give_zero_change_within_noise():
    s = strokes()
    d = delta_table(s, s)
    assert (d["change"] == 0).all()
    assert (d["verdict"] == "within noise").all()


def test_real_and_noise_level_changes():
    before = strokes()
    d = delta_table(before, strokes(knee=148.0, back=32.0, seed=1)).set_index("measure")
    assert d.loc["knee_at_bdc_deg", "change"] == pytest.approx(6.0, abs=0.4)
    assert d.loc["knee_at_bdc_deg", "verdict"] == "real change"
    assert d.loc["back_mean_deg", "change"] == pytest.approx(-8.0, abs=0.4)
    assert d.loc["back_mean_deg", "verdict"] == "real change"
    one = delta_table(before, strokes(knee=143.0, seed=2)).set_index("measure")
    assert one.loc["knee_at_bdc_deg", "change"] == pytest.approx(1.0, abs=0.4)
    assert one.loc["knee_at_bdc_deg", "verdict"] == "within noise"  # under the 2 deg floor


def test_big_spread_makes_a_change_noise():
    d = delta_table(strokes(sd=6.0), strokes(knee=146.0, sd=6.0, seed=3)).set_index("measure")
    assert abs(d.loc["knee_at_bdc_deg", "change"]) < d.loc["knee_at_bdc_deg", "stroke_spread"]
    assert d.loc["knee_at_bdc_deg", "verdict"] == "within noise"


def test_phase_curves_align_strokes_of_different_length():
    """A knee angle that is a function of crank phase alone gives the same curve whatever
    the cadence."""

    def ride(period):
        t = np.arange(0, 20, 1 / 60)
        phase = (t % period) / period
        m = pd.DataFrame({"time_s": t, "knee_angle_deg": 105 + 37 * np.sin(np.pi * phase)})
        starts = np.arange(0, 19 - period, period)
        return m, pd.DataFrame({"start_s": starts, "end_s": starts + period})

    fast, slow = ride(0.6), ride(0.9)
    cf = phase_curves(*fast)["knee_angle_deg"]
    cs = phase_curves(*slow)["knee_angle_deg"]
    truth = 105 + 37 * np.sin(np.pi * PHASE / 100)
    np.testing.assert_allclose(cf.mean(axis=0), truth, atol=0.3)
    np.testing.assert_allclose(cs.mean(axis=0), truth, atol=0.3)
    c = compare(*fast, *slow)
    assert set(c.curves["side"]) == {"a", "b"}
