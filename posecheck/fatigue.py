"""Fatigue timeline: when tension and posture collapse set in, against the rider's own baseline.

Method (all times in seconds of the ride):

1. **Units.** Each metric is summarised per pedal stroke (median of the stroke's frames whose
   confidence is at least ``MIN_CONF``; standing strokes are left out) or, when no strokes
   were found, per 2-second bin. A single bad frame cannot move a unit.
2. **Baseline.** The rider's fresh posture: by default from ``settle_s`` (the smaller of 60 s
   and 5% of the ride, to skip settling in) for the smaller of 5 minutes and a fifth of the
   ride. Per metric: the median of the units and their spread (1.4826 x MAD). A stored
   baseline (rider profile) can replace it.
3. **Threshold.** A change counts when it exceeds both ``SPREAD_K`` x the baseline spread and
   the sign's minimum meaningful change (:data:`SIGNS`: the measurement-noise floor for angles,
   a relative change for ratios).
4. **Sustain.** The directed deviation (positive = the fatigued direction) is smoothed with a
   running median over a third of ``sustain_s``; a finding needs it above the threshold
   without a break for at least ``sustain_s`` (default: a sixth of the ride, 20 s to 5 min).
   Excursions that come back sooner (a standing effort, a drink, a head turn, a change of
   hand position) are reported as position changes, never as findings.
5. **Onset.** The change point of a continuous piecewise-linear fit (ruptures' dynamic
   programming with its ``clinear`` cost, two breakpoints, as computed by
   :mod:`posecheck.changepoint`) to the smoothed series on a regular grid:
   the last breakpoint at or before the sustained run begins; or, when earlier, the time from
   which the smoothed deviation stayed above a quarter of the threshold (and above the
   baseline spread) until the run: a slow start that the two-segment fit smooths over.
   Not back past a **held level** (:func:`held_level`): a sustain time in which the deviation
   stayed under three quarters of the threshold without rising by a quarter, and which it
   left for the threshold within half a sustain time. Such a level is a new steady state
   (e.g. the elbow angle as measured shifts a little when the shoulders rise, and holds),
   and a later drift began when the deviation left it. A creep slow enough to look held
   reaches the threshold as slowly as it climbed, and keeps its start as its onset.
6. **Confidence** (0-1): data coverage after the onset x mean metric confidence x effect
   strength (late change over twice the threshold, capped at 1).

Scores: each sign's excess ``z`` = smoothed directed deviation / threshold, floored at 0
(1 = at its meaningful-change threshold). The tension score and the collapse score are the
sums of their family's ``z``, so a score of 1 means one sign at its threshold; each time
point names the sign that drives it most.

These are signs for a rider, fitter or coach, never a diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from posecheck.clean import true_runs
from posecheck.metrics.bias import OUTLINE_GAIN

MIN_CONF = 0.5
SPREAD_K = 3.0
BIN_S = 2.0
#: shorter clips get no fatigue findings: a timeline over seconds would claim too much
FATIGUE_MIN_S = 60.0
MIN_VARIATION_DEG = 2.0  # posture spread below this is measurement noise, not movement
EXCURSION_SMOOTH_S = 5.0  # light smoothing for spotting short position changes
MIN_BASELINE_UNITS = 5
CLINICIAN = (
    "These are posture signs, not a diagnosis. Pain that lasts after riding, or "
    "numbness or tingling, deserves a visit to a physiotherapist or sports doctor."
)


@dataclass(frozen=True)
class Sign:
    """A posture sign the timeline watches."""

    metric: str  # column of metrics.csv (per frame) or strokes.csv (per stroke)
    family: str  # "tension" or "collapse"
    direction: int  # +1: rising is the fatigued direction; -1: falling is
    min_change: float  # minimum meaningful change, in the metric's unit (or relative)
    relative: bool  # min_change is a fraction of the baseline value
    unit: str
    what: str  # "Your shoulders began creeping up"
    measure: str  # "ear-to-shoulder distance"
    advice: str
    per_stroke: bool = False  # the value comes from strokes.csv
    #: a back-shape column (posecheck.metrics.trunk) whose change must carry at least
    #: LOCATED_SHARE of this sign's change for the change to be this sign's (see below)
    located_by: str | None = None


SIGNS: tuple[Sign, ...] = (
    Sign(
        "shrug_ratio",
        "tension",
        -1,
        # 7% measured: MediaPipe's shoulder follows a true shrug by about half on human
        # bodies (README, Accuracy), so this is about a 15% true shortening (2.5 cm on the
        # human render); 10% missed that render's whole 2.5 cm shrug
        0.07,
        True,
        "ratio",
        "Your shoulders began creeping up",
        "ear-to-shoulder distance",
        "Drop your shoulders away from your ears and loosen your grip every few minutes; "
        "a shrug held for an hour loads the neck and upper back.",
    ),
    Sign(
        "elbow_angle_deg",
        "tension",
        +1,
        5.0,
        False,
        "deg",
        "Your elbows began locking out",
        "elbow angle",
        "Soften your elbows: a slight bend absorbs the road's shocks that straight arms pass "
        "into the shoulders and upper back.",
    ),
    Sign(
        "neck_angle_deg",
        "tension",
        +1,
        6.0,
        False,
        "deg",
        "Your neck began to extend",
        "head-to-trunk angle",
        "Let your head sit in line with your back and look ahead with your eyes, not your "
        "neck; if you have to crane to see, ask a fitter about reach and bar drop.",
    ),
    Sign(
        "thoracic_rounding_deg",
        "collapse",
        +1,
        # 4 deg of the outline's bend, in the body's degrees (OUTLINE_GAIN: the outline
        # reads about half of the spine's flexion on human bodies)
        4.0 * OUTLINE_GAIN["thoracic_rounding_deg"],
        False,
        "deg",
        "Your upper back began to round",
        "upper-back rounding",
        "Change hand position or stand for a minute to reset your back; core and upper-back "
        "strength work helps hold posture late in a ride.",
        located_by="upper_bend_deg",
    ),
    Sign(
        "back_angle_deg",
        "collapse",
        -1,
        3.0,
        False,
        "deg",
        "Your back angle began dropping",
        "back angle",
        "Reset on the saddle and change hand position; if you slide forward as you tire, "
        "ask a fitter to check saddle tilt and reach.",
    ),
    Sign(
        "pelvic_tilt_deg",
        "collapse",
        +1,
        # 3 deg of the lower back's slope, in the body's degrees (OUTLINE_GAIN)
        3.0 * OUTLINE_GAIN["pelvic_tilt_deg"],
        False,
        "deg",
        "Your pelvis began tipping back (lower back rounding)",
        "lower-back slope (proxy)",
        "Stand for a minute and sit back down on your sit bones; core strength helps keep "
        "the pelvis steady, and a fitter can check saddle tilt and setback.",
        located_by="lumbar_bend_deg",
    ),
    Sign(
        "hip_bounce_pct",
        "collapse",
        +1,
        3.0,
        False,
        "% of thigh",
        "Your hips began bouncing on the saddle",
        "up-and-down hip movement per stroke",
        "Bouncing that grows as you tire often means the saddle is a little high or the "
        "legs are fading and reach for the pedal: ease off or shift to a lighter gear, and "
        "have a fitter check saddle height.",
        per_stroke=True,
    ),
    Sign(
        "hip_rocking_deg",
        "collapse",
        +1,
        2.0,
        False,
        "deg",
        "Your hips began rocking more on the saddle",
        "side-to-side hip rocking per stroke",
        "Rocking that grows as you tire can mean the saddle is a little high or the legs "
        "are fading; ease off, and have a fitter check saddle height.",
        per_stroke=True,
    ),
)
SIGN_BY_METRIC = {s.metric: s for s in SIGNS}
#: Upper-back rounding and pelvic tilt both lift the lower back's outline off the trunk line
#: (a rounder back is rounder everywhere), so each of the two signs is reported only when the
#: bend sits where the sign says: its ``located_by`` shape column must change by at least this
#: share of the sign's own change over the same windows. Otherwise the change is listed under
#: ``explained`` (the other sign's doing), never as a finding. On the renders the share is
#: 0.7-4 for the sign that changed and below 0 to 0.1 for the one that did not.
LOCATED_SHARE = 0.5


@dataclass(frozen=True)
class FatigueSettings:
    baseline_s: float | None = None  # length of the baseline window; None = scaled to the ride
    sustain_s: float | None = None  # how long a drift must hold; None = scaled to the ride
    settle_s: float | None = None  # seconds skipped at the start; None = scaled to the ride


def smoothing_s(sustain_s: float) -> float:
    """The width of the centred running median that smooths each sign's deviation."""
    return max(sustain_s / 3, 3 * BIN_S)


def default_windows(duration_s: float, s: FatigueSettings = FatigueSettings()):
    """(settle_s, baseline_end_s, sustain_s) for a ride of ``duration_s`` seconds."""
    settle = s.settle_s if s.settle_s is not None else min(60.0, 0.05 * duration_s)
    length = s.baseline_s if s.baseline_s is not None else min(300.0, duration_s / 5)
    sustain = (
        s.sustain_s if s.sustain_s is not None else float(np.clip(duration_s / 6, 20.0, 300.0))
    )
    return settle, settle + length, sustain


def units(metrics: pd.DataFrame, strokes: pd.DataFrame) -> pd.DataFrame:
    """Per-stroke (or per 2 s bin) medians of every metric, frames below ``MIN_CONF`` ignored.

    Columns: ``start_s``, ``end_s``, ``time_s`` (middle), ``conf_<metric>`` (mean confidence
    of the frames used) and one column per metric (NaN where no frame qualified)."""
    t = metrics["time_s"].to_numpy()
    seated = strokes[~strokes["standing"].astype(bool)] if len(strokes) else strokes
    if len(seated) >= MIN_BASELINE_UNITS:
        edges = seated[["start_s", "end_s"]].to_numpy(float)
    elif len(t):
        starts = np.arange(t[0], t[-1] + 1e-9, BIN_S)
        edges = np.stack([starts, starts + BIN_S], axis=1)
    else:
        edges = np.zeros((0, 2))
    idx = np.searchsorted(edges[:, 0], t, side="right") - 1
    ok = (
        (idx >= 0) & (t < edges[np.clip(idx, 0, None), 1]) if len(edges) else np.zeros(len(t), bool)
    )
    out = {"start_s": edges[:, 0], "end_s": edges[:, 1], "time_s": edges.mean(axis=1)}
    columns = [s.metric for s in SIGNS if not s.per_stroke]
    columns += [s.located_by for s in SIGNS if s.located_by]
    for col in columns:
        if col not in metrics:
            continue
        v = metrics[col].to_numpy(float)
        c = metrics[f"{col}_conf"].to_numpy(float)
        good = ok & np.isfinite(v) & (c >= MIN_CONF)
        frame = pd.DataFrame({"u": idx[good], "v": v[good], "c": c[good]})
        g = frame.groupby("u")
        med = np.full(len(edges), np.nan)
        cm = np.zeros(len(edges))
        if len(frame):
            v_med, c_mean = g["v"].median(), g["c"].mean()
            med[v_med.index] = v_med.to_numpy()
            cm[c_mean.index] = c_mean.to_numpy()
        out[col] = med
        out[f"conf_{col}"] = cm
    for sign in SIGNS:  # per-stroke signs: hip rocking (rear, front), hip bounce (side)
        col = sign.metric
        if (
            sign.per_stroke
            and len(strokes)
            and col in strokes
            and len(seated) >= MIN_BASELINE_UNITS
            and seated[col].notna().any()
        ):
            v = seated[col].to_numpy(float)
            out[col] = v
            out[f"conf_{col}"] = np.where(np.isfinite(v), 1.0, 0.0)
    return pd.DataFrame(out)


EXPLAINED = {
    "thoracic_rounding_deg": "the back's outline changed, but the bend is not in the upper "
    "back (the lower back or pelvis moved)",
    "pelvic_tilt_deg": "the lower back's slope rose with the whole back's rounding, not with "
    "a bend of its own (upper-back rounding, not the pelvis tipping)",
}


#: a pause longer than this between two timeline rows is a stretch nobody measured (long
#: mode's gaps between windows, a stop): charts break their lines there instead of drawing
#: a straight line across it
UNMEASURED_GAP_S = 10.0


def timeline_stretches(time_s) -> np.ndarray:
    """(T,) int: the measured stretch each timeline row belongs to (0, 1, ...): a new one
    after a pause of more than :data:`UNMEASURED_GAP_S` and three typical steps."""
    t = np.asarray(time_s, float)
    if len(t) < 2:
        return np.zeros(len(t), int)
    step = np.diff(t)
    gap = step > max(UNMEASURED_GAP_S, 3 * float(np.median(step)))
    return np.concatenate([[0], np.cumsum(gap)]).astype(int)


def located_share(
    u: pd.DataFrame, sign: Sign, in_base: np.ndarray, late_sel: np.ndarray, change: float
) -> float | None:
    """The change of the sign's ``located_by`` shape column (baseline units to the finding's
    late units) as a share of the sign's own directed ``change``; None when the sign has no
    shape column or it was not measured in both windows."""
    if not sign.located_by or sign.located_by not in u or change <= 0:
        return None
    shape = u[sign.located_by].to_numpy(float)
    base, late = shape[in_base & np.isfinite(shape)], shape[late_sel & np.isfinite(shape)]
    if len(base) < MIN_BASELINE_UNITS or not len(late):
        return None
    return float(sign.direction * (np.median(late) - np.median(base)) / change)


def running_median(t: np.ndarray, v: np.ndarray, window_s: float) -> np.ndarray:
    """Centred running median over ``window_s`` seconds of the finite values (NaN kept).

    Where the values within reach on one side of a point stop much shorter than on the other
    (by more than :data:`UNMEASURED_GAP_S` and a quarter of the window: long mode's
    stretches between windows), the longer side is cut to the shorter side's reach plus that
    much: a ramp measured in one window and, half a window earlier, in another would
    otherwise take its median from whichever had more units, as if the ramp had not yet come
    that far.
    The ends of the ride are not gaps (the window stays one-sided there)."""
    s = pd.Series(v, index=pd.to_timedelta(t, unit="s"))
    ok = s.notna().to_numpy()
    out = np.full(len(v), np.nan)
    if not ok.any():
        return out
    r = s[ok].rolling(pd.Timedelta(seconds=window_s), center=True, min_periods=1).median()
    out[ok] = r.to_numpy()
    tt, vv = np.asarray(t, float)[ok], np.asarray(v, float)[ok]
    half = window_s / 2
    lo = np.searchsorted(tt, tt - half, side="left")
    hi = np.searchsorted(tt, tt + half, side="right") - 1
    left = np.where(tt - half < tt[0], half, tt - tt[lo])
    right = np.where(tt + half > tt[-1], half, tt[hi] - tt)
    slack = max(UNMEASURED_GAP_S, window_s / 4)
    uneven = np.abs(left - right) > slack
    if uneven.any():
        idx = np.flatnonzero(ok)
        for i in np.flatnonzero(uneven):
            a = np.searchsorted(tt, tt[i] - min(left[i], right[i] + slack), side="left")
            b = np.searchsorted(tt, tt[i] + min(right[i], left[i] + slack), side="right")
            out[idx[i]] = np.median(vv[a:b])
    return out


def left_baseline_time(
    t: np.ndarray, smooth: np.ndarray, run_start_s: float, level: float, t0: float
) -> float:
    """Walking back from ``run_start_s``: the earliest time (not before ``t0``) from which the
    smoothed deviation stays above ``level`` up to the run."""
    ok = np.isfinite(smooth) & (t >= t0) & (t <= run_start_s)
    tt, vv = t[ok], smooth[ok]
    below = np.flatnonzero(vv <= level)
    if not len(tt):
        return run_start_s
    return (
        float(tt[below[-1] + 1])
        if len(below) and below[-1] + 1 < len(tt)
        else (run_start_s if len(below) else float(tt[0]))
    )


#: a held level: the smoothed deviation under this share of the threshold ...
HELD_CEILING = 0.75
#: ... rising by no more than this share of it, for at least the sustain time
HELD_RISE = 0.25


def held_level(
    t: np.ndarray,
    smooth: np.ndarray,
    run_start_s: float,
    t0: float,
    hold_s: float,
    threshold: float,
) -> tuple[float, float] | None:
    """The latest stretch before ``run_start_s`` (not before ``t0``) of at least ``hold_s``
    in which the smoothed deviation stayed under :data:`HELD_CEILING` of the threshold
    without rising by more than :data:`HELD_RISE` of it (along its least-squares line), and
    which the deviation left for the run within half of ``hold_s``: (its end, its median),
    or None. Measured units must span at least half the stretch (sparse windows leave gaps)."""
    ceiling, rise = HELD_CEILING * threshold, HELD_RISE * threshold
    ok = np.isfinite(smooth) & (t >= t0) & (t <= run_start_s)
    tt, vv = t[ok], smooth[ok]
    firsts = np.searchsorted(tt, tt - hold_s, side="left")
    # left for the run within half a hold: a creep whose line rises less than a quarter of
    # the threshold in a hold takes at least a hold from the ceiling to the threshold
    for i in range(len(tt) - 1, -1, -1):
        e, j = tt[i], int(firsts[i])
        if run_start_s - e > hold_s / 2:
            break
        if e - hold_s < t0 - 1e-9 or tt[i] - tt[j] < hold_s / 2:
            continue
        w, wt = vv[j : i + 1], tt[j : i + 1]
        if w.max() >= ceiling:
            continue
        # the rise of the least-squares line over the units (a running median climbs a
        # creep in flat steps, which medians of its ends can take for a held level)
        if np.polyfit(wt, w, 1)[0] * (wt[-1] - wt[0]) <= rise:
            return float(e), float(np.median(w))
    return None


def onset_time(t: np.ndarray, smooth: np.ndarray, run_start_s: float, t0: float) -> float:
    """Change point of the drift that is sustained from ``run_start_s`` (see the module doc)."""
    from posecheck.changepoint import clinear_breaks

    ok = np.isfinite(smooth) & (t >= t0)
    if ok.sum() < 8:
        return run_start_s
    tt, vv = t[ok], smooth[ok]
    n = int(min(200, max(20, ok.sum())))
    grid = np.linspace(tt[0], tt[-1], n)
    y = np.interp(grid, tt, vv)
    scale = np.nanstd(y)
    if not scale > 0:
        return run_start_s
    bkps = clinear_breaks(y / scale, 2)  # n >= 20: long enough for 3 segments of 3
    times = [grid[min(b, n - 1)] for b in bkps[:-1]]
    before = [x for x in times if x <= run_start_s + 1e-9]
    return float(before[-1]) if before else run_start_s


def drift_onset(
    t: np.ndarray,
    smooth: np.ndarray,
    run_start_s: float,
    t0_fit: float,
    t0_walk: float,
    threshold: float,
    spread: float,
    sustain_s: float,
) -> float:
    """Where the drift sustained from ``run_start_s`` began: the earlier of the change point
    (fitted from ``t0_fit``) and the time the smoothed deviation left the baseline for good
    (a quarter of the threshold, at least one spread; not before ``t0_walk``). When the
    deviation held a level below the threshold for a sustain time on the way
    (:func:`held_level`), the drift began when it left that level: the walk back starts from
    it, and a change point before it does not count."""
    level = max(0.25 * threshold, spread)
    cp = onset_time(t, smooth, run_start_s, t0_fit)
    held = held_level(t, smooth, run_start_s, t0_walk, sustain_s, threshold)
    if held is None:
        return min(cp, left_baseline_time(t, smooth, run_start_s, level, t0_walk))
    end, held_at = held
    lb = left_baseline_time(t, smooth, run_start_s, held_at + level, end - sustain_s)
    return lb if cp < end - sustain_s else min(cp, lb)


def mmss(t_s: float) -> str:
    t = int(round(t_s))
    h, rem = divmod(t, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60}:{rem % 60:02d}"


def _describe_change(
    sign: Sign, base: float, late: float, baseline_txt: str
) -> tuple[str, float, str]:
    """(sentence tail, change, change unit)."""
    if sign.relative:
        pct = 100.0 * (late - base) / base
        word = "shorter" if pct < 0 else "longer"
        return (f"{sign.measure} {abs(pct):.0f}% {word} than in {baseline_txt}", pct, "%")
    d = late - base
    if sign.unit != "deg":  # hip bounce: "% of thigh"
        return (
            f"{sign.measure} {late:.0f}{sign.unit} against {base:.0f}% in {baseline_txt} "
            f"({d:+.0f} points)",
            d,
            sign.unit,
        )
    return (
        f"{sign.measure} {late:.0f}° against {base:.0f}° in {baseline_txt} ({d:+.0f}°)",
        d,
        "deg",
    )


#: the timeline's scores are rounded to this many decimals
SCORE_DECIMALS = 3


def family_drivers(stack: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Per stroke, the sign (row of ``stack``, named by ``names``) furthest past its threshold,
    or "" where none is past it by what the score shows (0.001): on a bare 0 a CPU's last-bit
    rounding (1e-17 on one, 0 on another) named a driver or not."""
    past = np.round(stack.max(axis=0), SCORE_DECIMALS) > 0
    return np.where(past, names[np.argmax(stack, axis=0)], "")


def analyse_fatigue(
    metrics: pd.DataFrame,
    strokes: pd.DataFrame,
    duration_s: float,
    settings: FatigueSettings = FatigueSettings(),
    stored_baseline: dict | None = None,
    thresholds: dict | None = None,
    find_onsets: bool = True,
) -> tuple[dict, pd.DataFrame]:
    """Findings (``findings.json`` content) and the per-unit timeline (``timeline.csv``).

    ``find_onsets=False`` dates each finding at the start of its sustained run instead of
    fitting the change point (the live watcher, which needs only whether a sign holds now).

    ``thresholds`` maps metric -> a rider's own minimum meaningful change (same unit as the
    sign's ``min_change``: degrees, or a fraction for ratios), replacing the default floor.

    ``stored_baseline`` maps metric -> {"median": m, "spread": s} from a rider profile; those
    metrics are judged against it instead of the ride's own first minutes."""
    settle, base_end, sustain = default_windows(duration_s, settings)
    u = units(metrics, strokes)
    t = u["time_s"].to_numpy()
    smooth_s = smoothing_s(sustain)
    timeline = u[["start_s", "end_s", "time_s"]].copy()
    findings: list[dict[str, Any]] = []
    excursions: list[dict[str, Any]] = []
    skipped, baselines = [], {}
    zs: dict[str, np.ndarray] = {}  # each sign's excess over its threshold, per unit
    explained: list[dict[str, Any]] = []
    in_base = (t >= settle) & (t <= base_end)
    baseline_txt = (
        f"your first {mmss(base_end)}"
        if settle < 1
        else f"your fresh minutes ({mmss(settle)}-{mmss(base_end)})"
    )
    for sign in SIGNS:
        if sign.metric not in u:
            continue
        if not np.isfinite(u[sign.metric]).any():
            skipped.append(
                {
                    "metric": sign.metric,
                    "reason": f"not measured with confidence {MIN_CONF} or more in this clip",
                }
            )
            continue
        v = u[sign.metric].to_numpy(float)
        conf = u[f"conf_{sign.metric}"].to_numpy(float)
        stored = (stored_baseline or {}).get(sign.metric)
        if stored:
            base, spread, source = float(stored["median"]), float(stored["spread"]), "profile"
        else:
            b = v[in_base & np.isfinite(v)]
            if len(b) < MIN_BASELINE_UNITS:
                skipped.append(
                    {
                        "metric": sign.metric,
                        "reason": f"only {len(b)} usable strokes/bins in the baseline window "
                        f"{mmss(settle)}-{mmss(base_end)}",
                    }
                )
                continue
            base = float(np.median(b))
            spread = float(1.4826 * np.median(np.abs(b - base)))
            source = "ride"
        min_change = float((thresholds or {}).get(sign.metric, sign.min_change))
        floor = min_change * abs(base) if sign.relative else min_change
        threshold = max(floor, SPREAD_K * spread)
        dev = sign.direction * (v - base)
        smooth = running_median(t, dev, smooth_s)
        z = np.clip(np.nan_to_num(smooth / threshold, nan=0.0), 0, None)
        timeline[sign.metric] = v
        timeline[f"{sign.metric}_z"] = np.round(z, 3)
        zs[sign.metric] = z
        baselines[sign.metric] = {
            "median": round(base, 4),
            "spread": round(spread, 4),
            "threshold": round(threshold, 4),
            "source": source,
        }
        # runs above the threshold (NaN units neither break nor extend a run)
        valid = np.isfinite(smooth)
        tv, sv = t[valid], smooth[valid]
        after_base = tv > (base_end if source == "ride" else settle)
        above = (sv > threshold) & after_base
        starts, ends = u["start_s"].to_numpy()[valid], u["end_s"].to_numpy()[valid]
        found = None
        for a, b in true_runs(above & (sv > 0)):
            # a drift still there at the last analysed stroke lasts to the end of the ride
            end = duration_s if b == len(sv) else ends[b - 1]
            if end - starts[a] >= sustain:
                found = (float(starts[a]), float(end), a, b)
                break
        # short excursions either way (standing, a drink, a head turn, hands moved)
        quick = running_median(tv, dev[valid], EXCURSION_SMOOTH_S)
        for a, b in true_runs(np.abs(quick) > threshold):
            if ends[b - 1] - starts[a] < sustain:
                excursions.append(
                    {
                        "metric": sign.metric,
                        "start_s": round(float(starts[a]), 1),
                        "end_s": round(float(ends[b - 1]), 1),
                    }
                )
        if found is None:
            continue
        start, end, a, b = found
        t0 = settle if source == "profile" else base_end - (base_end - settle) / 2
        # The onset: the earlier of the change point and the time the smoothed deviation left
        # the baseline for good (a quarter of the threshold, at least one spread).
        onset = (
            start
            if not find_onsets
            else drift_onset(
                t,
                smooth,
                start,
                t0,
                base_end if source == "ride" else settle,
                threshold,
                spread,
                sustain,
            )
        )
        late_sel = (t >= end - sustain) & (t <= end) & np.isfinite(v)
        if not late_sel.any():
            # the run's last unit lies past the stated duration (a container's frame rate is
            # an estimate, e.g. a live recording's): its own units stand for its late value
            late_sel = (t >= start) & np.isfinite(v)
        late = float(np.median(v[late_sel]))
        share = located_share(u, sign, in_base, late_sel, sign.direction * (late - base))
        if share is not None and share < LOCATED_SHARE:
            explained.append(
                {
                    "metric": sign.metric,
                    "onset_s": round(onset, 1),
                    "change": round(late - base, 2),
                    "located_share": round(share, 2),
                    "reason": EXPLAINED[sign.metric],
                }
            )
            zs.pop(sign.metric)
            continue
        tail, change, change_unit = _describe_change(
            sign, base, late, baseline_txt if source == "ride" else "your stored baseline"
        )
        after = t >= onset
        coverage = float(np.mean(np.isfinite(v[after]))) if after.any() else 0.0
        mconf = (
            float(np.mean(conf[after & np.isfinite(v)])) if (after & np.isfinite(v)).any() else 0.0
        )
        strength = min(1.0, abs(sign.direction * (late - base)) / (2 * threshold))
        findings.append(
            {
                "metric": sign.metric,
                "family": sign.family,
                "onset_s": round(onset, 1),
                "onset": mmss(onset),
                "sustained_from_s": round(start, 1),
                "sustained_until_s": round(end, 1),
                "baseline_value": round(base, 4),
                "late_value": round(late, 4),
                "change": round(change, 2),
                "change_unit": change_unit,
                "threshold": round(threshold, 4),
                "confidence": round(coverage * mconf * strength, 2),
                "sentence": f"{sign.what} at {mmss(onset)}: {tail}.",
                "advice": sign.advice,
                **({} if share is None else {"located_share": round(share, 2)}),
            }
        )
    findings.sort(key=lambda f: f["onset_s"])
    excursions.extend(standing_spells(strokes))
    excursions.sort(key=lambda e: e["start_s"])
    for fam in ("tension", "collapse"):
        mine = {m: z for m, z in zs.items() if SIGN_BY_METRIC[m].family == fam}
        stack = np.array(list(mine.values())) if mine else np.zeros((1, len(u)))
        names = np.array(list(mine) or [""], dtype=object)
        timeline[f"{fam}_score"] = np.round(stack.sum(axis=0), SCORE_DECIMALS)
        timeline[f"{fam}_driver"] = family_drivers(stack, names)
    variability = movement_variability(u, strokes, excursions, duration_s)
    # a fitter's side view: the angles hold, a timeline against its own first seconds would
    # claim too much; against a stored fresh baseline (a rider profile) it is still judged
    too_short = duration_s < FATIGUE_MIN_S and not stored_baseline
    if too_short:
        findings = []
    out = {
        "baseline": {
            "start_s": round(settle, 1),
            "end_s": round(base_end, 1),
            "per_metric": baselines,
        },
        "sustain_s": round(sustain, 1),
        "findings": findings,
        "steady": bool(baselines) and not findings and not too_short,
        "too_short": too_short,
        "headline": short_clip_headline(duration_s, strokes_seen=len(strokes) > 0)
        if too_short
        else headline(findings, sustain, assessed=bool(baselines), baseline=(settle, base_end)),
        "not_assessed": skipped,
        "explained": explained,
        "position_changes": excursions,
        "variability": variability,
        "note": CLINICIAN,
    }
    return out, timeline


def standing_spells(strokes: pd.DataFrame) -> list[dict]:
    """Runs of consecutive standing strokes as position changes (``metric`` = "standing")."""
    if not len(strokes) or "standing" not in strokes:
        return []
    st = strokes["standing"].astype(bool).to_numpy()
    return [
        {
            "metric": "standing",
            "start_s": round(float(strokes["start_s"].iat[a]), 1),
            "end_s": round(float(strokes["end_s"].iat[b - 1]), 1),
        }
        for a, b in true_runs(st)
    ]


def short_clip_headline(duration_s: float, strokes_seen: bool = True) -> str:
    """What a clip too short for a timeline is good for: its angles at the bottom and top of
    the stroke, when it has strokes (with none, feet out of the picture or no pedalling, it
    has no such angles and must not claim them)."""
    what = (
        ": the angles at the bottom and top of the stroke are valid (see Fitter)"
        if strokes_seen
        else ", but no pedal stroke was measured in it (see the pedalling line), so it gives "
        "no angles at the bottom and top of the stroke"
    )
    return (
        f"A {mmss(duration_s)} clip is a fit check{what}; whether your posture changes over "
        "time needs several minutes of riding (film 5 minutes or more; the longer, the better)."
    )


def headline(
    findings: list[dict],
    sustain_s: float,
    assessed: bool = True,
    baseline: tuple[float, float] = (0.0, 0.0),
) -> str:
    if not assessed:  # no measure had a baseline: "steady" would claim what was not seen
        return (
            "Posture over time was not assessed: no measure had enough confident pedal "
            f"strokes in the baseline window ({mmss(baseline[0])}-{mmss(baseline[1])}) "
            "to compare the rest of the ride against."
        )
    if not findings:
        return (
            "Your posture held steady: nothing drifted beyond its noise floor for longer "
            f"than {mmss(sustain_s)}."
        )
    first = findings[0]
    more = len(findings) - 1
    return first["sentence"] + (
        f" {more} more sign{'s' if more > 1 else ''} followed." if more else ""
    )


def movement_variability(
    u: pd.DataFrame, strokes: pd.DataFrame, excursions: list[dict], duration_s: float
) -> dict:
    """How posture variation, position changes and standing evolve over the ride's thirds."""
    thirds = []
    for i in range(3):
        a, b = duration_s * i / 3, duration_s * (i + 1) / 3
        sel = (u["time_s"] >= a) & (u["time_s"] < b)
        row: dict[str, Any] = {"start_s": round(a, 1), "end_s": round(b, 1)}
        for col in ("back_angle_deg", "elbow_angle_deg"):
            v = u.loc[sel, col].dropna().to_numpy() if col in u else np.zeros(0)
            row[f"{col}_spread"] = (
                round(float(1.4826 * np.median(np.abs(v - np.median(v)))), 2)
                if len(v) >= 3
                else None
            )
        row["position_changes"] = len(
            {(e["start_s"] // 5) for e in excursions if a <= e["start_s"] < b}
        )
        if len(strokes):
            st = strokes[(strokes["start_s"] >= a) & (strokes["start_s"] < b)]
            row["standing_s"] = round(
                float((st["end_s"] - st["start_s"])[st["standing"].astype(bool)].sum()), 1
            )
        else:
            row["standing_s"] = 0.0
        thirds.append(row)
    first, last = thirds[0], thirds[-1]
    notes = []
    for col, name in (("back_angle_deg", "back angle"), ("elbow_angle_deg", "elbow angle")):
        f, l_ = first[f"{col}_spread"], last[f"{col}_spread"]
        # only movement a camera can tell from noise: a first-third spread of 2 deg or more
        if f and l_ is not None and f >= MIN_VARIATION_DEG and l_ < 0.6 * f:
            notes.append(
                f"Your {name} varied less in the last third of the ride "
                f"(spread {l_:.1f}° against {f:.1f}° at the start)."
            )
    if (
        first["position_changes"] + first["standing_s"] > 0
        and last["position_changes"] == 0
        and last["standing_s"] == 0
    ):
        notes.append(
            "You changed position or stood in the first third but not in the last: "
            "moving around on the bike relieves the back."
        )
    return {"thirds": thirds, "notes": notes}
