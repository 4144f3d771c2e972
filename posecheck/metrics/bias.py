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


def correct(cols: dict[str, np.ndarray], bias: dict[str, float] = ANGLE_BIAS_DEG) -> None:
    """Subtract each angle's bias in place."""
    for col, b in bias.items():
        if col in cols:
            cols[col] = cols[col] - b


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
