"""Before/after comparison of two analyses (or of early and late windows of one ride).

Strokes are aligned by crank phase: each stroke's frames are resampled onto 0-100% of the
cycle (0 = top dead centre, 50% = bottom dead centre for side views), so curves compare like
with like. Per stroke-level measure, the delta table gives before and after (medians over
strokes), the change, the strokes' own spread (pooled SD) and the measurement-noise floor;
a change is **real** only when it exceeds both, otherwise it is "within noise".
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from posecheck.measure import remeasure_folder
from posecheck.metrics.bias import OUTLINE_GAIN, landmarks_legacy

log = logging.getLogger(__name__)

#: per-stroke measure -> (label, unit, noise floor). Floors: repeated measurements of one
#: rider on video differ by about 2 degrees in an angle (Retul's minimal detectable
#: difference is 2.15-6.55 deg between testers; one camera set-up and one tester sits at the
#: low end), 0.02 in shrug ratio, 2 rpm in cadence.
MEASURES: dict[str, tuple[str, str, float]] = {
    "knee_at_bdc_deg": ("Knee at bottom dead centre", "deg", 2.0),
    "knee_max_deg": ("Knee at maximum extension", "deg", 2.0),
    "knee_min_deg": ("Knee at top dead centre", "deg", 2.0),
    "hip_closed_deg": ("Hip angle, most closed", "deg", 2.0),
    "ankle_at_bdc_deg": ("Ankle at bottom dead centre", "deg", 2.0),
    "back_mean_deg": ("Back angle", "deg", 2.0),
    "elbow_mean_deg": ("Elbow angle", "deg", 2.0),
    "shoulder_mean_deg": ("Shoulder angle", "deg", 2.0),
    "neck_mean_deg": ("Neck angle", "deg", 2.0),
    # 2 deg of the outline's bend, in the body's degrees (posecheck.metrics.bias)
    "thoracic_mean_deg": (
        "Upper-back rounding",
        "deg",
        2.0 * OUTLINE_GAIN["thoracic_rounding_deg"],
    ),
    "shrug_mean": ("Shoulder shrug ratio", "ratio", 0.02),
    "cadence_rpm": ("Cadence", "rpm", 2.0),
}
CURVE_METRICS = (
    "knee_angle_deg",
    "hip_angle_deg",
    "ankle_angle_deg",
    "elbow_angle_deg",
    "back_angle_deg",
)
PHASE = np.linspace(0.0, 100.0, 51)


@dataclass
class Comparison:
    label_a: str
    label_b: str
    deltas: pd.DataFrame
    curves: pd.DataFrame  # phase_pct, metric, side (a/b), mean, sd, n

    def as_dict(self) -> dict:
        return {
            "a": self.label_a,
            "b": self.label_b,
            "deltas": json.loads(self.deltas.to_json(orient="records")),
        }


def phase_curves(
    metrics: pd.DataFrame, strokes: pd.DataFrame, columns=CURVE_METRICS
) -> dict[str, np.ndarray]:
    """metric -> (n_strokes, len(PHASE)) values resampled onto the crank cycle."""
    t = metrics["time_s"].to_numpy()
    out = {}
    for col in columns:
        if col not in metrics:
            continue
        v = metrics[col].to_numpy(float)
        rows = []
        for start, end in strokes[["start_s", "end_s"]].to_numpy(float):
            sel = (t >= start - 0.05) & (t <= end + 0.05) & np.isfinite(v)
            if sel.sum() < 5:
                continue
            ph = 100.0 * (t[sel] - start) / (end - start)
            rows.append(np.interp(PHASE, ph, v[sel]))
        if rows:
            out[col] = np.array(rows)
    return out


def delta_table(strokes_a: pd.DataFrame, strokes_b: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for col, (label, unit, floor) in MEASURES.items():
        if col not in strokes_a or col not in strokes_b:
            continue
        a, b = strokes_a[col].dropna().to_numpy(float), strokes_b[col].dropna().to_numpy(float)
        if len(a) < 2 or len(b) < 2:
            continue
        before, after = float(np.median(a)), float(np.median(b))
        change = after - before
        spread = float(np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2))
        real = abs(change) > max(spread, floor)
        rows.append(
            {
                "measure": col,
                "label": label,
                "unit": unit,
                "before": round(before, 2),
                "after": round(after, 2),
                "change": round(change, 2),
                "stroke_spread": round(spread, 2),
                "noise_floor": floor,
                "verdict": "real change" if real else "within noise",
                "strokes_before": len(a),
                "strokes_after": len(b),
            }
        )
    return pd.DataFrame(rows)


def compare(
    metrics_a: pd.DataFrame,
    strokes_a: pd.DataFrame,
    metrics_b: pd.DataFrame,
    strokes_b: pd.DataFrame,
    label_a: str = "before",
    label_b: str = "after",
) -> Comparison:
    curves = []
    ca, cb = phase_curves(metrics_a, strokes_a), phase_curves(metrics_b, strokes_b)
    for side, c in (("a", ca), ("b", cb)):
        for metric, arr in c.items():
            curves.append(
                pd.DataFrame(
                    {
                        "phase_pct": PHASE,
                        "metric": metric,
                        "side": side,
                        "mean": arr.mean(axis=0),
                        "sd": arr.std(axis=0),
                        "n": len(arr),
                    }
                )
            )
    curves_df = (
        pd.concat(curves, ignore_index=True)
        if curves
        else pd.DataFrame(columns=["phase_pct", "metric", "side", "mean", "sd", "n"])
    )
    return Comparison(label_a, label_b, delta_table(strokes_a, strokes_b), curves_df)


#: ride-file channels shown beside the posture when both sides have a ride file: a posture
#: change is not read without its load. Floors: 5% of the power before, 3 bpm.
LOAD = {"power_w": ("Power (ride file)", "W"), "heart_rate_bpm": ("Heart rate (ride file)", "bpm")}


def load_rows(
    ride_a: pd.DataFrame | None,
    span_a: tuple[float, float],
    ride_b: pd.DataFrame | None,
    span_b: tuple[float, float],
) -> pd.DataFrame:
    """Power and heart rate over the compared windows (video seconds), when both sides have
    a ride file (``ride.csv``); empty otherwise."""
    if ride_a is None or ride_b is None:
        return pd.DataFrame()
    rows = []
    for col, (label, unit) in LOAD.items():
        a = ride_a.loc[ride_a["time_s"].between(*span_a), col].dropna().to_numpy(float)
        b = ride_b.loc[ride_b["time_s"].between(*span_b), col].dropna().to_numpy(float)
        if len(a) < 2 or len(b) < 2:
            continue
        before, after = float(np.mean(a)), float(np.mean(b))
        floor = 0.05 * before if col == "power_w" else 3.0
        spread = float(np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2))
        rows.append(
            {
                "measure": col,
                "label": label,
                "unit": unit,
                "before": round(before, 1),
                "after": round(after, 1),
                "change": round(after - before, 1),
                "stroke_spread": round(spread, 1),
                "noise_floor": round(floor, 1),
                "verdict": "real change" if abs(after - before) > floor else "within noise",
                "strokes_before": len(a),
                "strokes_after": len(b),
            }
        )
    return pd.DataFrame(rows)


def _with_load(cmp: Comparison, load: pd.DataFrame) -> Comparison:
    if len(load):
        cmp.deltas = pd.concat([cmp.deltas, load], ignore_index=True)
    return cmp


def _duration(analysis) -> float:
    return float(analysis.summary["video"]["duration_s"])


def _todays_units(analysis) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis' metrics and strokes in today's units: one written before the landmark
    correction (and so before the outline gains too) measured again from its own keypoints
    (:func:`posecheck.measure.remeasure_folder`)."""
    if landmarks_legacy(analysis.summary):
        try:
            return remeasure_folder(analysis.outdir)
        except (OSError, KeyError, ValueError, TypeError) as exc:
            log.warning(
                "%s: written before the landmark correction and not measurable again (%s); "
                "compared as written: its knee and hip may differ by 1-3 deg from today's",
                analysis.outdir,
                exc,
            )
    return analysis.metrics, analysis.strokes


def compare_analyses(a, b) -> Comparison:
    """Two :class:`posecheck.pipeline.Analysis` objects (with power and heart rate over both
    clips when both have a ride file). An analysis written before the landmark correction
    is measured again from its keypoints first (:func:`_todays_units`)."""
    (ma, sa_), (mb, sb) = (_todays_units(x) for x in (a, b))
    cmp = compare(ma, sa_, mb, sb, Path(a.info.path).name, Path(b.info.path).name)
    ride_a, ride_b = getattr(a, "ride", None), getattr(b, "ride", None)
    return _with_load(cmp, load_rows(ride_a, (0, _duration(a)), ride_b, (0, _duration(b))))


def compare_windows(analysis, early_end_s: float, late_start_s: float) -> Comparison:
    """Early (before ``early_end_s``) against late (after ``late_start_s``) strokes of one
    ride."""
    s = analysis.strokes
    cmp = compare(
        analysis.metrics,
        s[s["end_s"] <= early_end_s],
        analysis.metrics,
        s[s["start_s"] >= late_start_s],
        f"first {early_end_s:.0f} s",
        f"from {late_start_s:.0f} s",
    )
    ride = getattr(analysis, "ride", None)
    return _with_load(
        cmp, load_rows(ride, (0, early_end_s), ride, (late_start_s, _duration(analysis)))
    )


def typical_stroke(strokes: pd.DataFrame) -> pd.Series | None:
    """The stroke whose knee at BDC is nearest the median (a representative stroke)."""
    s = strokes.dropna(subset=["bdc_s"]) if "bdc_s" in strokes else strokes.iloc[0:0]
    if s.empty:
        return None
    if s["knee_at_bdc_deg"].notna().any():
        return s.iloc[int((s["knee_at_bdc_deg"] - s["knee_at_bdc_deg"].median()).abs().argmin())]
    return s.iloc[len(s) // 2]


def side_by_side(a, b, at: str = "bdc") -> np.ndarray | None:
    """RGB image: both riders at the same crank position (``bdc`` or ``tdc``) with their
    skeletons drawn, side by side at the same height."""
    import cv2

    from posecheck.render import annotated_frame

    imgs = []
    for an in (a, b):
        st = typical_stroke(an.strokes)
        if st is None:
            return None
        img = annotated_frame(an, float(st["bdc_s"] if at == "bdc" else st["start_s"]))
        if img is None:
            return None
        imgs.append(img)
    h = min(i.shape[0] for i in imgs)
    imgs = [cv2.resize(i, (int(i.shape[1] * h / i.shape[0]), h)) for i in imgs]
    return np.hstack([imgs[0], np.full((h, 8, 3), 255, np.uint8), imgs[1]])


def write_comparison(cmp: Comparison, outdir: str | Path, image: np.ndarray | None = None):
    from posecheck.io import write_csv, write_json

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    write_csv(cmp.deltas, outdir / "comparison.csv")
    write_csv(cmp.curves, outdir / "phase_curves.csv")
    write_json(cmp.as_dict(), outdir / "comparison.json")
    if image is not None:
        import cv2

        cv2.imwrite(str(outdir / "side_by_side_bdc.png"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
