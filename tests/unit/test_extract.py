"""Chunked extraction: cache reuse, resume after an interruption, workers, windows."""

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
    _, st3 = extract_track(
        info,
        tmp_path,
        ExtractSettings("stamp", chunk_s=1.0, stride=2),
        lambda: FrameStamp(calls=calls),
    )
    assert st3["cached"] is False and len(calls) == 90 + 45


def test_shared_pose_cache_serves_another_analysis_folder(tmp_path, clip):
    """A clip analysed once into one folder is not run through the model again for another
    folder sharing the cache; a corrupt cache file is ignored, never fatal; other settings
    miss the cache."""
    info = probe(clip)
    s = ExtractSettings("stamp", chunk_s=1.0)
    cache, calls = tmp_path / "cache", []
    t1, st1 = extract_track(
        info, tmp_path / "a", s, lambda: FrameStamp(calls=calls), shared_cache=cache
    )
    assert st1["cached"] is False and len(calls) == 90 and len(list(cache.glob("*.npz"))) == 1
    t2, st2 = extract_track(
        info, tmp_path / "b", s, lambda: FrameStamp(calls=calls), shared_cache=cache
    )
    assert st2["cached"] is True and len(calls) == 90
    np.testing.assert_array_equal(t1.xy_px, t2.xy_px)
    assert (tmp_path / "b" / "keypoints.npz").exists()  # the folder has its own copy
    next(cache.glob("*.npz")).write_bytes(b"not a pose track")
    _, st3 = extract_track(
        info, tmp_path / "c", s, lambda: FrameStamp(calls=calls), shared_cache=cache
    )
    assert st3["cached"] is False and len(calls) == 180
    _, st4 = extract_track(
        info,
        tmp_path / "d",
        ExtractSettings("stamp", chunk_s=1.0, stride=3),
        lambda: FrameStamp(calls=calls),
        shared_cache=cache,
    )
    assert st4["cached"] is False and len(calls) == 210


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
    two, _ = extract_track(
        probe(clip), tmp_path / "two", ExtractSettings("stamp", chunk_s=1.0), make_stamp, workers=2
    )
    assert len(two) == 90 and sys.modules["__main__"] is fake


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_reports_every_frame(tmp_path, clip, workers):
    seen = []
    _, st = extract_track(
        probe(clip),
        tmp_path,
        ExtractSettings("stamp", chunk_s=0.5),
        make_stamp,
        workers=workers,
        progress=lambda done, total, fps: seen.append((done, total)),
    )
    assert st["frames_processed"] == 90  # every frame counted once (with workers: every chunk)
    assert seen[-1] == (90, 90)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    if workers == 1:  # every fifth frame (with workers, as their chunks are saved)
        assert [d for d, _ in seen] == list(range(5, 91, 5)) + [90]


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


class PixelStamp(FrameStamp):
    """Landmarks carry the mean of each colour channel of the frame it was given (and the
    frames since the last reset): equal tracks mean the same decoded pixels."""

    def process(self, image_bgr, frame_index=None):
        r = super().process(image_bgr, frame_index)
        xy = r.xy_px.copy()
        xy[:3, 0] = image_bgr.reshape(-1, 3).mean(axis=0)
        return PoseResult(xy, r.world_m, r.visibility)


@pytest.mark.parametrize("stride", [1, 2])
def test_adjacent_spans_decoded_in_one_pass_match_each_span_alone(tmp_path, stride):
    """One pass over adjacent chunks (no seek) and over windows with gaps between them (the
    decoder seeks ahead) gives the very frames, times and tracking restarts that seeking to
    each chunk's start gives; bounds fall between keyframes (every 40 frames) and off the
    stride."""
    from posecheck.extract import extract_spans

    clip = make_test_clip(
        tmp_path / "gop40.mp4",
        rate="30",
        seconds=4,
        extra=("-c:v", "libx264", "-g", "40", "-bf", "2"),
    )
    spans = [(0, 25), (25, 51), (51, 52), (70, 97), (97, 110), (113, 120)]
    joint = list(extract_spans(clip, spans, PixelStamp(), stride))
    assert [j for j, _ in joint] == list(range(len(spans)))
    for (_j, part), span in zip(joint, spans):
        ((k, alone),) = extract_spans(clip, [span], PixelStamp(), stride)
        frames = [f for f in range(*span) if f % stride == 0]
        np.testing.assert_array_equal(part.frame, frames)
        np.testing.assert_array_equal(part.t_s, alone.t_s)
        np.testing.assert_array_equal(part.xy_px, alone.xy_px)
        # tracking restarted at the span's first frame
        np.testing.assert_array_equal(part.xy_px[:, 0, 1], np.arange(1, len(frames) + 1))
    # the stamps differ from frame to frame, so equal tracks are not a coincidence
    means = np.concatenate([p.xy_px[:, 0, 0] for _, p in joint])
    assert len(np.unique(means)) > 0.9 * len(means)


def test_spans_past_the_end_of_the_clip_come_back_empty(tmp_path, clip):
    from posecheck.extract import extract_spans

    got = list(extract_spans(clip, [(60, 95), (95, 120), (200, 230)], FrameStamp()))
    assert [j for j, _ in got] == [0, 1, 2]
    np.testing.assert_array_equal(got[0][1].frame, np.arange(60, 90))  # the clip has 90
    assert len(got[1][1]) == 0 and len(got[2][1]) == 0


def test_parallel_tasks_are_equal_shares_of_consecutive_chunks():
    from posecheck.extract import MAX_CHUNKS_PER_TASK, parallel_tasks

    todo = [i for i in range(40) if i not in (3, 4)]  # chunks 3 and 4 already saved
    tasks = parallel_tasks(todo, workers=2)
    assert [i for t in tasks for i in t] == todo
    assert all(len(t) <= MAX_CHUNKS_PER_TASK for t in tasks)
    assert len(tasks) % 2 == 0 and max(map(len, tasks)) - min(map(len, tasks)) <= 1
    # nearly equal shares: the two workers finish together
    assert parallel_tasks(list(range(6)), workers=2) == [[0, 1, 2], [3, 4, 5]]
    assert [len(t) for t in parallel_tasks(list(range(13)), workers=2)] == [4, 3, 3, 3]
    assert parallel_tasks([0, 1], workers=4) == [[0], [1]]


def test_long_mode_windows_are_shared_out_in_shrinking_tasks():
    """Windows apart from each other (each its own seek) go out in tasks that shrink as the
    work runs out, so the workers end within about a window of each other. In equal shares
    of whole windows, the 90-minute bench ride's 22 windows (and its last 2 frames, a chunk
    of their own) made tasks of 6, 6, 6 and 5 windows: one worker ran alone for a whole
    window at the end (21.6 s, logged in the workers)."""
    from posecheck.extract import MAX_CHUNKS_PER_TASK, parallel_tasks

    # the bench ride's chunks at 30 fps: the baseline's windows a minute apart from 1:00,
    # then one every 5 minutes from 10:00, the last 10 s, and the ride's 2 frames after it
    spans = [(1800 * k, 1800 * k + 300) for k in range(1, 6)]
    spans += [(9000 * k, 9000 * k + 300) for k in range(2, 18)]
    spans += [(161700, 162000), (162000, 162002)]
    todo = list(range(len(spans)))
    tasks = parallel_tasks(todo, workers=2, spans=spans)
    assert [i for t in tasks for i in t] == todo  # each once, in order
    sizes = [len(t) for t in tasks]
    assert max(sizes) <= MAX_CHUNKS_PER_TASK and sizes == sorted(sizes, reverse=True)
    assert sizes[-2:] == [1, 1]  # the last ones a single chunk each

    def finish(tasks):  # workers take the next task as they become free (the pool's queue)
        free = [0.0, 0.0]
        for t in tasks:
            k = free.index(min(free))
            free[k] += sum(spans[i][1] - spans[i][0] for i in t) / 300  # windows of work
        return sorted(free)

    guided, equal = finish(tasks), finish(parallel_tasks(todo, workers=2))
    print(f"\nworkers end (in windows of work): guided {guided}, equal shares {equal}")
    assert guided[1] - guided[0] < 0.5 and equal[1] - equal[0] >= 1.0
    # adjacent chunks (full mode) keep their equal shares of consecutive chunks
    adjacent = [(k * 300, (k + 1) * 300) for k in range(22)]
    assert parallel_tasks(list(range(22)), 2, adjacent) == parallel_tasks(list(range(22)), 2)


def test_cache_key_changes_with_the_decoder(monkeypatch, tmp_path):
    """Landmarks cached with another decoder (slightly different pixels) are not reused."""
    import posecheck.extract as ex

    info = probe(make_test_clip(tmp_path / "c.mp4", seconds=0.5))
    settings = ex.ExtractSettings("est")
    before = ex.cache_key(info, settings)
    assert ex.cache_key(info, settings) == before
    monkeypatch.setattr(ex, "DECODER", "another-decoder")
    assert ex.cache_key(info, settings) != before
