"""Shared fixtures: clips made with ffmpeg, the shared real footage, one real-model analysis."""

from __future__ import annotations

import shutil
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


class Lazy(dict):
    """A dict that makes each value on first use with ``make(key)`` (so a test that reads
    one clip's analysis does not wait for the others')."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        self[key] = self.make(key)
        return self[key]


def session_root(tmp_path_factory, worker_id: str) -> Path:
    """A folder shared by every worker of this test session (pytest-xdist runs each worker
    with its own basetemp inside the session's), and by this session only."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session", autouse=True)
def _shared_pose_cache(tmp_path_factory, worker_id):
    """Every analysis in this session shares one pose cache (POSECHECK_POSE_CACHE, as a user
    can set it): a clip runs through the real model once per session, however many tests
    analyse it with other profiles or into other folders. The sample clips' tracks come from
    the stored sample poses (sample_videos/poses, checked against the model by
    tests/integration/test_pose_store.py). Tests of fresh extraction (a first run, a kill
    mid-run) use neither (``no_pose_cache``)."""
    import os

    from posecheck.extract import POSE_CACHE_ENV
    from posecheck.history.db import DB_ENV

    root = session_root(tmp_path_factory, worker_id)
    # the session's own history database: no test writes to the user's ~/.posecheck
    saved = {k: os.environ.get(k) for k in (POSE_CACHE_ENV, DB_ENV)}
    os.environ[POSE_CACHE_ENV] = str(root / "pose-cache")
    os.environ[DB_ENV] = f"sqlite:///{root / 'history.sqlite'}"
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def no_pose_cache(monkeypatch):
    """This test runs the model itself (no session pose cache, no stored sample poses)."""
    from posecheck.extract import POSE_CACHE_ENV, POSE_STORE_ENV

    monkeypatch.delenv(POSE_CACHE_ENV, raising=False)
    monkeypatch.setenv(POSE_STORE_ENV, "")


@pytest.fixture(scope="session")
def scenario_clip(tmp_path_factory, worker_id):
    """name -> the rendered scenario clip: a copy of the committed render
    (``sample_videos/scenarios``, with its truth), else rendered once per session by whichever
    worker asks first (the others wait on a file lock)."""
    from filelock import FileLock

    from posecheck.samples import SCENARIOS, committed_scenario, render_clip

    root = session_root(tmp_path_factory, worker_id) / "scenarios"
    root.mkdir(exist_ok=True)

    def get(name: str) -> Path:
        with FileLock(str(root / f"{name}.lock")):
            clip = root / f"{name}.mp4"
            if clip.exists():
                return clip
            committed = committed_scenario(name)
            if not committed.exists():
                return render_clip(SCENARIOS[name], root)
            for suffix in (".json", ".truth.npz", ".mp4"):  # the clip last: it marks a copy done
                shutil.copyfile(committed.with_suffix(suffix), root / f"{name}{suffix}")
            return clip

    return get


@pytest.fixture(scope="session")
def scenario_analysis(tmp_path_factory, worker_id, scenario_clip):
    """name -> the real-model analysis of a rendered scenario, once per session."""

    def get(name: str, **kwargs):
        return shared_analysis(tmp_path_factory, worker_id, scenario_clip(name), name, **kwargs)

    return get


def shared_analysis(tmp_path_factory, worker_id: str, clip: Path, name: str, **kwargs):
    """One real-model analysis of ``clip`` per test session, whichever worker asks first;
    the others wait on a file lock, then reopen the finished folder (no second model run).
    Tests must not write into it (copy it first). No reports (4 s each): the report tests
    write their own from it."""
    kwargs.setdefault("reports", False)
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
def fit_check_raw_analysis(tmp_path_factory, worker_id, fit_check_analysis):
    """The same pose track without the landmark correction, which is fitted for human
    bodies (posecheck.metrics.bias): the cartoon's own accuracy is judged without it."""
    return shared_analysis(
        tmp_path_factory,
        worker_id,
        SAMPLES / "fit_check_side.mp4",
        "fit_check-raw",
        correct_bias=False,
    )


@pytest.fixture(scope="session")
def fatigue_analysis(tmp_path_factory, worker_id):
    """The real MediaPipe model run once on the bundled 3-minute fatigue sample."""
    return shared_analysis(tmp_path_factory, worker_id, SAMPLES / "fatigue_side.mp4", "fatigue")
