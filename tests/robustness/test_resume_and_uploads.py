"""Nothing lost: a killed analysis resumes to identical results; hostile uploads stay in
their folder; nothing user-supplied is unpickled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from posecheck.pipeline import analyze
from posecheck.track import PoseTrack
from tests.conftest import ROOT, SAMPLES

FIT = SAMPLES / "fit_check_side.mp4"


@pytest.mark.model
def test_sigkill_mid_run_then_resume_is_identical(tmp_path, no_pose_cache):
    """A 13 s cut of the fit-check clip at 15 frames/s (three chunks of 5, 5 and 3 s on two
    workers; half the frame rate halves the model's work and changes nothing here): killed
    once one chunk is saved, run again (the rest through the model), it ends with what an
    uninterrupted run gives. Three chunks, not two: with one chunk per worker the two could
    be saved within moments of each other (a worker's start-up varies by seconds under the
    suite's load) and the kill came too late (seen once). Now one worker's task is two
    chunks in a row (``parallel_tasks``: 0-5 and 5-10 s), so whichever chunk is saved first,
    at least a 5 s chunk's work is still to do."""
    from tests.conftest import run_ffmpeg

    clip = tmp_path / "thirteen_seconds.mp4"
    run_ffmpeg(
        "-i", str(FIT), "-t", "13", "-vf", "fps=15", "-c:v", "libx264", "-pix_fmt", "yuv420p",
        str(clip),
    )  # fmt: skip
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "posecheck",
        "analyze",
        str(clip),
        "-o",
        str(out),
        "--mode",
        "full",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob(".chunks/*/0000?.npz")):
        time.sleep(0.1)
    workers = _children(proc.pid)  # the pose workers (workers=auto: the cores here)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # the workers do not outlive their parent (each holds a model: hundreds of MB)
    deadline = time.time() + 10
    while time.time() < deadline and [p for p in workers if _alive(p)]:
        time.sleep(0.2)
    assert not [p for p in workers if _alive(p)], f"workers {workers} outlived the killed run"
    saved = list(out.glob(".chunks/*/*.npz"))
    assert saved, "no chunk was saved before the kill"
    assert len(saved) < 3, "every chunk was done before the kill: nothing left to resume"
    assert not (out / "summary.json").exists()  # partial work never looks complete
    assert not (out / "keypoints.npz").exists()
    # chunks are written to a temporary file and renamed into place: every chunk there is
    # whole. A worker ended mid-write (it exits within half a second of its parent, wherever
    # it is) leaves its temporary file, never a half chunk (seen once: 00002.npz.tmp)
    for chunk in saved:
        assert len(PoseTrack.load(chunk)), chunk
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (out / ".chunks").exists()  # the chunks, and any temporary file, are gone
    resumed = PoseTrack.load(out / "keypoints.npz")
    # against an uninterrupted run of the model (not the stored sample poses, which are
    # rounded to 0.01 px)
    ref = analyze(clip, tmp_path / "ref", mode="full", reports=False, reuse_poses=False)
    np.testing.assert_array_equal(resumed.frame, ref.track.frame)
    np.testing.assert_array_equal(resumed.xy_px, ref.track.xy_px)
    np.testing.assert_array_equal(resumed.visibility, ref.track.visibility)
    assert (out / "metrics.csv").read_text() == (ref.outdir / "metrics.csv").read_text()


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux /proc), waiting up to 30 s for its pool."""
    deadline = time.time() + 30
    while time.time() < deadline:
        kids = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            kids += [int(k) for k in (task / "children").read_text().split()]
        if kids:
            return kids
        time.sleep(0.2)
    return []


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..",
        "/abs/path/clip.mp4",
        "clip<script>.mp4",
        "C:\\\\Users\\\\x\\\\ride.mov",
        "",
        ".hidden.mp4",
        "a" * 500 + ".mp4",
    ],
)
def test_upload_names_are_sanitised(name):
    from posecheck.ui import safe_filename

    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\\\" not in safe and not safe.startswith(".")
    assert len(safe) <= 120 and set(safe) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
    )


def test_analysis_folders_stay_under_the_data_root(tmp_path, monkeypatch):
    from posecheck.ui import analysis_dir, data_root

    monkeypatch.setenv("POSECHECK_DATA", str(tmp_path / "data"))
    clip = tmp_path / "..evil..name.mp4"
    clip.write_bytes(b"x" * 100)
    d = analysis_dir(clip).resolve()
    assert d.is_relative_to((data_root() / "analyses").resolve())


def test_upload_limit_is_the_server_config():
    """The app checks uploads against the server's own limit (no second number to drift)."""
    app = (ROOT / "app.py").read_text()
    assert 'MAX_UPLOAD_MB = st.get_option("server.maxUploadSize")' in app
    assert "store_upload(up.name, up.getbuffer(), MAX_UPLOAD_MB)" in app


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("POSECHECK_DATA", str(tmp_path / "data"))
    return tmp_path / "data" / "uploads"


def test_upload_is_stored_under_a_safe_name_and_reused(uploads):
    from posecheck.ui import store_upload

    clip = FIT.read_bytes()
    a = store_upload("../../../tmp/My Ride <1>.mp4", clip, limit_mb=100)
    assert a.parent == uploads and a.name.endswith("-My_Ride_1_.mp4")
    assert a.read_bytes() == clip
    assert store_upload("../../../tmp/My Ride <1>.mp4", clip, limit_mb=100) == a  # reused
    # same name, same size, other content: a different file, never the earlier one
    other = bytearray(clip)
    other[len(other) // 2] ^= 0xFF
    b = store_upload("My Ride <1>.mp4", bytes(other), limit_mb=100)
    assert b != a and b.read_bytes() == bytes(other) and a.read_bytes() == clip
    assert sorted(p.name for p in uploads.iterdir()) == sorted([a.name, b.name])


@pytest.mark.parametrize(
    "name,data,problem",
    [
        ("big.mp4", b"x" * (3 * 2**20), "3 MB is over the 2 MB limit"),
        ("empty.mp4", b"", "empty"),
        ("notes.txt", b"hello", "not a video file name"),
        ("script.py", b"import os", "not a video file name"),
    ],
)
def test_refused_uploads_leave_nothing(uploads, name, data, problem):
    from posecheck.ui import UploadError, store_upload

    with pytest.raises(UploadError) as info:
        store_upload(name, data, limit_mb=2)
    msg = str(info.value)
    assert msg.startswith(f"{name}: ") and problem in msg and "\n" not in msg
    assert not uploads.exists() or not any(uploads.iterdir())


def test_upload_that_cannot_be_written_leaves_no_temporary_file(uploads, monkeypatch):
    import errno

    from posecheck.ui import UploadError, store_upload

    def full(self, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "replace", full)
    with pytest.raises(UploadError, match=r"^ride\.mp4: could not be saved \(No space left"):
        store_upload("ride.mp4", b"\0" * 1000, limit_mb=2)
    assert not any(uploads.iterdir())


def test_stale_partial_uploads_are_cleared(uploads):
    from posecheck.ui import STALE_PART_S, store_upload

    uploads.mkdir(parents=True)
    stale, fresh = uploads / "a-old.mp4.1.part", uploads / "b-new.mp4.2.part"
    for p in (stale, fresh):
        p.write_bytes(b"half")
    old = time.time() - STALE_PART_S - 60
    os.utime(stale, (old, old))
    kept = store_upload("ride.mp4", b"\1" * 1000, limit_mb=2)
    assert not stale.exists()
    assert fresh.exists()  # may be another upload being written right now
    assert kept.exists()


def test_a_pickle_inside_keypoints_is_refused(tmp_path):
    """An .npz can carry a pickled object that runs code when loaded: it must be refused."""
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    bad = tmp_path / "keypoints.npz"
    np.savez(bad, frame=np.array([Evil()], dtype=object))
    with pytest.raises(ValueError):
        PoseTrack.load(bad)
    assert not marker.exists()
