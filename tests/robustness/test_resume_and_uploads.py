"""Nothing lost: a killed analysis resumes to identical results; hostile uploads stay in
their folder; nothing user-supplied is unpickled."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from posecheck.track import PoseTrack
from tests.conftest import ROOT, SAMPLES


@pytest.mark.model
def test_sigkill_mid_run_then_resume_is_identical(tmp_path, fit_check_analysis):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "posecheck", "analyze", str(SAMPLES / "fit_check_side.mp4"),
           "-o", str(out), "--mode", "full"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob(".chunks/*/00000.npz")):
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = list(out.glob(".chunks/*/*.npz"))
    assert saved, "no chunk was saved before the kill"
    assert not (out / "summary.json").exists()  # partial work never looks complete
    assert not (out / "keypoints.npz").exists()
    assert not list(out.glob(".chunks/*/*.tmp*"))  # chunks are renamed into place
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    resumed = PoseTrack.load(out / "keypoints.npz")
    ref = fit_check_analysis.track
    np.testing.assert_array_equal(resumed.frame, ref.frame)
    np.testing.assert_array_equal(resumed.xy_px, ref.xy_px)
    np.testing.assert_array_equal(resumed.visibility, ref.visibility)
    assert (out / "metrics.csv").read_text() == (fit_check_analysis.outdir /
                                                 "metrics.csv").read_text()


@pytest.mark.parametrize("name", ["../../etc/passwd", "..", "/abs/path/clip.mp4",
                                  "clip<script>.mp4", "C:\\\\Users\\\\x\\\\ride.mov", "", ".hidden.mp4",
                                  "a" * 500 + ".mp4"])
def test_upload_names_are_sanitised(name):
    from posecheck.ui import safe_filename

    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\\\" not in safe and not safe.startswith(".")
    assert len(safe) <= 120 and set(safe) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def test_analysis_folders_stay_under_the_data_root(tmp_path, monkeypatch):
    from posecheck.ui import analysis_dir, data_root

    monkeypatch.setenv("POSECHECK_DATA", str(tmp_path / "data"))
    clip = tmp_path / "..evil..name.mp4"
    clip.write_bytes(b"x" * 100)
    d = analysis_dir(clip).resolve()
    assert d.is_relative_to((data_root() / "analyses").resolve())


def test_upload_limit_matches_the_server_config():
    import re

    config = (ROOT / ".streamlit" / "config.toml").read_text()
    limit = int(re.search(r"maxUploadSize\s*=\s*(\d+)", config).group(1))
    app = (ROOT / "app.py").read_text()
    assert limit >= 2048  # at least 2 GB
    assert f"MAX_UPLOAD_MB = {limit}" in app


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
