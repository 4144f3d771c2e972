"""Chunked extraction: cache reuse, resume after an interruption, workers, windows."""
import functools

import numpy as np
import pytest

from posecheck.extract import ExtractSettings, extract_track, plan_chunks
from posecheck.landmarks import N_LANDMARKS
from posecheck.pose import PoseResult
from posecheck.video import probe
from tests.conftest import make_test_clip


class FrameStamp:
    """Deterministic fake estimator: landmarks encode the frame number and the frames since
    the last reset, so a test can see exactly which frames ran and where tracking restarted."""

    name = "stamp"

    def __init__(self, fail_after: int | None = None, calls: list | None = None):
        self.fail_after = fail_after
        self.calls = calls if calls is not None else []
        self.since_reset = 0

    def reset(self):
        self.since_reset = 0

    def close(self):
        pass

    def process(self, image_bgr, frame_index=None):
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise KeyboardInterrupt("simulated interruption")
        self.calls.append(frame_index)
        self.since_reset += 1
        xy = np.zeros((N_LANDMARKS, 2)) + [frame_index, self.since_reset]
        return PoseResult(xy, np.zeros((N_LANDMARKS, 3)), np.ones(N_LANDMARKS))


def make_stamp():
    return FrameStamp()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_test_clip(tmp_path_factory.mktemp("x") / "clip.mp4", rate="30", seconds=3)


def test_plan_chunks_cover_every_frame_once(clip):
    info = probe(clip)
    spans = plan_chunks(info, ExtractSettings("stamp", chunk_s=1.0))
    assert spans == [(0, 30), (30, 60), (60, 90)]
    spans = plan_chunks(info, ExtractSettings("stamp", chunk_s=1.0, windows_s=((0.5, 1.2),)))
    assert spans == [(15, 36)]


def test_second_run_reuses_keypoints(tmp_path, clip):
    info = probe(clip)
    s = ExtractSettings("stamp", chunk_s=1.0)
    calls = []
    t1, st1 = extract_track(info, tmp_path, s, lambda: FrameStamp(calls=calls))
    assert st1["cached"] is False and len(calls) == 90
    t2, st2 = extract_track(info, tmp_path, s, lambda: FrameStamp(calls=calls))
    assert st2["cached"] is True and len(calls) == 90  # the model did not run again
    np.testing.assert_array_equal(t1.xy_px, t2.xy_px)
    # Changing a setting that alters the result invalidates the cache.
    _, st3 = extract_track(info, tmp_path, ExtractSettings("stamp", chunk_s=1.0, stride=2),
                           lambda: FrameStamp(calls=calls))
    assert st3["cached"] is False and len(calls) == 90 + 45


def test_interrupted_run_resumes_and_matches_uninterrupted(tmp_path, clip):
    info = probe(clip)
    s = ExtractSettings("stamp", chunk_s=1.0)
    ref, _ = extract_track(info, tmp_path / "ref", s, FrameStamp)
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        extract_track(info, out, s, lambda: FrameStamp(fail_after=45))
    assert not (out / "keypoints.npz").exists()  # nothing half-done looks complete
    calls = []
    resumed, st = extract_track(info, out, s, lambda: FrameStamp(calls=calls))
    assert calls[0] == 30 and len(calls) == 60  # chunk 0 was kept, chunks 1-2 ran
    assert st["frames_processed"] == 60
    np.testing.assert_array_equal(resumed.xy_px, ref.xy_px)
    np.testing.assert_array_equal(resumed.frame, np.arange(90))
    # Tracking restarts at each chunk: frames since reset count 1..30 three times.
    np.testing.assert_array_equal(resumed.xy_px[:, 0, 1], np.tile(np.arange(1, 31), 3))
    assert not (out / ".chunks").exists()


def test_two_workers_give_the_same_track(tmp_path, clip):
    info = probe(clip)
    s = ExtractSettings("stamp", chunk_s=1.0)
    one, _ = extract_track(info, tmp_path / "one", s, make_stamp)
    two, _ = extract_track(info, tmp_path / "two", s, make_stamp, workers=2)
    np.testing.assert_array_equal(one.xy_px, two.xy_px)
    np.testing.assert_array_equal(one.t_s, two.t_s)


def test_workers_do_not_rerun_a_streamlit_main_script(tmp_path, clip, monkeypatch):
    """Streamlit (and AppTest) installs app.py as ``__main__``; spawned workers must not run
    it again."""
    import sys
    import types

    script = tmp_path / "app_like.py"
    script.write_text("raise SystemExit('the app script ran inside a pose worker')\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    two, _ = extract_track(probe(clip), tmp_path / "two", ExtractSettings("stamp", chunk_s=1.0),
                           make_stamp, workers=2)
    assert len(two) == 90 and sys.modules["__main__"] is fake


def test_progress_reports_every_frame(tmp_path, clip):
    seen = []
    extract_track(probe(clip), tmp_path, ExtractSettings("stamp", chunk_s=1.0), make_stamp,
                  progress=lambda done, total, fps: seen.append((done, total)))
    assert seen[-1] == (90, 90)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_prefetch_keeps_order_and_passes_errors():
    from posecheck.extract import prefetch

    assert list(prefetch(iter(range(100)), depth=3)) == list(range(100))

    def broken():
        yield 1
        raise ValueError("decoder failed at frame 2")

    got = []
    with pytest.raises(ValueError, match="frame 2"):
        for x in prefetch(broken()):
            got.append(x)
    assert got == [1]
    gen = prefetch(iter(range(10**9)), depth=2)  # stopping early does not hang
    assert next(gen) == 0
    gen.close()
