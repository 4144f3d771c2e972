"""Live mode's speed: `python bench/live.py [--seconds 45] [--cores 1 2]`. Prints JSON.

A camera is played by a thread that puts frames into the live loop's one-frame slot at 30
frames/s on the wall clock (frames of the human elbow render, scaled to 720p and 1080p and
decoded beforehand, as a webcam delivers them), while the real loop runs with its defaults:
the model, the recorder (H.264), the watcher's checks (baseline 20 s here, so that checks
run for most of the run) and the overlay. Reported per input size and per number of cores
the process may use (``sched_setaffinity``; MediaPipe's threads share them):

- analysed_fps: frames through the model per second of wall time;
- dropped_share: frames the camera delivered that the loop never took (the newest wins);
- latency_ms_p50/p95: from a frame's arrival in the slot to its overlay being drawn.

Each configuration runs in its own subprocess (a fresh model, its own core set).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLIP = ROOT / "sample_videos" / "human" / "human_elbow.mp4"
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}


def one(size: str, cores: int, seconds: float) -> dict:
    import cv2

    from posecheck.live.session import LiveSession, run
    from posecheck.live.sources import LatestFrame, LiveFrame
    from posecheck.live.watch import LiveSettings
    from posecheck.video import iter_frames

    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    w, h = SIZES[size]
    frames = []
    for fr in iter_frames(CLIP, stride=2):  # 4 s of distinct frames at 15 fps of the clip
        frames.append(cv2.resize(fr.image, (w, h), interpolation=cv2.INTER_LINEAR))
        if len(frames) >= 120:
            break

    class Camera:
        def __init__(self):
            self.slot = LatestFrame()
            self._stop = threading.Event()

        def start(self):
            def feed():
                t0 = time.perf_counter()
                k = 0
                while not self._stop.is_set() and k / 30.0 < seconds:
                    due = t0 + k / 30.0
                    wait = due - time.perf_counter()
                    if wait > 0:
                        time.sleep(wait)
                    now = time.perf_counter()
                    self.slot.put(LiveFrame(frames[k % len(frames)], now - t0, now))
                    k += 1
                self.slot.close()

            threading.Thread(target=feed, daemon=True).start()
            return self.slot

        def stop(self):
            self._stop.set()

    with tempfile.TemporaryDirectory() as tmp:
        session = LiveSession(
            Path(tmp) / "s", (w, h), 30.0, LiveSettings(baseline_s=20.0, sustain_s=20.0)
        )
        session.process(frames[0], 0.0)  # the model loads before the camera starts
        session.stats = type(session.stats)()
        stats = run(Camera(), session)
        session.close(analyse=False)
    return {"input": size, "cores": cores, "seconds": seconds, **stats}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=45.0)
    ap.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]), args.seconds)))
        return
    results = []
    for cores in args.cores:
        for size in SIZES:
            out = subprocess.run(
                [sys.executable, __file__, "--seconds", str(args.seconds), "--one", size,
                 str(cores)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps({"live": results, "machine_cores": len(os.sched_getaffinity(0))}, indent=1))


if __name__ == "__main__":
    main()
