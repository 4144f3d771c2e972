"""Accuracy on the human-looking renders (sample_videos/human, MakeHuman bodies; regenerate
with `posecheck samples --human`): agreement of knee, hip, elbow and back angles with the
renderer's true joint centres, per crank quarter, and the knee at bottom dead centre.

    python bench/human_renders.py [--out DIR] [--fit-bias] [NAME ...]

``--fit-bias`` also analyses each clip without the bias correction, prints where each
render's landmarks sit against the joint centres, the fitted offsets, each angle's bias
before and after a correction fitted without that render, and what the rule of
posecheck.metrics.bias chooses.

Analyses use the defaults a user gets; keypoints are cached in DIR (a second run takes
seconds). Prints a table per clip and one JSON line per clip."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.metrics.bias import LANDMARK_ANGLES, LANDMARK_OFFSET  # noqa: E402
from posecheck.pipeline import analyze  # noqa: E402
from posecheck.samples import load_truth  # noqa: E402
from posecheck.samples.accuracy import (  # noqa: E402
    FIT_ANGLES,
    PARAMETER_METRIC,
    TRUE_CHANGE,
    fit_accuracy,
    fit_landmark_correction,
    format_landmark_fit,
    format_rows,
    sensitivity,
)

HUMAN = ROOT / "sample_videos" / "human"


def _metric(parameter: str) -> str:
    return PARAMETER_METRIC.get(parameter, parameter)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "posecheck-human")
    ap.add_argument("--dir", type=Path, default=HUMAN, help="folder of rendered clips")
    ap.add_argument("--fit-bias", action="store_true")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    os.environ.setdefault("POSECHECK_POSE_CACHE", str(args.out / "pose-cache"))
    clips = sorted(args.dir.glob("human_fit_*.mp4"))
    drifts = sorted(set(args.dir.glob("human_*.mp4")) - set(clips))
    if args.names:
        clips = [c for c in clips if c.stem in args.names]
        drifts = [c for c in drifts if c.stem in args.names]
    for clip in clips:
        a = analyze(clip, args.out / clip.stem, reports=False, history=False)
        acc = fit_accuracy(a, load_truth(clip))
        print(f"== {clip.stem}")
        for col in FIT_ANGLES:
            print("\n".join(format_rows(col, acc[col]["agreement"], 10.0)))
        print(f"knee at BDC: {acc['knee_at_bdc']}")
        row = {"clip": clip.stem}
        for col in FIT_ANGLES:
            n, bias, lo, hi, icc, big = acc[col]["agreement"]["all"]
            row[col] = {
                "median_abs": round(acc[col]["median_abs_error"], 2),
                "bias": round(bias, 2),
                "loa": [round(lo, 1), round(hi, 1)],
                "icc": round(icc, 3),
            }
        row["knee_at_bdc"] = {k: round(v, 2) for k, v in acc["knee_at_bdc"].items()}
        print(json.dumps(row))
    for clip in drifts:
        a = analyze(clip, args.out / clip.stem, reports=False, history=False)
        meta = json.loads(clip.with_suffix(".json").read_text())
        truth = load_truth(clip)
        row = {
            "clip": clip.stem,
            "programmed": {_metric(p): d["onset_s"] for p, d in meta["drifts"].items()},
            "found": {f["metric"]: f["onset_s"] for f in a.findings["findings"]},
            "headline": a.findings["headline"],
            "sensitivity": {
                m: round(sensitivity(a, truth, meta, m), 2)
                for m in map(_metric, meta["drifts"])
                if m in TRUE_CHANGE
            },
        }
        print(json.dumps(row))
    if args.fit_bias:
        raw = {}
        for clip in clips:
            a = analyze(
                clip,
                args.out / (clip.stem + "-raw"),
                reports=False,
                correct_bias=False,
                history=False,
            )
            raw[clip.stem] = (a, load_truth(clip))
        fit = fit_landmark_correction(raw)
        print("\n".join(format_landmark_fit(fit)))
        print(f"in posecheck.metrics.bias today: {LANDMARK_OFFSET}")
        print(f"read from corrected landmarks today: {LANDMARK_ANGLES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
