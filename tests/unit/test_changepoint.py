"""posecheck.changepoint against its oracle, ruptures' dynamic programming with the clinear
cost (what the fatigue onsets used until the numpy search replaced it for speed): the same
breakpoints on random walks, noisy ramps, flat stretches, steps and the series the fatigue
onsets are fitted to, and the same segment costs."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.changepoint import clinear_breaks, clinear_costs

rpt = pytest.importorskip("ruptures", reason="ruptures (the oracle) is in the test extra")


def _ruptures(y, n_bkps=2):
    return rpt.Dynp(model="clinear", min_size=3, jump=1).fit(y).predict(n_bkps=n_bkps)


def _series():
    rng = np.random.default_rng(7)
    out = []
    for n in (9, 10, 20, 37, 64, 200):
        out.append(np.cumsum(rng.normal(size=n)))  # random walk
        t = np.linspace(0, 1, n)
        knee = rng.uniform(0.3, 0.8)
        ramp = np.where(t < knee, 0.0, (t - knee) * rng.uniform(2, 20))
        out.append(ramp + rng.normal(scale=0.05, size=n) + 25.0)  # a drift from a fresh level
        out.append(np.where(t < knee, 1.0, 3.0) + rng.normal(scale=0.2, size=n))  # a step
    out.append(np.full(50, 4.0))  # flat: every partition costs 0, the first one wins
    return out


def _total(y, ends):
    cost = clinear_costs(y)
    return sum(cost[a, b] for a, b in zip([0, *ends[:-1]], ends))


@pytest.mark.parametrize("n_bkps", [1, 2, 3])
def test_the_same_breakpoints_as_ruptures(n_bkps):
    for y in _series():
        if n_bkps * 3 + 3 > len(y) or (n_bkps == 3 and len(y) > 37):  # ruptures: seconds
            continue
        scaled = y / (np.std(y) or 1.0)
        assert clinear_breaks(scaled, n_bkps) == _ruptures(scaled, n_bkps), len(y)


def test_on_a_straight_line_both_find_a_perfect_fit():
    """Every partition of a straight line fits it exactly: which one ruptures returns is
    decided by its rounding (70 and 74 here), ours by the first minimum; both cost 0."""
    y = np.linspace(0.0, 5.0, 80) / np.std(np.linspace(0.0, 5.0, 80))
    ours, theirs = clinear_breaks(y, 2), _ruptures(y, 2)
    assert _total(y, ours) == pytest.approx(0.0, abs=1e-9)
    assert _total(y, theirs) == pytest.approx(0.0, abs=1e-9)


def test_the_same_segment_costs_as_ruptures():
    y = _series()[10]
    cost = rpt.costs.CostCLinear().fit(y)
    ours = clinear_costs(y)
    n = len(y)
    for s in range(0, n - 3, 7):
        for e in range(s + 3, n + 1, 5):
            assert ours[s, e] == pytest.approx(cost.error(s, e), rel=1e-9, abs=1e-9)
    assert np.isinf(ours[5, 7]) and np.isinf(ours[0, 2])  # shorter than min_size


def test_a_series_too_short_for_the_segments_is_refused():
    with pytest.raises(ValueError):
        clinear_breaks(np.arange(8.0), 2)
