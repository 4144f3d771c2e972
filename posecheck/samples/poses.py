"""The sample clips' pose tracks, made with the real model ahead of time.

``sample_videos/poses/<cache key>.npz`` holds, for each sample clip (bundled, human renders,
and the cartoon scenarios the tests render), the track that ``analyze`` with its defaults
extracts: a first analysis of a sample then opens in seconds (the app's first click), and the
test suite does not run the model again on clips whose tracks are known. A track is found by
its cache key (the clip's content, the decoder, the model and every extraction setting), so a
changed clip, model or setting simply misses the store and runs the model. Each track
records which sample it belongs to (``meta["sample"]``): a test re-runs the model on a piece
of every stored track and requires the same landmarks.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from posecheck.extract import BUNDLED_POSES
from posecheck.track import PoseTrack

#: cartoon scenarios the tests render (not committed as clips: re-rendered, byte-identical)
SCENARIO_PREFIX = "scenario:"
#: (sample, profile) pairs beyond each sample's default analysis: the fatigue sample in long
#: mode with 10 s windows every 20 s (the test that long mode finds what full mode finds)
EXTRA_PROFILES: tuple[tuple[str, dict], ...] = (
    (
        "fatigue_side.mp4",
        {"analysis": {"mode": "long", "long_window_s": 10.0, "long_every_s": 20.0}},
    ),
)


def sample_clips(samples_dir: Path) -> Iterator[str]:
    """Committed sample clips, as paths relative to ``samples_dir``."""
    for clip in sorted(samples_dir.glob("*.mp4")) + sorted(samples_dir.glob("human/*.mp4")):
        yield clip.relative_to(samples_dir).as_posix()


def store_pose(clip: Path, sample: str, store: Path, profile: dict | None = None) -> Path:
    """Run the model on ``clip`` as ``analyze`` would with ``profile`` (fresh, never from a
    cache) and keep its track in ``store`` under its cache key."""
    from posecheck.pipeline import analyze

    with tempfile.TemporaryDirectory() as tmp:
        analyze(clip, Path(tmp) / "a", profile=profile, reports=False, reuse_poses=False)
        track = PoseTrack.load(Path(tmp) / "a" / "keypoints.npz")
    meta = {**track.meta, "video": Path(clip).name, "sample": sample}
    store.mkdir(parents=True, exist_ok=True)
    out = store / f"{meta['cache_key']}.npz"
    PoseTrack(
        track.frame,
        track.t_s,
        track.xy_px,
        track.world_m,
        track.visibility,
        meta,
        track.outline,
    ).save(out, compact=True)
    return out


def make_store(samples_dir: Path, scenarios: list[str], only: list[str] | None = None) -> None:
    """Rebuild ``samples_dir/poses`` from the committed sample clips and the given cartoon
    scenarios (their committed clips in ``samples_dir/scenarios``, else rendered into a temporary
    folder). ``only``: refresh just these samples (clip
    paths relative to ``samples_dir`` or scenario names), keeping every other entry."""
    from posecheck.samples import SCENARIOS, committed_scenario, render_clip

    store = samples_dir / BUNDLED_POSES.name
    if only is None:
        shutil.rmtree(store, ignore_errors=True)
        clips, names = list(sample_clips(samples_dir)), scenarios
    else:
        wanted = set(only)
        clips = [c for c in sample_clips(samples_dir) if c in wanted]
        names = [n for n in scenarios if n in wanted]
        keys = set(clips) | {SCENARIO_PREFIX + n for n in names}
        for entry in sorted(store.glob("*.npz")):
            if PoseTrack.load(entry).meta.get("sample") in keys:
                entry.unlink()
    for rel in clips:
        print(store_pose(samples_dir / rel, rel, store))
        for extra, profile in EXTRA_PROFILES:
            if rel == extra:
                print(store_pose(samples_dir / rel, rel, store, profile=profile))
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            committed = committed_scenario(name, samples_dir)
            clip = committed if committed.exists() else render_clip(SCENARIOS[name], tmp)
            print(store_pose(clip, SCENARIO_PREFIX + name, store))
