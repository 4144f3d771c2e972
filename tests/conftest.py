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


@pytest.fixture(scope="session")
def fit_check_analysis(tmp_path_factory):
    """The real MediaPipe model run once on the bundled fit-check sample."""
    from posecheck.pipeline import analyze

    out = tmp_path_factory.mktemp("fit_check")
    return analyze(SAMPLES / "fit_check_side.mp4", out)


@pytest.fixture(scope="session")
def fatigue_analysis(tmp_path_factory):
    """The real MediaPipe model run once on the bundled 3-minute fatigue sample."""
    from posecheck.pipeline import analyze

    out = tmp_path_factory.mktemp("fatigue")
    return analyze(SAMPLES / "fatigue_side.mp4", out, workers=2)
