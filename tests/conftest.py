"""Shared fixtures: clips made with ffmpeg, the shared real footage, one real-model analysis."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
SHARED = ROOT.parent / "shared"
FOOTAGE = SHARED / "footage"


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


def make_test_clip(
    path: Path,
    size: str = "320x240",
    rate: str = "30",
    seconds: float = 2.0,
    extra: tuple[str, ...] = (),
    pix_fmt: str = "yuv420p",
) -> Path:
    """An ffmpeg test-pattern clip (frame counter burnt in by testsrc)."""
    run_ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size={size}:rate={rate}:duration={seconds}",
        *extra,
        "-pix_fmt",
        pix_fmt,
        str(path),
    )
    return path


@pytest.fixture(scope="session")
def footage() -> Path:
    if not FOOTAGE.is_dir():
        pytest.skip(f"shared footage not present at {FOOTAGE} (only on the project's machines)")
    return FOOTAGE


def session_root(tmp_path_factory, worker_id: str) -> Path:
    """A folder shared by every worker of this test session (pytest-xdist runs each worker
    with its own basetemp inside the session's), and by this session only."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def shared_analysis(tmp_path_factory, worker_id: str, clip: Path, name: str, **kwargs):
    """One real-model analysis of ``clip`` per test session, whichever worker asks first;
    the others wait on a file lock, then reopen the finished folder (no second model run).
    Tests must not write into it (copy it first)."""
    from filelock import FileLock

    from posecheck.pipeline import analyze, load_analysis

    out = session_root(tmp_path_factory, worker_id) / f"shared-{name}"
    with FileLock(str(out) + ".lock"):
        if (out / "summary.json").exists():
            return load_analysis(out)
        return analyze(clip, out, **kwargs)


@pytest.fixture(scope="session")
def fit_check_analysis(tmp_path_factory, worker_id):
    """The real MediaPipe model run once on the bundled fit-check sample."""
    return shared_analysis(tmp_path_factory, worker_id, SAMPLES / "fit_check_side.mp4", "fit_check")


@pytest.fixture(scope="session")
def fatigue_analysis(tmp_path_factory, worker_id):
    """The real MediaPipe model run once on the bundled 3-minute fatigue sample."""
    return shared_analysis(
        tmp_path_factory, worker_id, SAMPLES / "fatigue_side.mp4", "fatigue", workers=2
    )
