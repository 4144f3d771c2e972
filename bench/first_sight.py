"""How soon a new user sees a bundled sample's results: the ready-made analysis against
analysing the clip (with its stored poses, as the app did before), defaults only.

    python bench/first_sight.py [--repeat 3]

Each run, interleaved, in a fresh subprocess and a fresh folder (what the app's first click
costs: opening the ready-made analysis and reading it back; or ``analyze`` with the defaults
and the reports, the model skipped because the sample's track is stored). Prints one JSON
line per sample with the medians and each run."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

READY = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from posecheck.pipeline import load_analysis
from posecheck.samples.analyses import ready_made
clip, out = Path(sys.argv[1]), Path(sys.argv[2])
assert ready_made(clip, out)
load_analysis(out)
print(time.perf_counter() - t0)
"""
ANALYSE = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from posecheck.pipeline import analyze
analyze(Path(sys.argv[1]), Path(sys.argv[2]), history=False)
print(time.perf_counter() - t0)
"""


def _run(code: str, clip: Path, out: Path) -> float:
    r = subprocess.run(
        [sys.executable, "-c", code, str(clip), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return float(r.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from posecheck.samples import BUNDLED

    for name in BUNDLED:
        clip = ROOT / "sample_videos" / f"{name}.mp4"
        ready, analysed = [], []
        for i in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                ready.append(_run(READY, clip, Path(tmp) / f"r{i}"))
                analysed.append(_run(ANALYSE, clip, Path(tmp) / f"a{i}"))
        r, a = statistics.median(ready), statistics.median(analysed)
        print(
            json.dumps(
                {
                    "sample": name,
                    "ready_made_s": round(r, 2),
                    "analyse_s": round(a, 2),
                    "ratio": round(a / r, 1),
                    "runs_ready_made_s": [round(x, 2) for x in ready],
                    "runs_analyse_s": [round(x, 2) for x in analysed],
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
