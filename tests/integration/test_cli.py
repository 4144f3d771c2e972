"""``posecheck analyze`` as a user runs it: a real process, real files, real exit codes."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import SAMPLES, make_test_clip

BASIC = [
    "knee_angle_deg",
    "hip_angle_deg",
    "elbow_angle_deg",
    "shoulder_angle_deg",
    "ankle_angle_deg",
    "back_angle_deg",
    "shrug_ratio",
]


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=900,
    )


@pytest.mark.model
def test_analyze_writes_the_contract_files_and_reuses_the_track(tmp_path, no_pose_cache):
    out = tmp_path / "out"
    r = run_cli("analyze", SAMPLES / "fit_check_side.mp4", "-o", out)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "fps" in r.stderr and "600/600" in r.stderr  # the progress bar
    # stderr is a pipe here, as in a batch log or CI: the bar's state every 10 s and at the
    # end (it once wrote every update twice: 244 states for this 20 s clip)
    states = r.stderr.count("frame/s") + r.stderr.count("s/frame")
    assert 1 <= states <= 12, r.stderr[:2000]
    # and not MediaPipe's native start-up chatter (TFLite, absl warnings): a rider's terminal
    # once showed a dozen such lines per run (posecheck.pose.native_stderr_filtered)
    for chatter in ("XNNPACK", "absl::InitializeLog", "W0000 ", "inference_feedback_manager"):
        assert chatter not in r.stderr, r.stderr[:2000]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["video"]["fps"] == 30.0 and summary["video"]["n_frames"] == 600
    assert summary["view"]["view"] == "side-right" and summary["view"]["near_side"] == "right"
    assert summary["detection_rate"] >= 0.95 and summary["pose_cached"] is False
    m = pd.read_csv(out / "metrics.csv")
    assert list(m.columns[:2]) == ["frame", "time_s"] and set(BASIC) <= set(m.columns)
    assert len(m) == 600 and m["knee_angle_deg"].notna().mean() > 0.95
    assert (out / "keypoints.npz").exists()
    r2 = run_cli("analyze", SAMPLES / "fit_check_side.mp4", "-o", out)
    assert r2.returncode == 0
    assert json.loads((out / "summary.json").read_text())["pose_cached"] is True


def _truncated(tmp_path):
    clip = make_test_clip(tmp_path / "whole.mp4", seconds=2)
    data = clip.read_bytes()
    bad = tmp_path / "truncated.mp4"
    bad.write_bytes(data[: len(data) // 3])
    return bad


def _file(name, data: bytes):
    def make(tmp_path):
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make


@pytest.mark.parametrize(
    "make,problem",
    [
        (lambda p: p / "missing.mp4", "not found"),
        (_file("empty.mp4", b""), "empty"),
        (_file("notes.mp4", b"my ride notes\n" * 100), "not a readable video"),
        (_truncated, "video"),
    ],
)
def test_bad_input_exit_2_with_one_line(tmp_path, make, problem):
    path = make(tmp_path)
    r = run_cli("analyze", path, "-o", tmp_path / "out")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert str(path) in last and problem in last, last


def test_samples_command_rejects_unknown_names(tmp_path):
    r = run_cli("samples", "-o", tmp_path, "nope")
    assert r.returncode == 2 and "unknown scenario" in r.stderr
