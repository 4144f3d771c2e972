"""The trunk outline's cost per frame, and a digest of what it read, on real clips.

    python bench/outline.py [--frames 150] [--repeat 5]

For each clip in ``../shared/footage`` (real riders; skipped with a note when absent) and the
bundled fatigue sample scaled to 1080p (the benchmark's clip): the first ``--frames`` frames
through the model with its mask (as extraction runs it), then ``extract.trunk_outline`` on
every frame, ``--repeat`` times; prints one JSON line per clip: the best and median
milliseconds a frame over the repeats, and a SHA-256 of the outlines' bytes. Run it in two
trees (e.g. a worktree of an older commit) to compare cost and to check that a change reads
the same outline bit for bit."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FOOTAGE = ROOT.parent / "shared" / "footage"


def clips(folder: Path) -> list[Path]:
    from run import make_1080p

    found = sorted(FOOTAGE.glob("*.mp4")) if FOOTAGE.is_dir() else []
    if not found:
        print(json.dumps({"note": f"no real clips: {FOOTAGE} is absent"}), flush=True)
    fatigue = ROOT / "sample_videos" / "fatigue_side.mp4"
    return found + [make_1080p(fatigue, folder / "fatigue_side_1080p.mp4", 20)]


def outline_cost(clip: Path, frames: int, repeat: int) -> dict:
    from posecheck.extract import trunk_outline
    from posecheck.pose import MediaPipePose
    from posecheck.video import iter_frames

    est = MediaPipePose(segmentation=True)
    try:
        results, width = [], 0
        for i, f in zip(range(frames), iter_frames(clip)):
            results.append(est.process(f.image, frame_index=i))
            width = f.image.shape[1]
    finally:
        est.close()
    times: list[float] = []
    out: list[np.ndarray] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = [trunk_outline(r, width) for r in results]
        times.append((time.perf_counter() - t0) / len(results) * 1000)
    stacked = np.stack(out)
    return {
        "clip": clip.name,
        "frames": len(results),
        "with_outline": int(np.isfinite(stacked).any(axis=(1, 2)).sum()),
        "ms_per_frame_best": round(min(times), 3),
        "ms_per_frame_median": round(float(np.median(times)), 3),
        "sha256": hashlib.sha256(np.ascontiguousarray(stacked).tobytes()).hexdigest()[:16],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for clip in clips(Path(d)):
            print(json.dumps(outline_cost(clip, args.frames, args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
