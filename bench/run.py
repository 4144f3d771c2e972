"""Benchmarks: print JSON figures (never asserted in tests). `make bench` or
`python bench/run.py [--long-minutes 90] [--skip-long]`.

- model_fps: the estimator alone on frames decoded beforehand (1080p30 clip made from the
  bundled fatigue sample scaled up; 300 frames);
- e2e_fps_1worker / e2e_fps_2workers: `analyze` in full mode end to end (fresh output folder);
- e2e_over_model, speedup_2_over_1;
- peak_rss_mb: the largest resident set of this process and its children;
- long ride: the 1080p clip repeated with ffmpeg's concat demuxer (no re-encode) to
  ``--long-minutes``, analysed in long mode: wall time, ride minutes per compute minute,
  peak memory.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def make_1080p(src: Path, out: Path, seconds: float) -> Path:
    subprocess.run([ffmpeg(), "-v", "error", "-y", "-i", str(src), "-t", str(seconds), "-vf",
                    "scale=1920:1080", "-r", "30", "-c:v", "libx264", "-preset", "veryfast",
                    "-crf", "28", "-pix_fmt", "yuv420p", "-g", "300", str(out)], check=True)
    return out


def make_long(clip: Path, minutes: float, out: Path) -> Path:
    from posecheck.video import probe

    reps = int(minutes * 60 / probe(clip).duration_s) + 1
    lst = out.with_suffix(".txt")
    lst.write_text("".join(f"file '{clip}'\n" for _ in range(reps)))
    subprocess.run([ffmpeg(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(lst),
                    "-t", str(minutes * 60), "-c", "copy", str(out)], check=True)
    return out


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def model_fps(clip: Path, n: int = 300) -> float:
    from posecheck.pose import MediaPipePose
    from posecheck.video import iter_frames

    frames = [f.image for _, f in zip(range(n), iter_frames(clip))]
    est = MediaPipePose(segmentation=True)
    try:
        est.process(frames[0], frame_index=0)
        t0 = time.perf_counter()
        for i, img in enumerate(frames[1:], 1):
            est.process(img, frame_index=i)
        return (len(frames) - 1) / (time.perf_counter() - t0)
    finally:
        est.close()


def e2e_fps(clip: Path, workers: int, mode: str = "full") -> tuple[float, float, int]:
    from posecheck.pipeline import analyze

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        a = analyze(clip, Path(d) / "out", mode=mode, workers=workers, reports=False)
        wall = time.perf_counter() - t0
    return len(a.track) / wall, wall, len(a.track)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0, help="length of the 1080p clip")
    ap.add_argument("--long-minutes", type=float, default=90.0)
    ap.add_argument("--skip-long", action="store_true")
    args = ap.parse_args()
    out: dict = {"machine": {"cpus": __import__("os").cpu_count(), "python": sys.version.split()[0]}}
    with tempfile.TemporaryDirectory() as d:
        clip = make_1080p(ROOT / "sample_videos" / "fatigue_side.mp4", Path(d) / "ride1080.mp4",
                          args.seconds)
        out["clip"] = {"size": "1920x1080", "fps": 30, "seconds": args.seconds}
        out["model_fps"] = round(model_fps(clip), 1)
        fps1, wall1, n1 = e2e_fps(clip, 1)
        fps2, wall2, _ = e2e_fps(clip, 2)
        out.update({"e2e_fps_1worker": round(fps1, 1), "e2e_fps_2workers": round(fps2, 1),
                    "e2e_over_model": round(fps1 / out["model_fps"], 3),
                    "speedup_2_over_1": round(fps2 / fps1, 2), "frames": n1,
                    "peak_rss_mb_short": peak_rss_mb()})
        print(json.dumps(out), flush=True)
        if not args.skip_long:
            ride = make_long(clip, args.long_minutes, Path(d) / "long_ride.mp4")
            _, wall, n = e2e_fps(ride, 2, mode="long")
            out["long_ride"] = {"minutes": args.long_minutes, "mode": "long", "workers": 2,
                                "wall_s": round(wall, 1), "frames_analysed": n,
                                "ride_min_per_compute_min": round(args.long_minutes * 60 / wall,
                                                                  2),
                                "peak_rss_mb": peak_rss_mb()}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
