"""Systematic bias of MediaPipe's joint angles on human bodies, and its correction.

Measured on the human renders (``sample_videos/human``, MakeHuman bodies of different
shapes, filmed from different heights, distances and framings; exact joint centres): the
knee reads straighter than the true joint centres on every body, by 0.1-3.3 deg at bottom
dead centre and 1.4-4.3 deg over the whole stroke, and the hip by 0.2-4.0 deg. Real riders
agree in sign (markers on the joints: knee +3.5 deg near extension; hand-labelled stills:
knee about +10 deg, hip +4.3 deg). A fitter reading an uncorrected knee at BDC would lower a
saddle that is right.

The correction moves the points, not the angles: MediaPipe's side-view hip sits 7% of the
thigh towards the knee from the joint centre, its knee 5% towards the hip, its ankle 9% of
the shank towards the knee and its shoulder 3% of the trunk beyond the joint and forward
(:data:`LANDMARK_OFFSET`, medians over the renders, in each landmark's segment frame so they
scale with the body and turn with the limb). An angle is read from the corrected landmarks
only when a correction fitted without each render halves the mean absolute bias over the
renders (:func:`choose_landmark_angles`): the knee (at BDC 2.35 -> 0.91 deg) and the hip
(2.33 -> 0.89 deg) pass; the back angle improves but does not halve (2.07 -> 1.32), and the
elbow worsens. Until 2026-12-02 a constant was subtracted from the knee angle instead (3.1
deg, fitted at BDC: the same at BDC, worse over the stroke, and no help for the hip).

Refit with ``python bench/human_renders.py --fit-bias``; a test refits it from the committed
renders and fails when the constants below no longer match.
"""

from __future__ import annotations

import numpy as np

from posecheck.landmarks import side_landmark

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


#: each landmark's own segment: its position is described in the frame of this segment
#: (``along`` the first->second joint line, ``across`` it, positive towards where the rider
#: faces), in fractions of the segment's length, so a correction scales with the body and
#: the camera's distance and turns with the limb
SEGMENT_OF: dict[str, tuple[str, str]] = {
    "HIP": ("HIP", "KNEE"),
    "KNEE": ("HIP", "KNEE"),
    "ANKLE": ("KNEE", "ANKLE"),
    "SHOULDER": ("HIP", "SHOULDER"),
    "ELBOW": ("SHOULDER", "ELBOW"),
    "WRIST": ("ELBOW", "WRIST"),
}
#: where MediaPipe's side-view landmark sits against the joint centre, (along, across) in
#: its segment's frame (see SEGMENT_OF), median over the human renders; subtracted by
#: :func:`correct_landmarks` for the angle columns in :data:`LANDMARK_ANGLES`
LANDMARK_OFFSET: dict[str, tuple[float, float]] = {
    "HIP": (0.073, -0.018),
    "KNEE": (-0.048, -0.005),
    "ANKLE": (-0.087, -0.018),
    "SHOULDER": (0.028, 0.030),
}
#: the angle columns computed from the corrected landmarks: those whose mean absolute bias
#: over the renders a correction fitted without each render halves
#: (:func:`choose_landmark_angles`); the back angle (2.03 -> 1.29 deg), elbow, ankle and
#: shoulder do not pass and are read from MediaPipe's own landmarks
LANDMARK_ANGLES: tuple[str, ...] = ("knee_angle_deg", "hip_angle_deg")


def _segment_frame(xy: np.ndarray, side: str, facing: int, joint: str):
    """(unit along, unit across, length) of ``joint``'s segment per frame."""
    a, b = SEGMENT_OF[joint]
    axis = xy[:, side_landmark(side, b)] - xy[:, side_landmark(side, a)]
    length = np.linalg.norm(axis, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = axis / length[:, None]
    across = (1 if facing >= 0 else -1) * np.stack([-u[:, 1], u[:, 0]], axis=1)
    return u, across, length


def landmark_offsets(
    xy: np.ndarray, truth_xy: np.ndarray, side: str, facing: int
) -> dict[str, tuple[float, float]]:
    """Median (along, across) offset of each landmark from the true joint centre, in its
    segment's frame as MediaPipe's own landmarks give it (what :func:`correct_landmarks`
    has at run time)."""
    out = {}
    for joint in SEGMENT_OF:
        u, n, length = _segment_frame(xy, side, facing, joint)
        j = side_landmark(side, joint)
        d = xy[:, j] - truth_xy[:, j]
        with np.errstate(invalid="ignore", divide="ignore"):
            along, across = (d * u).sum(axis=1) / length, (d * n).sum(axis=1) / length
        out[joint] = (float(np.nanmedian(along)), float(np.nanmedian(across)))
    return out


def correct_landmarks(
    xy: np.ndarray,
    side: str,
    facing: int,
    offsets: dict[str, tuple[float, float]] | None = None,
) -> np.ndarray:
    """A copy of ``xy`` (T, 33, 2) with ``side``'s landmarks moved by minus their offsets
    (every frame measured in the uncorrected segments, so the order does not matter)."""
    offsets = LANDMARK_OFFSET if offsets is None else offsets
    out = np.array(xy, float, copy=True)
    for joint, (along, across) in offsets.items():
        u, n, length = _segment_frame(xy, side, facing, joint)
        out[:, side_landmark(side, joint)] -= (along * u + across * n) * length[:, None]
    return out


def median_offsets(
    per_render: list[dict[str, tuple[float, float]]], joints=None
) -> dict[str, tuple[float, float]]:
    """The median over renders of each joint's (along, across) offset."""
    joints = list(per_render[0]) if joints is None else joints
    return {
        j: (
            round(float(np.median([r[j][0] for r in per_render])), 3),
            round(float(np.median([r[j][1] for r in per_render])), 3),
        )
        for j in joints
    }


def choose_landmark_angles(
    before: dict[str, list[float]], after_loo: dict[str, list[float]]
) -> dict[str, dict]:
    """For each angle -> per-render biases without the landmark correction (``before``) and
    with offsets fitted on all the other renders (``after_loo``): whether the angle is read
    from the corrected landmarks (the mean absolute bias at least halves), and the figures.
    The same bar as :func:`choose_gains` sets for the outline's gains."""
    out = {}
    for col, b in before.items():
        mb = float(np.mean(np.abs(b)))
        ma = float(np.mean(np.abs(after_loo[col])))
        out[col] = {"use": ma <= 0.5 * mb, "mean_abs_before": mb, "mean_abs_after_loo": ma}
    return out


def scale_outline(cols: dict[str, np.ndarray], gain: dict[str, float] = OUTLINE_GAIN) -> None:
    """Multiply the outline signs (and the shape columns that locate them) by their gains,
    in place."""
    for col, g in gain.items():
        if col in cols:
            cols[col] = cols[col] * g
    for col, sign in SHAPE_GAIN_OF.items():
        if col in cols and sign in gain:
            cols[col] = cols[col] * gain[sign]


def choose_gains(per_render: dict[str, list[float]]) -> dict[str, dict]:
    """For each sign -> per-render ratios of measured to true change: whether a gain is used,
    and the figures. The rule mirrors :func:`choose_landmark_angles`: a gain (1 / median ratio)
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


def landmarks_legacy(summary: dict) -> bool:
    """Whether an analysis was written before the landmark correction
    (:data:`LANDMARK_OFFSET`, 2026-12-02): its knee and hip angles
    (and the strokes' knee and hip columns) are not today's. An analysis made on purpose
    without any correction (``correct_bias=False``) records an empty one and is not."""
    return "landmark_correction" not in summary and summary.get("angle_bias_corrected_deg") != {}


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
