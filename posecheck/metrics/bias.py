"""Systematic bias of MediaPipe's joint angles on human bodies, and its correction.

Measured on the human renders (``sample_videos/human``, MakeHuman bodies of different
shapes, filmed from different heights, distances and framings; exact joint centres): the
knee reads straighter than the true joint centres on every body, by 0.1-3.3 deg at bottom
dead centre (median 3.1) and 1.4-4.3 deg over the whole stroke. Real riders agree in sign
(markers on the joints: +3.5 deg near extension; hand-labelled stills: about +10 deg).
A fitter reading an uncorrected knee at BDC would lower a saddle that is right.

The rule that decides what is corrected (:func:`choose_corrections`): an angle is corrected
only when its bias has the same sign on every render and the leave-one-render-out correction
halves the mean absolute bias; the correction is the median bias over the renders. Today that
is the knee alone: the hip is biased the same way on every render but too unevenly (0.2-4.0
deg) to halve it, and the elbow and back change sign between bodies.

Refit with ``python bench/human_renders.py --fit-bias``; a test refits it from the committed
renders and fails when the constant below no longer matches.
"""

from __future__ import annotations

import numpy as np

#: degrees each angle reads too open on human bodies (subtracted from the measured angle);
#: the knee's is fitted on the per-stroke knee at bottom dead centre, what fitters read
ANGLE_BIAS_DEG: dict[str, float] = {"knee_angle_deg": 3.1}


#: the back signs read from the outline see about half of the body's change on every render
#: (``python bench/sign_gain.py``: thoracic flexion +22 deg read 0.39-0.53 of it, the pelvis
#: tipped back 15 deg read 0.36-0.48, six bodies and cameras); multiplied by these gains
#: (1 / the median ratio, :func:`choose_gains`) their changes are in degrees of the body's
#: own flexion and tilt. The levels stay proxies (compare a rider with themselves).
OUTLINE_GAIN: dict[str, float] = {"thoracic_rounding_deg": 2.09, "pelvic_tilt_deg": 2.42}
#: what ``python bench/sign_gain.py`` measured (measured / true change; renders in the order
#: average man, average man far HD, average woman, heavier shorter woman low phone, heavy
#: man, tall lean man portrait): the gains above are :func:`choose_gains` of these. The
#: shrug is not scaled: it read 0.01 to 0.55 of a 2.5 cm shrug, no one gain fits.
OUTLINE_RATIOS: dict[str, list[float]] = {
    "thoracic_rounding_deg": [0.433, 0.494, 0.529, 0.523, 0.463, 0.392],
    "pelvic_tilt_deg": [0.442, 0.478, 0.393, 0.434, 0.355, 0.368],
    "shrug_ratio": [0.441, 0.366, 0.320, 0.013, 0.507, 0.550],
}
#: the shape columns that say where a bend sits take their sign's gain: their change is
#: compared with the sign's change (``fatigue.LOCATED_SHARE``), a ratio the gain leaves alone
SHAPE_GAIN_OF = {"upper_bend_deg": "thoracic_rounding_deg", "lumbar_bend_deg": "pelvic_tilt_deg"}


def correct(cols: dict[str, np.ndarray], bias: dict[str, float] = ANGLE_BIAS_DEG) -> None:
    """Subtract each angle's bias in place."""
    for col, b in bias.items():
        if col in cols:
            cols[col] = cols[col] - b


def scale_outline(cols: dict[str, np.ndarray], gain: dict[str, float] = OUTLINE_GAIN) -> None:
    """Multiply the outline signs (and the shape columns that locate them) by their gains,
    in place."""
    for col, g in gain.items():
        if col in cols:
            cols[col] = cols[col] * g
    for col, sign in SHAPE_GAIN_OF.items():
        if col in cols and sign in gain:
            cols[col] = cols[col] * gain[sign]


def loo_residuals(biases) -> np.ndarray:
    """Each render's bias after a correction fitted (median) on all the other renders."""
    b = np.asarray(biases, float)
    return np.array([b[k] - np.median(np.delete(b, k)) for k in range(len(b))])


def choose_corrections(per_render: dict[str, list[float]]) -> dict[str, dict]:
    """For each angle -> per-render biases: whether the rule corrects it, and the figures."""
    out = {}
    for col, biases in per_render.items():
        b = np.asarray(biases, float)
        same_sign = bool((b > 0).all() or (b < 0).all())
        before = float(np.mean(np.abs(b)))
        after = float(np.mean(np.abs(loo_residuals(b))))
        out[col] = {
            "correct": same_sign and after <= 0.5 * before,
            "median_bias": float(np.median(b)),
            "mean_abs_before": before,
            "mean_abs_after_loo": after,
            "same_sign": same_sign,
        }
    return out


def choose_gains(per_render: dict[str, list[float]]) -> dict[str, dict]:
    """For each sign -> per-render ratios of measured to true change: whether a gain is used,
    and the figures. The rule mirrors :func:`choose_corrections`: a gain (1 / median ratio)
    is used only when the sign reads the change with the same sign on every render and a gain
    fitted on all the other renders brings each render's ratio closer to 1, halving the
    mean distance from 1 (leave one render out)."""
    out = {}
    for sign, ratios in per_render.items():
        r = np.asarray(ratios, float)
        loo = np.array([r[k] / np.median(np.delete(r, k)) for k in range(len(r))])
        before = float(np.mean(np.abs(r - 1)))
        after = float(np.mean(np.abs(loo - 1)))
        out[sign] = {
            "use": bool((r > 0).all() and after <= 0.5 * before),
            "gain": float(1 / np.median(r)),
            "ratio_min": float(r.min()),
            "ratio_max": float(r.max()),
            "mean_dist_from_1": before,
            "mean_dist_from_1_loo": after,
            "loo_min": float(loo.min()),
            "loo_max": float(loo.max()),
        }
    return out


#: strokes.csv columns that are per-stroke means of the outline signs
STROKE_COLUMN_OF = {
    "thoracic_mean_deg": "thoracic_rounding_deg",
    "pelvic_tilt_mean_deg": "pelvic_tilt_deg",
}


def legacy_gain(summary: dict) -> dict[str, float]:
    """The gains an analysis still lacks: all of :data:`OUTLINE_GAIN` for one written before
    the gains existed (its ``summary.json`` has no ``outline_gain``), none otherwise. Used
    where old and new analyses meet (Coach's comparison, the rider history), so a coach never
    compares an old outline reading with a new body-degree one; an old analysis reopened on
    its own is shown as it was written (its charts, baseline and findings in one unit)."""
    return {} if "outline_gain" in summary else dict(OUTLINE_GAIN)


def rescale_table(df, gain: dict[str, float]) -> None:
    """Multiply a metrics.csv or strokes.csv table's outline columns by ``gain``, in place."""
    if not gain:
        return
    for col in df.columns:
        sign = STROKE_COLUMN_OF.get(col) or SHAPE_GAIN_OF.get(col) or col
        if sign in gain and not col.endswith(("_conf", "_status")):
            df[col] = df[col] * gain[sign]
