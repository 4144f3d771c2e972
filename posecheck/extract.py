"""Video -> PoseTrack, in chunks that are saved as they finish.

The clip is cut into chunks of ``chunk_s`` seconds (by frame number). Each chunk starts the
estimator afresh (tracking re-initialises on its first frame), so a chunk's landmarks do not
depend on which chunks ran before it: an interrupted run resumes at the first missing chunk
and ends with the same track as an uninterrupted one, and chunks can run in any order.
Adjacent chunks are still decoded in one pass (no seek between them), and parallel workers
take runs of adjacent chunks.

Chunks live in ``<outdir>/.chunks/<key>/``; the key hashes the video's content fingerprint and
every setting that changes the result. When all chunks exist they are joined into
``keypoints.npz`` and the chunk folder is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import time
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from posecheck.landmarks import Landmark as L
from posecheck.outline import trunk_profile
from posecheck.pose import PoseEstimator, PoseResult
from posecheck.track import PoseTrack
from posecheck.video import DECODER, VideoInfo, iter_frames

log = logging.getLogger(__name__)

#: progress(frames_done, frames_total, frames_per_second_of_this_run)
Progress = Callable[[int, int, float], None]


@dataclass(frozen=True)
class ExtractSettings:
    estimator: str  # estimator name and version
    stride: int = 1
    windows_s: tuple[tuple[float, float], ...] | None = None  # None = the whole clip
    chunk_s: float = 10.0
    segmentation: bool = False


def video_fingerprint(path: str | Path, block: int = 1 << 20) -> str:
    """Content hash of the first and last MiB plus the size: cheap, and survives renames."""
    path = Path(path)
    size = path.stat().st_size
    h = hashlib.sha1(str(size).encode())
    with open(path, "rb") as fh:
        h.update(fh.read(block))
        if size > block:
            fh.seek(max(size - block, block))
            h.update(fh.read(block))
    return h.hexdigest()


POSE_CACHE_ENV = "POSECHECK_POSE_CACHE"


def shared_pose_cache() -> Path | None:
    """The folder of pose tracks shared by all analyses, from ``POSECHECK_POSE_CACHE``
    (unset: none, each analysis folder keeps only its own)."""
    folder = os.environ.get(POSE_CACHE_ENV)
    return Path(folder) if folder else None


POSE_STORE_ENV = "POSECHECK_POSE_STORE"
#: pose tracks of the sample clips, made with the real model ahead of time (``posecheck
#: samples --poses``): a first analysis of a sample opens without running the model
BUNDLED_POSES = Path(__file__).resolve().parents[1] / "sample_videos" / "poses"


def pose_stores() -> list[Path]:
    """Read-only folders of pose tracks by cache key: ``POSECHECK_POSE_STORE`` (folders
    separated by ``os.pathsep``; set but empty: none), unset: the bundled sample poses."""
    value = os.environ.get(POSE_STORE_ENV)
    if value is None:
        return [BUNDLED_POSES] if BUNDLED_POSES.is_dir() else []
    return [Path(v) for v in value.split(os.pathsep) if v]


def cache_key(info: VideoInfo, settings: ExtractSettings) -> str:
    # the decoder too: another decoder (or conversion) gives slightly different pixels
    payload = json.dumps(
        {"video": video_fingerprint(info.path), "decoder": DECODER, **asdict(settings)},
        sort_keys=True,
        default=list,
    )
    return hashlib.sha1(payload.encode()).hexdigest()[:16]


def plan_chunks(info: VideoInfo, settings: ExtractSettings) -> list[tuple[int, int]]:
    """[start_frame, stop_frame) ranges; windows (long mode) are cut at their own bounds."""
    step = max(1, int(round(settings.chunk_s * info.fps)))
    spans = (
        [(0, info.n_frames)]
        if not settings.windows_s
        else [
            (max(0, int(np.ceil(a * info.fps))), min(info.n_frames, int(np.ceil(b * info.fps))))
            for a, b in settings.windows_s
        ]
    )
    return [
        (s, min(s + step, stop))
        for start, stop in spans
        if stop > start
        for s in range(start, stop, step)
    ]


def contiguous_runs(spans: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Positions of ``spans`` grouped into runs where each span starts where the one before
    it stopped."""
    runs: list[list[int]] = []
    for j, (start, _) in enumerate(spans):
        if runs and spans[runs[-1][-1]][1] == start:
            runs[-1].append(j)
        else:
            runs.append([j])
    return runs


class TrackCollector:
    """Per-frame results of one span (or of one live chunk), stacked into a PoseTrack at the
    end."""

    def __init__(self, with_mask: bool):
        self.with_mask = with_mask
        self.frames: list[int] = []
        self.times: list[float] = []
        self.xys: list[np.ndarray] = []
        self.worlds: list[np.ndarray] = []
        self.vis: list[np.ndarray] = []
        self.outlines: list[np.ndarray] = []

    def add(
        self, index: int, t_s: float, r: PoseResult, width: int, outline: np.ndarray | None = None
    ) -> None:
        """One frame; ``outline``: its trunk outline when the caller has made it already."""
        self.frames.append(index)
        self.times.append(t_s)
        self.xys.append(r.xy_px)
        self.worlds.append(r.world_m)
        self.vis.append(r.visibility)
        if self.with_mask:
            self.outlines.append(trunk_outline(r, width) if outline is None else outline)

    def track(self) -> PoseTrack:
        if not self.frames:
            return PoseTrack.empty()
        return PoseTrack(
            np.array(self.frames),
            np.array(self.times),
            np.array(self.xys),
            np.array(self.worlds),
            np.array(self.vis),
            outline=np.array(self.outlines) if self.with_mask else None,
        )


#: frames decoded ahead of the model: about a second, enough to hide the seek to the next
#: window of a long ride behind the model (1.5 MB each at the model's input size)
PREFETCH_FRAMES = 32


def extract_spans(
    video: str | Path,
    spans: Sequence[tuple[int, int]],
    estimator: PoseEstimator,
    stride: int = 1,
    on_frame: Callable[[], None] | None = None,
) -> Iterator[tuple[int, PoseTrack]]:
    """Landmarks for frame ranges [start, stop) of a clip: yields (position in ``spans``,
    PoseTrack) in order, each as soon as its last frame is done.

    The estimator is reset at each span's first frame, so a span's landmarks do not depend on
    the spans before it. Adjacent spans are decoded in one pass: seeking to a span's start
    would decode again from the keyframe before it (up to a whole keyframe interval, 0.7 s
    for a 10 s interval at 1080p). Where spans are not adjacent (long mode's windows), the
    decoding thread seeks to the next one while the model finishes the current one.
    """
    with_mask = bool(getattr(estimator, "segmentation", False))
    # the estimator's resizing and colour conversion run ahead, in the decoding thread
    prepare = getattr(estimator, "prepare", None) or (lambda frame: frame.image)

    def decoded():  # (position of the frame's span, frame number, time, width, model input)
        for run in contiguous_runs(spans):
            p = 0
            for fr in iter_frames(
                video, stride=stride, start_frame=spans[run[0]][0], stop_frame=spans[run[-1]][1]
            ):
                while fr.index >= spans[run[p]][1]:
                    p += 1
                yield run[p], fr.index, fr.t_s, fr.size_wh[0], prepare(fr)

    items = prefetch(decoded(), depth=PREFETCH_FRAMES)
    try:
        k, acc = 0, TrackCollector(with_mask)
        estimator.reset()
        for j, index, t_s, width, inp in items:
            while k < j:  # this frame starts a later span: the ones before it are done
                yield k, acc.track()
                k, acc = k + 1, TrackCollector(with_mask)
                estimator.reset()
            acc.add(index, t_s, estimator.process(inp, frame_index=index), width)
            if on_frame:
                on_frame()
        for j in range(k, len(spans)):  # the clip ended early: what was read, then nothing
            yield j, acc.track()
            acc = TrackCollector(with_mask)
    finally:
        items.close()


def prefetch(items, depth: int = 8):
    """Iterate ``items`` in a background thread, ``depth`` ahead: video decoding (which
    releases the GIL) overlaps the pose model instead of adding to it. Exceptions reach the
    consumer; stopping early stops the thread."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def run():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("end", done))
        except BaseException as exc:  # handed to the consumer
            q.put(("error", exc))

    t = threading.Thread(target=run, daemon=True, name="posecheck-decode")
    t.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        t.join(timeout=5)


def trunk_outline(r: PoseResult, image_w: int) -> np.ndarray:
    """Trunk outline of one frame, from its mask (at the model's input size); ``image_w`` is
    the width of the frame whose pixels ``r.xy_px`` are in."""
    if r.mask is None or not r.found:
        return trunk_profile(None, np.full(2, np.nan), np.full(2, np.nan))
    k = r.mask.shape[1] / image_w
    hip = (r.xy_px[L.LEFT_HIP] + r.xy_px[L.RIGHT_HIP]) / 2 * k
    sh = (r.xy_px[L.LEFT_SHOULDER] + r.xy_px[L.RIGHT_SHOULDER]) / 2 * k
    return trunk_profile(r.mask, hip, sh)


def extract_track(
    info: VideoInfo,
    outdir: str | Path,
    settings: ExtractSettings,
    make_estimator: Callable[[], PoseEstimator],
    progress: Progress | None = None,
    workers: int = 1,
    estimator: PoseEstimator | None = None,
    shared_cache: Path | None = None,
    stores: Sequence[Path] = (),
) -> tuple[PoseTrack, dict]:
    """Return the clip's PoseTrack, reusing ``keypoints.npz`` or finished chunks when valid.

    ``shared_cache``: a folder of pose tracks by cache key, shared by every analysis folder
    (see :func:`shared_pose_cache`): a clip analysed before into another folder, with the same
    extraction settings, is not run through the model again. A finished track is added to it.
    ``stores``: read-only folders of the same kind, searched after it (:func:`pose_stores`).

    ``make_estimator`` must be picklable (a module-level function or a ``functools.partial``)
    when ``workers`` > 1: each worker process builds its own estimator. With one worker an
    ``estimator`` already built by the caller is used instead of a new one (the caller
    closes it).

    Returns (track, stats) where stats holds ``cached`` (bool), ``frames_processed`` and
    ``seconds`` spent in this call.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    key = cache_key(info, settings)
    final = outdir / "keypoints.npz"
    meta = {"cache_key": key, "video": info.path, "fps": info.fps, **asdict(settings)}
    if final.exists():
        try:
            track = PoseTrack.load(final)
            if track.meta.get("cache_key") == key:
                log.info("reusing %s", final)
                return track, {"cached": True, "frames_processed": 0, "seconds": 0.0}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable %s: %s", final, exc)
    shared = shared_cache / f"{key}.npz" if shared_cache is not None else None
    for known in [shared, *(Path(s) / f"{key}.npz" for s in stores)]:
        if known is None or not known.exists():
            continue
        try:
            track = PoseTrack.load(known)
            if track.meta.get("cache_key") == key:
                log.info("reusing %s", known)
                track = replace(track, meta=meta)  # this analysis' own video path
                track.save(final)
                return track, {"cached": True, "frames_processed": 0, "seconds": 0.0}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable %s: %s", known, exc)
    chunk_dir = outdir / ".chunks" / key
    chunk_dir.mkdir(parents=True, exist_ok=True)
    spans = plan_chunks(info, settings)
    sizes = [
        len(range(-(-a // settings.stride) * settings.stride, b, settings.stride)) for a, b in spans
    ]
    total = max(1, sum(sizes))
    path = [chunk_dir / f"{i:05d}.npz" for i in range(len(spans))]
    done = {i for i in range(len(spans)) if path[i].exists()}
    counter = {"n": sum(sizes[i] for i in done), "new": 0}
    t0 = time.perf_counter()

    def tick_many(n: int) -> None:
        for _ in range(n):
            tick()

    def tick() -> None:
        counter["n"] += 1
        counter["new"] += 1
        if progress and counter["new"] % 5 == 0:
            progress(counter["n"], total, counter["new"] / max(time.perf_counter() - t0, 1e-9))

    todo = [i for i in range(len(spans)) if i not in done]
    if todo and workers > 1 and len(todo) > 1:
        _run_parallel(
            info.path,
            spans,
            todo,
            path,
            make_estimator,
            settings.stride,
            workers,
            sizes,
            tick_many,
        )
    elif todo:
        est = estimator or make_estimator()
        try:
            for j, part in extract_spans(
                info.path, [spans[i] for i in todo], est, settings.stride, tick
            ):
                part.save(path[todo[j]])
        finally:
            if est is not estimator:
                est.close()
    if progress:
        progress(total, total, counter["new"] / max(time.perf_counter() - t0, 1e-9))
    parts = [PoseTrack.load(p) for p in path]
    track = PoseTrack.concat(parts, meta=meta)
    if len(track) == 0:
        track = PoseTrack.empty(meta=meta)
    track.save(final)
    shutil.rmtree(outdir / ".chunks", ignore_errors=True)
    if shared is not None:
        try:
            shared.parent.mkdir(parents=True, exist_ok=True)
            track.save(shared)  # atomic: a reader never sees half a file
        except OSError as exc:  # the cache is a convenience; the analysis has its own copy
            log.warning("could not add %s to the pose cache: %s", final, exc)
    return track, {
        "cached": False,
        "frames_processed": counter["new"],
        "seconds": time.perf_counter() - t0,
    }


_worker_estimator: PoseEstimator | None = None


def _worker_init(make_estimator: Callable[[], PoseEstimator]) -> None:
    global _worker_estimator
    from posecheck.cores import exit_with_parent

    exit_with_parent()
    _worker_estimator = make_estimator()


def _worker_spans(video: str, spans: list[tuple[int, int]], stride: int, paths: list[str]) -> None:
    assert _worker_estimator is not None
    for j, part in extract_spans(video, spans, _worker_estimator, stride):
        part.save(paths[j])


#: the most chunks in one parallel task
MAX_CHUNKS_PER_TASK = 6


def parallel_tasks(
    todo: list[int], workers: int, spans: Sequence[tuple[int, int]] | None = None
) -> list[list[int]]:
    """Chunks to do, cut into tasks of consecutive chunks: a multiple of ``workers`` tasks of
    nearly equal size (the workers finish together), each at most ``MAX_CHUNKS_PER_TASK``
    long. A task decodes adjacent chunks in one pass (see :func:`extract_spans`).

    Where the chunks to do lie apart (``spans`` in at least two separate runs per worker: long
    mode's windows, each its own seek), equal shares of whole windows are not equal work: a
    90-minute ride's four tasks of 6, 6, 6 and 5 windows (and the ride's last 2 frames) left
    one worker alone for its last 21.6 s (per-task times logged in the workers). Those tasks
    shrink instead as the work runs out (guided self-scheduling: each 1/(2 x workers) of
    what is left, a quarter on 2 cores, the last ones a single chunk), so the workers end
    within about a window of each other; the early, larger tasks still let the decoding
    thread seek to a task's next window while the model works."""
    apart = spans is not None and len(contiguous_runs([spans[i] for i in todo])) >= 2 * workers
    if apart:
        tasks, i = [], 0
        while i < len(todo):
            size = min(MAX_CHUNKS_PER_TASK, max(1, -(-(len(todo) - i) // (2 * workers))))
            tasks.append([int(c) for c in todo[i : i + size]])
            i += size
        return tasks
    per_worker = max(1, -(-len(todo) // (workers * MAX_CHUNKS_PER_TASK)))
    groups = np.array_split(np.array(todo, int), min(len(todo), workers * per_worker))
    return [[int(i) for i in g] for g in groups]


def _run_parallel(
    video, spans, todo, path, make_estimator, stride, workers, sizes, tick_many
) -> None:
    """Chunks over a local process pool, one estimator per worker; each chunk is saved as it
    finishes, and progress follows the saved chunks."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = mp.get_context("spawn")  # MediaPipe's graph threads do not survive fork
    with (
        _importable_main(),
        ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_worker_init, initargs=(make_estimator,)
        ) as pool,
    ):
        pending = {
            pool.submit(
                _worker_spans, video, [spans[i] for i in task], stride, [str(path[i]) for i in task]
            )
            for task in parallel_tasks(todo, workers, spans)
        }
        left = list(todo)
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                fut.result()  # a worker's error stops the run here
            saved = {i for i in left if path[i].exists()}
            for i in sorted(saved):
                tick_many(sizes[i])
            left = [i for i in left if i not in saved]


@contextlib.contextmanager
def _importable_main():
    """Spawned workers re-run the parent's ``__main__`` script. Under Streamlit (the app,
    AppTest) that is app.py itself, which must not run in a worker: everything the workers
    need is importable from posecheck, so they get a blank ``__main__`` instead."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main
