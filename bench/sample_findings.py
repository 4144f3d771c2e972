"""Every bundled clip's fatigue findings, with the defaults a user gets: one JSON line per clip
(``sample_videos``, its ``human`` and ``scenarios`` folders) with each finding's metric, onset
and the time it became sustained. Their tracks are stored (``sample_videos/poses``), so the
model does not run: the 31 clips take about 10 s. Run it in two trees (e.g. a
worktree of an older commit) and diff the output to see what a change to the timeline moves.

    python bench/sample_findings.py [--out DIR]"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.pipeline import analyze  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="posecheck-")))
    args = ap.parse_args()
    samples = ROOT / "sample_videos"
    for folder in (samples, samples / "human", samples / "scenarios"):
        for clip in sorted(folder.glob("*.mp4")):
            name = str(clip.relative_to(samples))
            a = analyze(clip, args.out / name.replace("/", "_"), reports=False, history=False)
            found = [
                [f["metric"], f["onset_s"], f["sustained_from_s"]] for f in a.findings["findings"]
            ]
            print(json.dumps({"clip": name, "findings": found}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
