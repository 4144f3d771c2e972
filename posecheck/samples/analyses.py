"""Ready-made analyses of the bundled sample clips: results at first sight.

``sample_videos/analyses/<clip stem>/`` holds what ``analyze`` writes for each bundled sample
with the defaults a new user gets (no profile, automatic mode and view): summary, findings,
metrics, strokes, timeline and the two reports. The pose track is not kept twice: the folder
names its cache key, and the track comes from the stored sample poses
(``sample_videos/poses``) when the analysis is opened. ``make samples`` (``posecheck samples
--analyses``) remakes them; ``tests/integration/test_ready_made.py`` requires each to be what
a fresh analysis of its clip gives, so a change of the analysis that forgets them fails.

The app opens a bundled sample's ready-made analysis as soon as the sample is chosen;
pressing Analyse still runs the analysis (with the rider's own profile, mode and view).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from posecheck.extract import BUNDLED_POSES, video_fingerprint

READY_MADE = BUNDLED_POSES.parent / "analyses"
#: the files of an analysis kept ready-made (``keypoints.npz`` comes from the pose store)
FILES = (
    "summary.json",
    "findings.json",
    "metrics.csv",
    "strokes.csv",
    "timeline.csv",
    "report.html",
    "report.pdf",
)
SOURCE = "ready_made.json"  # the clip's fingerprint and the stored track's cache key


def make_ready_made(samples_dir: Path, clips: list[str]) -> None:
    """Analyse each bundled clip (``samples_dir/<clip>``) with the defaults into
    ``samples_dir/analyses/<stem>/``, replacing what was there."""
    from posecheck.pipeline import analyze
    from posecheck.track import PoseTrack

    root = samples_dir / READY_MADE.name
    for rel in clips:
        clip = samples_dir / rel
        dest = root / clip.stem
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "a"
            analyze(clip, out, history=False)
            track = PoseTrack.load(out / "keypoints.npz")
            if not track.meta.get("cache_key"):
                raise RuntimeError(f"{clip}: no cache key in its track")
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            for name in FILES:
                shutil.copy2(out / name, dest / name)
        summary = json.loads((dest / "summary.json").read_text())
        summary["video"]["path"] = clip.name  # made absolute again where it is opened
        (dest / "summary.json").write_text(json.dumps(summary, indent=2))
        (dest / SOURCE).write_text(
            json.dumps(
                {
                    "clip": rel,
                    "fingerprint": video_fingerprint(clip),
                    "cache_key": track.meta["cache_key"],
                },
                indent=2,
            )
        )
        print(dest)


def ready_made(video: Path, outdir: Path, root: Path = READY_MADE) -> bool:
    """Put the ready-made analysis of ``video`` into ``outdir`` when there is one for this very
    clip (the same content). True when ``outdir`` then holds it; False when none is ready for
    this clip or ``outdir`` holds another analysis of it (the rider's own: left alone). A copy
    of an older ready-made analysis (posecheck updated since) is replaced."""
    from posecheck.io import write_text

    src = root / Path(video).stem
    try:
        source = json.loads((src / SOURCE).read_text())
        text = (src / "summary.json").read_text()
    except (OSError, ValueError):
        return False
    if source.get("fingerprint") != video_fingerprint(video):
        return False  # another clip of the same name, or the sample was changed
    track = root.parent / BUNDLED_POSES.name / f"{source['cache_key']}.npz"
    if not track.exists():
        return False
    version = hashlib.sha1(text.encode()).hexdigest()[:16]
    try:
        there = json.loads((outdir / "summary.json").read_text())
    except FileNotFoundError:
        there = None
    except ValueError:
        return False
    if there is not None:
        if not there.get("ready_made"):
            return False
        if there["ready_made"] == version:
            return True
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "summary.json").unlink(missing_ok=True)  # incomplete until written again
    for name in FILES:
        if name != "summary.json":
            shutil.copy2(src / name, outdir / name)
    shutil.copy2(track, outdir / "keypoints.npz")
    summary = json.loads(text)
    summary["video"]["path"] = str(Path(video).resolve())
    summary["ready_made"] = version  # which ready-made analysis this is a copy of
    write_text(json.dumps(summary, indent=2), outdir / "summary.json")  # last: complete now
    return True
