"""The neck angle on the human renders' true joint centres: `python bench/true_neck.py`.

The same definition as ``metrics.csv``'s ``neck_angle_deg`` (180 minus the hip-shoulder-ear
angle, near side), applied to the skeleton's projected joint centres (the truth), fresh
(6-30 s) against late (from 100 s), beside what the real model's analysis reports. Settles
whether a neck finding on a render is a true change or the measure's doing."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HUMAN = ROOT / "sample_videos" / "human"


def main() -> None:
    from posecheck.metrics.angles import side_angles
    from posecheck.pipeline import analyze

    for name in ("human_steady", "human_shrug", "human_thoracic", "human_combined"):
        meta = json.loads((HUMAN / f"{name}.json").read_text())
        z = np.load(HUMAN / f"{name}.truth.npz")
        side = meta["view"].split("-")[1]
        neck = side_angles(z["landmarks_px"], side, 1 if side == "right" else -1)["neck_angle_deg"]
        t = z["t_s"]
        true = float(np.median(neck[t >= 100]) - np.median(neck[(t >= 6) & (t <= 30)]))
        with tempfile.TemporaryDirectory() as tmp:
            an = analyze(HUMAN / f"{name}.mp4", tmp, reports=False, history=False)
        m = an.timeline["neck_angle_deg"].to_numpy(float)
        tt = an.timeline["time_s"].to_numpy(float)
        seen = float(np.nanmedian(m[tt >= 100]) - np.nanmedian(m[(tt >= 6) & (tt <= 30)]))
        found = [f["metric"] for f in an.findings["findings"]]
        print(
            json.dumps(
                {
                    "clip": name,
                    "true_neck_change_deg": round(true, 1),
                    "measured_neck_change_deg": round(seen, 1),
                    "neck_finding": "neck_angle_deg" in found,
                }
            )
        )


if __name__ == "__main__":
    main()
