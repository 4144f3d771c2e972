"""Change points of a continuous piecewise-linear fit: the partition ``ruptures`` finds with
``Dynp(model="clinear", min_size=3, jump=1)``, computed with numpy.

ruptures' dynamic programming evaluates the cost of every segment in Python (about 20,000
segments of a 200-point series, 0.4 s for each fatigue finding: most of an analysis' fatigue
step). Here every segment's cost comes at once from cumulative sums and the same recursion
runs on whole arrays: the same admissible breakpoints, the same order of the sums, and the
first minimum on ties, as ruptures (``tests/unit/test_changepoint.py`` compares the two on
random and piecewise-linear series; ruptures stays in the test extra as that oracle).

The ``clinear`` cost of a segment ``[s, e)`` (ruptures ``CostCLinear``): the squared error of
the straight line from the sample before the segment, ``y[s - 1]``, to its last, ``y[e - 1]``,
over ``y[s:e]`` (a segment at 0 starts at 1, anchored on ``y[0]``), so consecutive lines
join: the fit is continuous.
"""

from __future__ import annotations

import numpy as np


def clinear_costs(y: np.ndarray, min_size: int = 3) -> np.ndarray:
    """(n + 1, n + 1) cost of segment [s, e) of the 1-D series ``y``; inf where e - s is
    below ``min_size``."""
    y = np.asarray(y, float)
    n = len(y)
    y = y - y.mean()  # the cost ignores an offset; centring keeps the sums' cancellation small
    i = np.arange(n, dtype=float)
    s1 = np.concatenate([[0.0], np.cumsum(y)])
    s2 = np.concatenate([[0.0], np.cumsum(y * y)])
    t1 = np.concatenate([[0.0], np.cumsum(i * y)])
    s = np.arange(n + 1)[:, None]
    e = np.arange(n + 1)[None, :]
    valid = (e - s >= min_size) & (s < n)
    sp = np.clip(s, 1, n)  # a segment at 0 is measured from 1, anchored on y[0]
    ee = np.clip(e, 1, n)
    length = (ee - sp).astype(float)
    a = y[sp - 1]
    d = y[ee - 1] - a
    sum_y = s1[ee] - s1[sp]
    sum_y2 = s2[ee] - s2[sp]
    sum_iy = t1[ee] - t1[sp]
    with np.errstate(divide="ignore", invalid="ignore"):
        zz = sum_y2 - 2 * a * sum_y + length * a * a  # sum of (y - a)^2
        jz = sum_iy - (sp - 1) * sum_y - a * length * (length + 1) / 2  # sum of j (y - a)
        jj = length * (length + 1) * (2 * length + 1) / 6  # sum of j^2
        slope = d / length
        cost = zz - 2 * slope * jz + slope * slope * jj
    return np.where(valid, np.maximum(cost, 0.0), np.inf)


def clinear_breaks(y: np.ndarray, n_bkps: int, min_size: int = 3) -> list[int]:
    """The ends of the ``n_bkps + 1`` segments of the best continuous piecewise-linear fit
    (ruptures' ``Dynp(...).fit(y).predict(n_bkps)``: the last is ``len(y)``). Raises
    ValueError when ``y`` is too short for that many segments of ``min_size``."""
    n = len(y)
    if n_bkps * min_size + min_size > n:
        raise ValueError(f"{n} samples cannot hold {n_bkps + 1} segments of {min_size}")
    cost = clinear_costs(y, min_size)
    cols = np.arange(n + 1)
    b = cols[:, None]
    best = cost[0].copy()  # no breakpoint: the cost of [0, e)
    back = []
    for k in range(1, n_bkps + 1):
        # the last breakpoint b of [0, e) with k breakpoints: k earlier segments of
        # min_size before it (ruptures' sanity check), one after it
        ok = (b >= min_size * k) & (cols[None, :] - b >= min_size)
        total = np.where(ok, best[:, None] + cost, np.inf)
        last = np.argmin(total, axis=0)  # the first minimum, as ruptures' min() over b
        best = total[last, cols]
        back.append(last)
    ends = [n]
    for last in reversed(back):
        ends.append(int(last[ends[-1]]))
    return sorted(ends)
