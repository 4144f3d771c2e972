"""Accuracy as a measuring instrument is reported: bias, 95% limits of agreement, ICC(A,1)
and the share of large errors (``poseaudit``), over all frames and per quarter of the crank
cycle, for measured values against a rendered clip's truth."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

#: quarters of the crank cycle in degrees after top dead centre (the pedal at 12 o'clock)
PHASES = {
    "top (315-45)": (315, 45),
    "down (45-135)": (45, 135),
    "bottom (135-225)": (135, 225),
    "up (225-315)": (225, 315),
}


def after_tdc(renderer_crank_deg) -> np.ndarray:
    """The renderers' crank angle (0 = pedal forward at 3 o'clock, 90 = bottom, 270 = top)
    as degrees after top dead centre."""
    return np.mod(np.asarray(renderer_crank_deg, float) + 90.0, 360.0)


def agreement_table(pred, truth, phase_deg, big_error: float, unit: str = "deg"):
    """{phase: (n, bias, lower, upper, icc, big share)} over all frames and per quarter;
    ``phase_deg`` in degrees after top dead centre (:func:`after_tdc`)."""
    from poseaudit import audit_values

    pred, truth = np.asarray(pred, float), np.asarray(truth, float)
    phase = np.mod(phase_deg, 360)
    rows = {}
    for name, (lo, hi) in {"all": (0, 360), **PHASES}.items():
        sel = (phase >= lo) & (phase < hi) if lo < hi else (phase >= lo) | (phase < hi)
        sel &= np.isfinite(pred) & np.isfinite(truth)
        r = audit_values(pred[sel], truth[sel], big_error=big_error, unit=unit, resamples=200)
        lower, upper = r.limits
        rows[name] = (r.n, r.bias, lower, upper, r.icc, r.big_error_rate)
    return rows


def format_rows(label: str, rows: dict, big_error: float) -> list[str]:
    return [
        f"{label:16s} {phase:17s} n={n:4d} bias {bias:+5.1f} limits {lo:+5.1f} to {hi:+5.1f} "
        f"ICC {icc:5.2f} >={big_error:g} deg {100 * big:4.1f}%"
        for phase, (n, bias, lo, hi, icc, big) in rows.items()
    ]


FIT_ANGLES = ("knee_angle_deg", "hip_angle_deg", "elbow_angle_deg", "back_angle_deg")


def fit_accuracy(analysis, truth: dict, big_error: float = 10.0, agreement: bool = True) -> dict:
    """Measured against true angles for one analysed rendered clip: per angle the median
    absolute error, the bias (mean error), the agreement table (``agreement``: poseaudit's
    bootstrap, most of the time taken) and the per-stroke knee at bottom dead centre."""
    fr = analysis.track.frame
    phase = after_tdc(truth["param_crank_deg"][fr])
    out: dict = {}
    for col in FIT_ANGLES:
        pred = analysis.metrics[col].to_numpy()
        true = truth[f"truth_{col}"][fr]
        err = pred - true
        out[col] = {
            "median_abs_error": float(np.nanmedian(np.abs(err))),
            "bias": float(np.nanmean(err)),
        }
        if agreement:
            out[col]["agreement"] = agreement_table(pred, true, phase, big_error)
    s = analysis.strokes
    bdc = s["bdc_s"].to_numpy()
    ok = np.isfinite(bdc) & np.isfinite(s["knee_at_bdc_deg"].to_numpy())
    knee_true = np.interp(bdc[ok], truth["t_s"], truth["truth_knee_angle_deg"])
    err = s["knee_at_bdc_deg"].to_numpy()[ok] - knee_true
    out["knee_at_bdc"] = {
        "strokes": int(ok.sum()),
        "mean_error": float(np.mean(err)) if len(err) else float("nan"),
        "median_abs_error": float(np.median(np.abs(err))) if len(err) else float("nan"),
        "max_abs_error": float(np.max(np.abs(err))) if len(err) else float("nan"),
    }
    return out


def _levelled(analysis):
    """The cleaned track of an analysis (the renders are filmed level: no tilt)."""
    from posecheck.measure import measure

    fps, size = analysis.info.fps, analysis.info.size_wh
    return measure(analysis.track, fps, size, analysis.view, correct_bias=False)[2]


def render_offsets(analysis, truth: dict, level=None) -> dict[str, tuple[float, float]]:
    """Where the analysis' cleaned near-side landmarks sit against the render's true joint
    centres (:func:`posecheck.metrics.bias.landmark_offsets`); ``level``: its cleaned track
    when already made."""
    from posecheck.metrics.bias import landmark_offsets

    level = _levelled(analysis) if level is None else level
    side, facing = analysis.view.near_side, analysis.view.facing
    return landmark_offsets(level.xy_px, truth["landmarks_px"][level.frame], side, facing)


def with_landmarks_corrected(analysis, offsets: dict, columns, level=None) -> SimpleNamespace:
    """An uncorrected analysis' track, metrics and strokes with ``columns`` read from its
    landmarks corrected by ``offsets`` (and the strokes measured again from them); ``level``:
    its cleaned track when already made."""
    from posecheck.metrics.angles import side_angles
    from posecheck.metrics.bias import correct_landmarks
    from posecheck.strokes import stroke_table

    level = _levelled(analysis) if level is None else level
    side, facing = analysis.view.near_side, analysis.view.facing
    fixed = side_angles(correct_landmarks(level.xy_px, side, facing, offsets), side, facing)
    metrics = analysis.metrics.copy()
    for col in columns:
        metrics[col] = fixed[col]
    strokes = stroke_table(metrics, level.xy_px, analysis.view, analysis.info.fps)
    return SimpleNamespace(track=analysis.track, metrics=metrics, strokes=strokes)


def angle_biases(analysis, truth: dict) -> dict[str, float]:
    """One render's bias per angle, from an analysis made without the bias correction: the
    knee's at bottom dead centre (mean over strokes), the others' mean over all frames."""
    acc = fit_accuracy(analysis, truth, agreement=False)
    out = {"knee_angle_deg": acc["knee_at_bdc"]["mean_error"]}
    for col in FIT_ANGLES[1:]:
        out[col] = acc[col]["bias"]
    return out


#: renderer posture parameter -> the metric that should see it change
PARAMETER_METRIC = {
    "shrug_m": "shrug_ratio",
    "elbow_deg": "elbow_angle_deg",
    "thoracic_bulge": "thoracic_rounding_deg",
    "pelvic_tilt_deg": "pelvic_tilt_deg",
    "hip_bounce_m": "hip_bounce_pct",
}
#: fatigue metric -> the truth column whose change it measures
TRUE_CHANGE = {
    "shrug_ratio": "truth_shrug_ratio",
    "elbow_angle_deg": "truth_elbow_angle_deg",
    "thoracic_rounding_deg": "truth_thoracic_flexion_deg",
    "pelvic_tilt_deg": "truth_pelvic_tilt_deg",
}


def sensitivity(analysis, truth: dict, meta: dict, metric: str) -> float:
    """Measured change / true change of ``metric`` in a rendered drift scenario: medians
    after the drift is fully developed against before it starts (5 s margins)."""
    drifts = meta["drifts"].values()
    onset = min(d["onset_s"] for d in drifts)
    full = max(d["full_s"] for d in drifts)
    fr = analysis.track.frame
    t = truth["t_s"][fr]
    early, late = t < onset - 5, t > full + 5
    m = analysis.metrics[metric].to_numpy()
    tv = truth[TRUE_CHANGE[metric]][fr]
    measured = np.nanmedian(m[late]) - np.nanmedian(m[early])
    return float(measured / (np.median(tv[late]) - np.median(tv[early])))


def fit_landmark_correction(raw: dict) -> dict:
    """Refit :data:`posecheck.metrics.bias.LANDMARK_OFFSET` from uncorrected analyses of the
    fit renders (``raw``: name -> (analysis, truth)) and judge it by leaving each render out.

    Returns ``offsets`` (per render), ``fitted`` (their medians), ``before`` and
    ``after_loo`` (angle -> per-render bias without the correction, and with offsets fitted
    on the other renders) and ``chosen`` (:func:`posecheck.metrics.bias.choose_landmark_angles`)."""
    from posecheck.metrics.bias import LANDMARK_OFFSET, choose_landmark_angles, median_offsets

    names = list(raw)
    levels = {n: _levelled(raw[n][0]) for n in names}
    offsets = {n: render_offsets(raw[n][0], raw[n][1], level=levels[n]) for n in names}
    joints = list(LANDMARK_OFFSET)
    before: dict[str, list[float]] = {c: [] for c in FIT_ANGLES}
    after: dict[str, list[float]] = {c: [] for c in FIT_ANGLES}
    for n in names:
        a, truth = raw[n]
        loo = median_offsets([offsets[m] for m in names if m != n], joints)
        b0 = angle_biases(a, truth)
        b1 = angle_biases(with_landmarks_corrected(a, loo, FIT_ANGLES, levels[n]), truth)
        for c in FIT_ANGLES:
            before[c].append(b0[c])
            after[c].append(b1[c])
    return {
        "offsets": offsets,
        "fitted": median_offsets(list(offsets.values()), joints),
        "before": before,
        "after_loo": after,
        "chosen": choose_landmark_angles(before, after),
    }


def format_landmark_fit(fit: dict) -> list[str]:
    """:func:`fit_landmark_correction`'s figures as lines: each render's offsets, the fitted
    ones, and each angle's bias per render before and after (leave one render out)."""
    lines = [
        f"{name:28s} offsets " + "  ".join(f"{j} {a:+.3f},{c:+.3f}" for j, (a, c) in off.items())
        for name, off in fit["offsets"].items()
    ]
    lines.append(f"fitted (median over renders): {fit['fitted']}")
    for col, r in fit["chosen"].items():
        lines.append(
            f"{col:16s} use={r['use']!s:5s} bias per render "
            + " ".join(f"{b:+5.2f}" for b in fit["before"][col])
            + " -> "
            + " ".join(f"{b:+5.2f}" for b in fit["after_loo"][col])
            + f" (leave one render out); mean |bias| {r['mean_abs_before']:.2f} -> "
            f"{r['mean_abs_after_loo']:.2f}"
        )
    return lines
