"""The live session on disk, written as it runs, so that a crash or a closed tab loses at
most the chunk being filled and the video's unfinished fragment (one keyframe interval,
:data:`KEYFRAME_EVERY` frames): the keypoints are kept up to the frames the video holds.

``OUTDIR/``
- ``session.mp4``: the analysed frames, H.264 in fragmented MP4 (a fragment per keyframe,
  every two seconds): readable up to the last fragment even when the writer was killed.
  Only the frames the model analysed are kept (at their own times), so the video and the
  keypoints correspond one to one and the after-ride analysis needs no second pose pass.
- ``.chunks/live/NNNNN.npz``: the keypoints, one :class:`~posecheck.track.PoseTrack` per
  ``chunk_s`` seconds, the format :mod:`posecheck.extract` writes.
- ``cues.csv``: ``time_s,metric,message``, one row per cue, flushed as it is given.
- ``live.json``: the session's settings and state (``recording``, then ``finished``).

:func:`finish` (or :func:`recover` after a crash) joins the chunks into ``keypoints.npz``
and runs the ordinary after-ride analysis on them (:func:`posecheck.pipeline.analyze` with
the recorded track).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np

from posecheck.extract import TrackCollector
from posecheck.pose import PoseResult
from posecheck.track import PoseTrack

log = logging.getLogger(__name__)

VIDEO, CUES, STATE = "session.mp4", "cues.csv", "live.json"
CHUNKS = Path(".chunks") / "live"
#: the recorded video's keyframe interval, in nominal seconds: a fragment is written at each
#: keyframe, so up to ``KEYFRAME_EVERY * fps`` recorded frames are not yet on disk
KEYFRAME_EVERY = 2.0


class SessionRecorder:
    def __init__(
        self,
        outdir: str | Path,
        size_wh: tuple[int, int],
        fps: float,
        meta: dict,
        chunk_s: float = 10.0,
        with_outline: bool = True,
    ):
        import av

        self.outdir = Path(outdir)
        (self.outdir / CHUNKS).mkdir(parents=True, exist_ok=True)
        self.chunk_s = chunk_s
        self.with_outline = with_outline
        self.meta = meta
        w, h = (size_wh[0] // 2) * 2, (size_wh[1] // 2) * 2  # H.264 wants even sizes
        self.size_wh = (w, h)
        self._container = av.open(
            str(self.outdir / VIDEO),
            "w",
            options={"movflags": "frag_keyframe+empty_moov+default_base_moof"},
        )
        self._stream = self._container.add_stream(
            "libx264",
            rate=max(1, int(round(fps))),
            options={
                "preset": "ultrafast",
                "crf": "23",
                "g": str(max(2, int(round(KEYFRAME_EVERY * fps)))),
            },
        )
        self._stream.width, self._stream.height = w, h
        self._stream.pix_fmt = "yuv420p"
        from fractions import Fraction

        # frames keep their own arrival times in milliseconds, in the codec too: with the
        # codec's default time base (1/rate) two frames arriving within one tick (a jittery
        # WebRTC stream) got the same timestamp and the muxer refused the second (EINVAL)
        self._stream.time_base = Fraction(1, 1000)
        self._stream.codec_context.time_base = Fraction(1, 1000)
        self._codec_tb = Fraction(1, 1000)
        self._last_pts = -1
        self._n = 0
        self._chunk = 0
        self._acc = TrackCollector(with_outline)
        self._chunk_start: float | None = None
        with open(self.outdir / CUES, "w", newline="") as fh:
            csv.writer(fh).writerow(["time_s", "metric", "message"])
        self._write_state("recording")

    def _write_state(self, state: str, **extra) -> None:
        tmp = self.outdir / (STATE + ".tmp")
        tmp.write_text(json.dumps({"state": state, **self.meta, **extra}, indent=1))
        os.replace(tmp, self.outdir / STATE)

    def add(
        self, image_bgr: np.ndarray, t_s: float, r: PoseResult, outline: np.ndarray | None
    ) -> None:
        import av

        w, h = self.size_wh
        img = image_bgr if image_bgr.shape[1::-1] == (w, h) else _fit(image_bgr, w, h)
        pts = max(int(round(t_s * 1000)), self._last_pts + 1)
        self._last_pts = pts
        frame = av.VideoFrame.from_ndarray(img, format="bgr24")
        frame.pts, frame.time_base = pts, self._codec_tb
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        if self._chunk_start is None:
            self._chunk_start = t_s
        elif t_s - self._chunk_start >= self.chunk_s:
            self._flush_chunk()
            self._chunk_start = t_s
        self._acc.add(self._n, pts / 1000, r, w, outline)
        self._n += 1

    def _flush_chunk(self) -> None:
        if not self._acc.frames:
            return
        self._acc.track().save(self.outdir / CHUNKS / f"{self._chunk:05d}.npz")
        self._chunk += 1
        self._acc = TrackCollector(self.with_outline)

    def cue(self, time_s: float, metric: str, message: str) -> None:
        with open(self.outdir / CUES, "a", newline="") as fh:
            csv.writer(fh).writerow([f"{time_s:.1f}", metric, message])
            fh.flush()
            os.fsync(fh.fileno())

    @property
    def frames(self) -> int:
        return self._n

    def close(self, stats: dict | None = None) -> None:
        """Flush the video and the last chunk; the session is then ``finished`` on disk."""
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()
        self._flush_chunk()
        self._write_state("finished", **(stats or {}))


def _fit(img: np.ndarray, w: int, h: int) -> np.ndarray:
    import cv2

    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)


def is_session(folder: str | Path) -> bool:
    return (Path(folder) / STATE).exists() and (Path(folder) / VIDEO).exists()


def recorded_track(folder: str | Path) -> PoseTrack:
    """The recorded keypoints, cut to the frames the video still holds (after a crash the
    last fragment or the last chunk may be missing)."""
    from posecheck.video import iter_frames

    folder = Path(folder)
    parts = sorted((folder / CHUNKS).glob("*.npz"))
    if not parts and (folder / "keypoints.npz").exists():
        track = PoseTrack.load(folder / "keypoints.npz")
    else:
        loaded = []
        for p in parts:
            try:
                loaded.append(PoseTrack.load(p))
            except (OSError, ValueError, KeyError) as exc:  # half-written by a crash: left out
                log.warning("%s: left out (%s)", p, exc)
        track = PoseTrack.concat(loaded)
    n_video = sum(1 for _ in iter_frames(folder / VIDEO))
    return track.take(track.frame < n_video)


def finish(folder: str | Path, profile: dict | None = None, **analyze_kw):
    """The after-ride analysis of a session folder, from its recorded keypoints (no second
    pose pass): an :class:`posecheck.pipeline.Analysis` written into the same folder."""
    from posecheck.extract import ExtractSettings
    from posecheck.pipeline import analyze

    folder = Path(folder)
    state = json.loads((folder / STATE).read_text())
    track = recorded_track(folder)
    settings = ExtractSettings(estimator=state.get("estimator", ""), segmentation=True)
    track = PoseTrack(
        track.frame,
        track.t_s,
        track.xy_px,
        track.world_m,
        track.visibility,
        {"video": str(folder / VIDEO), "live": True, **asdict(settings)},
        track.outline,
    )
    # the ordinary after-ride settings (scaled to the ride), not the live ones: the same
    # findings as `posecheck analyze session.mp4`
    analysis = analyze(folder / VIDEO, folder, profile=profile, track=track, **analyze_kw)
    shutil.rmtree(folder / ".chunks", ignore_errors=True)
    return analysis
