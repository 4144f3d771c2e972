"""Figures on the real trainer clips in ../shared/footage (not part of the project; skipped
when absent): cadence against a count by eye, the largest knee change per degree of crank,
and what the burst rejection leaves of 5-frame knee bursts injected all along each clip.

    python bench/real_footage.py [--out DIR] [--looped-minutes M]

``--looped-minutes M`` instead repeats each riding clip to an M-minute ride (ffmpeg's concat
demuxer, no re-encoding; a real rider who does not tire) and prints, per clip, what the
fatigue timeline makes of it: mode, frames analysed, findings, and the highest tension and
collapse scores (1 = a sign at its threshold). Nothing drifts, so any finding is false.

Analyses use the defaults a user gets (`analyze` with no flags); keypoints are cached in DIR,
so a second run takes seconds. Prints one JSON object per clip."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck import clean  # noqa: E402
from posecheck.pipeline import analyze  # noqa: E402
from tests.integration.test_real_footage import (  # noqa: E402
    EYE_COUNTS,
    crank_step_deg,
    inject_knee_bursts,
)

FOOTAGE = ROOT.parent / "shared" / "footage"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "posecheck-real")
    ap.add_argument("--looped-minutes", type=float)
    args = ap.parse_args()
    os.environ.setdefault("POSECHECK_POSE_CACHE", str(args.out / "pose-cache"))
    if not FOOTAGE.is_dir():
        print(f"no real footage at {FOOTAGE}: nothing to measure", file=sys.stderr)
        return 0
    if args.looped_minutes:
        return looped(args.looped_minutes, args.out)
    for name, counts in EYE_COUNTS.items():
        a = analyze(FOOTAGE / f"{name}.mp4", args.out / name, reports=False, history=False)
        raw = analyze(FOOTAGE / f"{name}.mp4", args.out / (name + "-raw"), reports=False,
                      correct_bias=False, history=False)  # fmt: skip
        s = a.strokes
        knee = a.metrics["knee_angle_deg"].to_numpy()
        per_crank = np.abs(np.diff(knee, prepend=np.nan)) / crank_step_deg(a)
        cadence = []
        for t0, t1, turns in counts:
            inside = s[(s["start_s"] >= t0 - 0.3) & (s["end_s"] <= t1 + 0.3)]
            ours = 60.0 * len(inside) / float((inside["end_s"] - inside["start_s"]).sum())
            cadence.append(
                {
                    "from_s": round(t0, 2),
                    "to_s": round(t1, 2),
                    "eye_rpm": round(60 * turns / (t1 - t0), 1),
                    "posecheck_rpm": round(ours, 1),
                }
            )
        bursts = inject_knee_bursts(a)
        # the same bursts filled linearly instead of rebuilt from the leg's lengths
        rebuild = clean.knee_from_leg
        clean.knee_from_leg = lambda xy, *args: xy
        try:
            linear = inject_knee_bursts(a)
        finally:
            clean.knee_from_leg = rebuild
        print(
            json.dumps(
                {
                    "clip": name,
                    "fps": round(a.info.fps, 2),
                    "strokes": int(len(s)),
                    "cadence": cadence,
                    "knee_per_crank_deg_max": round(float(np.nanmax(per_crank)), 2),
                    "knee_at_bdc_median_deg": round(float(s["knee_at_bdc_deg"].median()), 1),
                    # the same strokes without the knee-bias correction (metrics.bias)
                    "knee_at_bdc_uncorrected_deg": round(
                        float(raw.strokes["knee_at_bdc_deg"].median()), 1
                    ),
                    "hip_closed_median_deg": round(float(s["hip_closed_deg"].median()), 1),
                    "hip_closed_uncorrected_deg": round(
                        float(raw.strokes["hip_closed_deg"].median()), 1
                    ),
                    "knee_at_bdc_status": s["knee_at_bdc_deg_status"].value_counts().to_dict(),
                    "knee_at_bdc_status_uncorrected": raw.strokes["knee_at_bdc_deg_status"]
                    .value_counts()
                    .to_dict(),
                    "hip_bounce_pct": {
                        "median": round(float(s["hip_bounce_pct"].median()), 1),
                        "stroke_sd": round(float(s["hip_bounce_pct"].std()), 1),
                    },
                    "bursts": {
                        "n": int(len(bursts)),
                        "opened_median_deg": round(float(np.median(bursts[:, 0])), 1),
                        "left_median_deg": round(float(np.median(bursts[:, 1])), 1),
                        "left_worst_deg": round(float(bursts[:, 1].max()), 1),
                        "without_rejection_median_deg": round(float(np.median(bursts[:, 2])), 1),
                        "linear_fill_median_deg": round(float(np.median(linear[:, 1])), 1),
                    },
                }
            )
        )
    return 0


def looped(minutes: float, out: Path) -> int:
    """Each riding clip repeated to ``minutes``, analysed with the defaults (``auto`` mode,
    every usable core, as the CLI runs it)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from run import make_long

    from posecheck.cores import usable_cores

    out.mkdir(parents=True, exist_ok=True)
    for name in EYE_COUNTS:
        ride = make_long(FOOTAGE / f"{name}.mp4", minutes, out / f"{name}_{minutes:g}min.mp4")
        a = analyze(ride, out / ride.stem, workers=usable_cores(), reports=False, history=False)
        tl = a.timeline
        print(
            json.dumps(
                {
                    "clip": name,
                    "ride_min": minutes,
                    "mode": a.summary["mode"],
                    "frames": len(a.track),
                    "findings": [[f["metric"], f["onset_s"]] for f in a.findings["findings"]],
                    "tension_max": round(float(tl["tension_score"].max()), 3),
                    "collapse_max": round(float(tl["collapse_score"].max()), 3),
                    "headline": a.findings["headline"],
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
