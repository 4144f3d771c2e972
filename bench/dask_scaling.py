"""The batch on a Dask LocalCluster: wall time with 1 and 2 workers, against the plain serial
batch, and the per-clip overhead Dask adds. Prints one JSON line.

    python bench/dask_scaling.py [--clips 4] [--seconds 8] [--repeat 2]

Clips: ``--clips`` pieces of ``--seconds`` cut from the bundled fatigue sample at different
places (re-encoded, so each is new content); the stored sample poses and the pose cache are
switched off, so every clip runs the real model (one pose process per clip). The history goes
to a temporary database. Runs are interleaved (serial, Dask 1, Dask 2, then again) and the
medians reported: this machine drifts. Needs ``dask[distributed]`` (``posecheck[cluster]``)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_clips(folder: Path, n: int, seconds: float) -> list[Path]:
    import imageio_ffmpeg

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(n):
        clip = folder / f"piece{k}.mp4"
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-ss", str(10 + 37 * k),
             "-t", str(seconds), "-i", str(ROOT / "sample_videos" / "fatigue_side.mp4"),
             "-c:v", "libx264", "-preset", "veryfast", "-an", str(clip)],
            check=True,
        )  # fmt: skip
        out.append(clip)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="posecheck-dask-"))
    os.environ["POSECHECK_POSE_STORE"] = ""  # set but empty: no stored sample poses
    os.environ.pop("POSECHECK_POSE_CACHE", None)
    os.environ["POSECHECK_DB"] = f"sqlite:///{tmp / 'history.sqlite'}"
    clips = make_clips(tmp / "clips", args.clips, args.seconds)

    from distributed import Client, LocalCluster

    from posecheck.batch import batch

    def timed(label: str, k: int, **kw) -> float:
        t0 = time.perf_counter()
        table = batch(tmp / "clips", tmp / f"{label}-{k}", **kw)
        wall = time.perf_counter() - t0
        assert (table["status"] == "analysed").all(), table
        return wall

    runs: dict[str, list[float]] = {"serial": [], "dask_1_worker": [], "dask_2_workers": []}
    for k in range(args.repeat):
        runs["serial"].append(timed("serial", k, workers=1))
        for n, name in ((1, "dask_1_worker"), (2, "dask_2_workers")):
            with (
                LocalCluster(n_workers=n, threads_per_worker=1, processes=True) as cluster,
                Client(cluster) as client,
            ):
                runs[name].append(timed(name, k, scheduler=client))
    med = {name: statistics.median(v) for name, v in runs.items()}
    print(
        json.dumps(
            {
                "clips": len(clips),
                "clip_seconds": args.seconds,
                "cores": os.cpu_count(),
                "wall_s": {k: round(v, 1) for k, v in med.items()},
                "runs_s": {k: [round(x, 1) for x in v] for k, v in runs.items()},
                "speedup_2_over_1_worker": round(med["dask_1_worker"] / med["dask_2_workers"], 2),
                "dask_overhead_per_clip_s": round(
                    (med["dask_1_worker"] - med["serial"]) / len(clips), 2
                ),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
