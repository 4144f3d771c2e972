"""Where live frames come from, and the one-frame slot between a source and the model.

A source runs in its own thread and puts each frame it gets into a :class:`LatestFrame`: a
frame the model has not taken yet is replaced by the newer one (and counted as dropped), so
the model always works on the newest picture and never falls behind a queue.

Sources: a camera index (``0``), a stream URL (``rtsp://``, ``http://``: phone IP-camera
apps, MJPEG) through OpenCV, or a video file played at its real frame rate (PyAV, for demos
and tests). The browser's camera reaches :class:`posecheck.live.session.LiveSession` through
streamlit-webrtc instead (``posecheck.ui.views.live``), which does its own dropping.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class SourceError(ValueError):
    """A live source that cannot be opened or read; the message names it."""


@dataclass
class LiveFrame:
    image: np.ndarray  # upright BGR
    t_s: float  # time in the session: a file's own clock, or seconds since the start
    arrived: float  # time.perf_counter() when the source delivered it


class LatestFrame:
    """A slot holding the newest frame not yet taken. Never a queue: ``put`` replaces a
    waiting frame and counts it in ``dropped``."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: LiveFrame | None = None
        self.received = 0
        self.dropped = 0
        self.closed = False
        self.error: str | None = None

    def put(self, frame: LiveFrame) -> None:
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self.received += 1
            self._cond.notify()

    def take(self, timeout: float = 1.0) -> LiveFrame | None:
        """The newest frame (waiting up to ``timeout`` s for one); None when none came or the
        source has ended."""
        with self._cond:
            if self._frame is None and not self.closed:
                self._cond.wait(timeout)
            frame, self._frame = self._frame, None
            return frame

    def close(self, error: str | None = None) -> None:
        with self._cond:
            self.closed = True
            self.error = self.error or error
            self._cond.notify_all()

    @property
    def finished(self) -> bool:
        """The source has ended and its last frame has been taken."""
        with self._cond:
            return self.closed and self._frame is None


def describe(spec: str) -> str:
    return f"camera {spec}" if spec.isdigit() else spec


class Source:
    """A frame source feeding a :class:`LatestFrame` from a background thread."""

    def __init__(self, spec: str, realtime: bool = True):
        self.spec = spec
        self.realtime = realtime
        self.slot = LatestFrame()
        self.fps: float | None = None  # the source's own rate, when it says
        self.size_wh: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reader = self._open()

    def _open(self):
        path = Path(self.spec)
        if not self.spec.isdigit() and "://" not in self.spec:
            if not path.exists():
                raise SourceError(f"{self.spec}: no such file, camera index or stream URL")
            from posecheck.video import VideoError, probe

            try:
                info = probe(path)
            except VideoError as exc:
                raise SourceError(str(exc)) from None
            self.fps, self.size_wh = info.fps, info.size_wh
            return self._file_frames(path)
        import cv2

        cap = cv2.VideoCapture(int(self.spec) if self.spec.isdigit() else self.spec)
        if not cap.isOpened():
            raise SourceError(
                f"{describe(self.spec)}: could not be opened (no such camera, the camera is in "
                "use, or the stream URL does not answer)"
            )
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and fps > 0 else None
        return self._capture_frames(cap)

    def _file_frames(self, path: Path):
        from posecheck.video import iter_frames

        t0 = time.perf_counter()
        for fr in iter_frames(path):
            if self._stop.is_set():
                return
            if self.realtime:  # the clip's own clock: a frame is not "seen" before its time
                wait = t0 + fr.t_s - time.perf_counter()
                if wait > 0:
                    self._stop.wait(wait)
            yield LiveFrame(fr.image, fr.t_s, time.perf_counter())

    def _capture_frames(self, cap):
        t0 = time.perf_counter()
        misses = 0
        try:
            while not self._stop.is_set():
                ok, img = cap.read()
                now = time.perf_counter()
                if not ok:
                    misses += 1
                    if misses > 50:  # a camera unplugged or a stream that stopped
                        raise SourceError(f"{describe(self.spec)}: stopped sending frames")
                    time.sleep(0.02)
                    continue
                misses = 0
                yield LiveFrame(img, now - t0, now)
        finally:
            cap.release()

    def start(self) -> LatestFrame:
        """Start reading (once; later calls return the same slot)."""
        if self._thread is not None:
            return self.slot

        def run() -> None:
            try:
                for frame in self._reader:
                    self.slot.put(frame)
                    if self._stop.is_set():
                        break
                self.slot.close()
            except SourceError as exc:
                self.slot.close(str(exc))
            except Exception as exc:  # reported to the loop, which ends the session cleanly
                self.slot.close(f"{describe(self.spec)}: {exc}")

        self._thread = threading.Thread(target=run, daemon=True, name="posecheck-live-source")
        self._thread.start()
        return self.slot

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
