"""Video probing and frame iteration with true timestamps, strides and time windows.

Decoding uses FFmpeg through PyAV. Frames come out upright: rotation metadata (phones in
portrait) is applied, and ``VideoInfo`` reports the displayed (rotated) size.

A :class:`Frame` converts its decoded picture only when asked, and can give the pose model
its downscaled RGB input straight from the YUV planes (:meth:`Frame.rgb`): converting the
whole 1080p picture to BGR and then shrinking it cost 4 ms of CPU per frame, about an eighth
of the model's own time (measured 2026-11-23).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from pathlib import Path

import av
import cv2
import numpy as np

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v")

#: names the decoding and the conversion to the model's input; part of the pose cache key
DECODER = f"pyav-{av.__version__}-planes-1"

#: turns that make a picture upright, by its display rotation (counter-clockwise degrees)
_UPRIGHT = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


class VideoError(ValueError):
    """A video that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class VideoInfo:
    path: str
    fps: float
    n_frames: int
    width: int  # displayed width, after rotation
    height: int
    # display rotation, counter-clockwise degrees (ffprobe's and ffmpeg -display_rotation's)
    rotation_deg: int
    duration_s: float

    @property
    def size_wh(self) -> tuple[int, int]:
        return self.width, self.height


class Frame:
    """One decoded frame: ``index`` (frame number in the file, from 0), ``t_s`` (presentation
    time in seconds), ``image`` (BGR, upright, converted on first use), ``size_wh`` (upright
    size) and :meth:`rgb` (upright RGB at most ``max_side`` pixels, for the model)."""

    def __init__(self, index: int, t_s: float, picture: av.VideoFrame):
        self.index = index
        self.t_s = t_s
        self._pic = picture

    @property
    def rotation_deg(self) -> int:
        return _rotation(self._pic)

    @property
    def size_wh(self) -> tuple[int, int]:
        w, h = self._pic.width, self._pic.height
        return (h, w) if self.rotation_deg in (90, 270) else (w, h)

    @cached_property
    def image(self) -> np.ndarray:
        return _upright(
            _convert(self._pic, None, cv2.COLOR_YUV2BGR_I420, "bgr24"), self.rotation_deg
        )

    def rgb(self, max_side: int) -> np.ndarray:
        """Upright RGB, downscaled (area average) so that neither side exceeds ``max_side``."""
        size = fit_within(self._pic.width, self._pic.height, max_side)
        return _upright(
            _convert(self._pic, size, cv2.COLOR_YUV2RGB_I420, "rgb24"), self.rotation_deg
        )


def fit_within(w: int, h: int, max_side: int) -> tuple[int, int] | None:
    """The size (w, h) that brings the longer side down to ``max_side``; None when it already
    fits."""
    scale = max_side / max(w, h)
    return None if scale >= 1.0 else (round(w * scale), round(h * scale))


def _rotation(pic: av.VideoFrame) -> int:
    return int(round(pic.rotation)) % 360


def _upright(img: np.ndarray, rotation: int) -> np.ndarray:
    return cv2.rotate(img, _UPRIGHT[rotation]) if rotation in _UPRIGHT else img


def _plane(pic: av.VideoFrame, i: int, w: int, h: int) -> np.ndarray:
    p = pic.planes[i]
    return np.frombuffer(memoryview(p), np.uint8).reshape(-1, p.line_size)[:h, :w]


def _convert(pic: av.VideoFrame, size: tuple[int, int] | None, code: int, fmt: str) -> np.ndarray:
    """The picture as 8-bit BGR or RGB (``code``/``fmt``), at ``size`` (w, h) or its own.

    8-bit 4:2:0 video in the usual limited range (almost every camera and phone) is resized
    plane by plane and converted by OpenCV (ITU-R BT.601, as OpenCV's own video reader);
    anything else goes through FFmpeg's scaler.
    """
    w, h = pic.width, pic.height
    tw, th = size or (w, h)
    if (
        pic.format.name == "yuv420p"
        and pic.color_range != 2
        and w % 2 == 0
        and h % 2 == 0
        and tw % 2 == 0
        and th % 2 == 0
    ):
        if size is None:  # the planes one under the other, as OpenCV's I420 expects
            return cv2.cvtColor(pic.to_ndarray(), code)
        y, u, v = (
            _plane(pic, 0, w, h),
            _plane(pic, 1, w // 2, h // 2),
            _plane(pic, 2, w // 2, h // 2),
        )
        i420 = np.empty((th * 3 // 2, tw), np.uint8)
        flat = i420.reshape(-1)
        n, q = tw * th, tw * th // 4
        cv2.resize(y, (tw, th), dst=i420[:th], interpolation=cv2.INTER_AREA)
        flat[n : n + q] = cv2.resize(u, (tw // 2, th // 2), interpolation=cv2.INTER_AREA).ravel()
        flat[n + q :] = cv2.resize(v, (tw // 2, th // 2), interpolation=cv2.INTER_AREA).ravel()
        return cv2.cvtColor(i420, code)
    if size is None:
        return pic.to_ndarray(format=fmt)
    return pic.reformat(width=tw, height=th, format=fmt, interpolation="AREA").to_ndarray()


def _open(path: Path) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise VideoError(f"{path}: not a readable video ({_reason(exc)})") from None
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path}: not a readable video (no decodable video stream)")
    stream = container.streams.video[0]
    # One decoding thread: frames are decoded in a thread of their own beside the pose model
    # (see extract.prefetch), and FFmpeg's extra frame threads only contend with the model for
    # the cores (measured: same speed with one worker, ~3% faster with two on 2 cores).
    stream.codec_context.thread_count = 1
    return container, stream


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _fps(stream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return float(rate)
    return float("nan")


def _pictures(container, stream, path: Path) -> Iterator[av.VideoFrame]:
    """Decoded pictures in presentation order. A damaged stretch ends the decoding there, as
    a player would stop (frames after it would be concealment guesswork); the caller sees
    fewer frames than expected and says so."""
    try:
        for packet in container.demux(stream):
            yield from packet.decode()
    except av.FFmpegError as exc:
        log.warning("%s: decoding stopped (%s)", path, _reason(exc))


def probe(path: str | Path) -> VideoInfo:
    """Read a video's fps (float), frame count, displayed size, rotation and duration.

    Raises :class:`VideoError` for a missing, empty or undecodable file, or one with no
    decodable frame.
    """
    path = Path(path)
    if not path.exists():
        raise VideoError(f"{path}: file not found")
    if path.is_dir():
        raise VideoError(f"{path}: is a folder, not a video file")
    if path.stat().st_size == 0:
        raise VideoError(f"{path}: file is empty (0 bytes)")
    container, stream = _open(path)
    try:
        if container.format.name.endswith("_pipe") or container.format.name == "image2":
            raise VideoError(f"{path}: is a still image, not a video")
        fps = _fps(stream)
        first = next(_pictures(container, stream, path), None)
        if first is None:
            raise VideoError(
                f"{path}: not a readable video (no decodable video frame: corrupt, "
                "truncated or audio only)"
            )
        n = stream.frames
        if not n:  # no frame count in the header: from the duration, as OpenCV and ffprobe do
            dur = (
                container.duration / av.time_base
                if container.duration
                else float(stream.duration * stream.time_base)
                if stream.duration and stream.time_base
                else 0.0
            )
            n = int(np.floor(dur * fps + 0.5)) if np.isfinite(fps) else 0
        rotation = _rotation(first)
        w, h = first.width, first.height
    finally:
        container.close()
    if not np.isfinite(fps) or fps <= 0 or fps > 1000:
        raise VideoError(
            f"{path}: frame rate unknown ({fps}); re-encode the clip with a fixed rate"
        )
    if rotation in (90, 270):
        w, h = h, w
    n = max(n, 1)
    return VideoInfo(str(path), fps, n, w, h, rotation, n / fps)


def iter_frames(
    path: str | Path,
    stride: int = 1,
    windows_s: Sequence[tuple[float, float]] | None = None,
    start_frame: int = 0,
    stop_frame: int | None = None,
) -> Iterator[Frame]:
    """Yield upright frames with their presentation timestamps.

    ``stride`` keeps every n-th frame (by frame number); ``windows_s`` keeps only frames whose
    time falls in one of the [start, end) windows, seeking to each window start rather than
    decoding the gap; ``start_frame``/``stop_frame`` bound the frame numbers.
    Frame numbers count decoded frames from the start of the clip; after a seek they come
    from the landing frame's timestamp (exact for a constant frame rate).
    """
    if stride < 1:
        raise ValueError("stride must be >= 1")
    path = Path(path)
    info = probe(path)
    container, stream = _open(path)
    try:
        reader = _Reader(container, stream, info.fps, path)
        if start_frame > 0:
            reader.seek(start_frame)
        windows = sorted(windows_s) if windows_s else [(0.0, float("inf"))]
        for w_start, w_end in windows:
            first = max(start_frame, int(np.ceil(w_start * info.fps - 1e-6)))
            if first - reader.next_index > info.fps * 2:
                reader.seek(first)  # far ahead: seek instead of decoding the gap
            while True:
                if stop_frame is not None and reader.next_index >= stop_frame:
                    return
                item = reader.read()
                if item is None:
                    return
                index, t_s, pic = item
                if index < first:
                    continue
                if t_s >= w_end:
                    break
                if index % stride == 0 and t_s >= w_start:
                    yield Frame(index, t_s, pic)
    finally:
        container.close()


class _Reader:
    """Sequential decoding with frame numbers, and seeking by frame number."""

    def __init__(self, container, stream, fps: float, path: Path):
        self.container, self.stream, self.fps, self.path = container, stream, fps, path
        self.start = stream.start_time or 0
        self.tb = stream.time_base or Fraction(1, 1)
        self.next_index = 0  # frame number of the next picture
        self._pics = _pictures(container, stream, path)
        self._pending: av.VideoFrame | None = None

    def _t(self, pic: av.VideoFrame, index: int) -> float:
        if pic.pts is None:
            return index / self.fps
        return float((pic.pts - self.start) * self.tb)

    def seek(self, frame: int) -> None:
        """Position so that the next :meth:`read` returns ``frame`` (or the first frame after
        it that exists): seek to the keyframe at or before it, then decode up to it."""
        target = self.start + int(np.floor(frame / self.fps / self.tb))
        try:
            self.container.seek(target, stream=self.stream, backward=True)
        except av.FFmpegError as exc:
            log.warning("%s: seek to frame %d failed (%s)", self.path, frame, _reason(exc))
        self._pics = _pictures(self.container, self.stream, self.path)
        self._pending = None
        while True:
            pic = next(self._pics, None)
            if pic is None:
                self.next_index = frame
                return
            index = int(round(self._t(pic, 0) * self.fps))
            if index >= frame:
                if index != frame:
                    log.warning("seek to frame %d landed on %d", frame, index)
                self._pending, self.next_index = pic, index
                return

    def read(self) -> tuple[int, float, av.VideoFrame] | None:
        pic: av.VideoFrame | None
        if self._pending is not None:
            pic, self._pending = self._pending, None
        else:
            pic = next(self._pics, None)
            if pic is None:
                return None
        index = self.next_index
        self.next_index = index + 1
        return index, self._t(pic, index), pic


def keyframe_times(path: str | Path) -> np.ndarray:
    """Presentation times (seconds from the stream's start, sorted) of the video's keyframes,
    without decoding a picture. Empty when the container cannot be read this way.

    MP4/MOV (what phones write) carry an index of their samples: it is read at once, where
    going through every packet reads the whole file (about 11 GB for a 90-minute 1080p phone
    ride). The index holds decoding times; a keyframe is shown a fixed reorder delay later
    (B-frames), taken from the first keyframe's packet. Containers without an index are read
    packet by packet."""
    try:
        container, stream = _open(Path(path))
    except VideoError:
        return np.zeros(0)
    try:
        start = stream.start_time or 0
        tb = stream.time_base or Fraction(1, 1)
        indexed = _indexed_keyframes(container, stream)
        if indexed is not None:
            times = [float((t - start) * tb) for t in indexed]
        else:
            times = [
                float((p.pts - start) * tb)
                for p in container.demux(stream)
                if p.is_keyframe and p.pts is not None
            ]
    except av.FFmpegError:
        times = []
    finally:
        container.close()
    return np.unique(np.array(times, float))


def _indexed_keyframes(container, stream) -> list[int] | None:
    """Keyframe presentation times (in the stream's time base) from the container's index, or
    None when it has none worth trusting (then every packet is read)."""
    try:
        entries = list(stream.index_entries)
    except (AttributeError, av.FFmpegError):  # older PyAV, or no index
        return None
    dts = [e.timestamp for e in entries if e.is_keyframe]
    if len(dts) < 2 or len(entries) < (stream.frames or 0):
        return None  # no index, or a partial one (some demuxers index keyframes as they go)
    first = next((p for p in container.demux(stream) if p.is_keyframe and p.pts is not None), None)
    if first is None:
        return []  # indexed keyframes without a timestamped keyframe packet: none to trust
    # the reorder delay: decoding time to presentation time (none known: the index's times,
    # a few frames early at worst, which only costs a window some decoding)
    delay = first.pts - first.dts if first.dts is not None else 0
    return [int(t + delay) for t in dts]


def video_creation_time(path: str | Path) -> dt.datetime | None:
    """The container's creation time (phones write it), as UTC; None when absent."""
    try:
        with av.open(str(path)) as c:
            meta = dict(c.metadata)
            for s in c.streams:
                meta = {**dict(s.metadata), **meta}
    except (av.error.FFmpegError, OSError):
        return None
    text = meta.get("creation_time") or meta.get("com.apple.quicktime.creationdate")
    if not text:
        return None
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)
