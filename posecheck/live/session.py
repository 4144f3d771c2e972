"""One live session: each frame through the model, the recorder, the watcher and the
overlay; cues out. The same object serves the CLI loop (:func:`run`) and the browser's
camera (``posecheck.ui.views.live``)."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from posecheck.extract import trunk_outline
from posecheck.live.cues import Cue, CuePolicy
from posecheck.live.overlay import draw
from posecheck.live.record import SessionRecorder, finish
from posecheck.live.watch import LiveSettings, LiveWatcher, WatchState
from posecheck.pose import PoseEstimator, make_mediapipe

log = logging.getLogger(__name__)

#: the long side frames are worked on, recorded and returned at (pixels)
MAX_SIDE_PX = 960
#: a frame narrower than this share of the session's size is a shrunken stream (the model
#: then sees a blurred picture: on a human render a WebRTC stream starved of CPU made a false
#: shrug of it)
SHRUNK_SHARE = 0.8
#: seconds a cue stays on the picture after it is given
CUE_SHOWN_S = 8.0


@dataclass
class Stats:
    received: int = 0
    analysed: int = 0
    dropped: int = 0
    started: float = field(default_factory=time.perf_counter)
    latency_ms: deque = field(default_factory=lambda: deque(maxlen=5000))
    #: False where frames are dropped before they reach the session (streamlit-webrtc drops
    #: them unseen): received and dropped are then unknown, not zero
    counted: bool = True
    #: "WxH" -> frames that arrived at that size (a WebRTC stream shrinks when the sender's
    #: CPU or the network cannot keep up)
    sizes: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        wall = max(time.perf_counter() - self.started, 1e-9)
        lat = np.array(self.latency_ms) if self.latency_ms else np.array([np.nan])
        c = self.counted
        return {
            "frames_received": self.received if c else None,
            "frames_analysed": self.analysed,
            "frames_dropped": self.dropped if c else None,
            "dropped_share": round(self.dropped / max(self.received, 1), 3) if c else None,
            "analysed_fps": round(self.analysed / wall, 2),
            "latency_ms_p50": round(float(np.nanpercentile(lat, 50)), 1),
            "latency_ms_p95": round(float(np.nanpercentile(lat, 95)), 1),
            "input_sizes": dict(self.sizes),
        }


class LiveSession:
    """Feed :meth:`process` frames in time order; :meth:`close` ends the recording and runs
    the after-ride analysis on the recorded keypoints."""

    def __init__(
        self,
        outdir: str | Path,
        size_wh: tuple[int, int],
        fps: float,
        settings: LiveSettings,
        profile: dict | None = None,
        view: str | None = None,
        estimator: PoseEstimator | None = None,
        on_cue: Callable[[Cue], None] | None = None,
        source: str = "",
    ):
        self.outdir = Path(outdir)
        self.settings = settings
        self.profile = profile or {}
        self.estimator = estimator or make_mediapipe(True)
        # frames are worked on at most MAX_SIDE_PX on their long side: the model sees no more
        # (it downscales to 960 px anyway), and recording a 1080p stream would cost the
        # encoder several times the model's own budget
        from posecheck.video import fit_within

        size_wh = fit_within(size_wh[0], size_wh[1], MAX_SIDE_PX) or (size_wh[0], size_wh[1])
        self.size_wh = size_wh
        self.recorder = SessionRecorder(
            self.outdir,
            size_wh,
            fps,
            {
                "source": source,
                "estimator": self.estimator.name,
                "live": {
                    "baseline_s": settings.baseline_s,
                    "sustain_s": settings.sustain_s,
                    "repeat_s": settings.repeat_s,
                },
            },
        )
        self.watcher = LiveWatcher(settings, size_wh, self.profile, view)
        self.policy = CuePolicy(settings.repeat_s)
        self.on_cue = on_cue
        self.cues: list[Cue] = []
        self.stats = Stats()
        self.state = WatchState()
        self._shown: tuple[float, str] | None = None
        self._lock = threading.Lock()  # the browser calls process() from its own thread
        self._closed = False
        self._judging = threading.Event()

    def process(self, image: np.ndarray, t_s: float, arrived: float | None = None) -> np.ndarray:
        """Analyse, record and judge one frame (upright BGR); the frame with its overlay."""
        arrived = time.perf_counter() if arrived is None else arrived
        with self._lock:
            if self._closed:
                return image
            size = f"{image.shape[1]}x{image.shape[0]}"
            self.stats.sizes[size] = self.stats.sizes.get(size, 0) + 1
            small = image.shape[1] < SHRUNK_SHARE * self.size_wh[0]
            if image.shape[1::-1] != tuple(self.size_wh):
                # larger than MAX_SIDE_PX, or a browser's stream that changed size as WebRTC
                # adapted its bitrate: the model's tracking and the recording keep one size
                import cv2

                image = cv2.resize(image, tuple(self.size_wh), interpolation=cv2.INTER_AREA)
            r = self.estimator.process(self.estimator.prepare(image))
            outline = trunk_outline(r, image.shape[1])
            self.recorder.add(image, t_s, r, outline)
            self.watcher.add(t_s, r, outline, float(image[::8, ::8].mean()), shrunk=small)
            if self.watcher.due(t_s) and not self._judging.is_set():
                # off the frame path: a check re-measures minutes of riding
                self._judging.set()
                threading.Thread(
                    target=self._judge, args=(t_s,), daemon=True, name="posecheck-live-check"
                ).start()
            out = self._overlay(image, r, t_s)
            self.stats.analysed += 1
            self.stats.latency_ms.append(1000 * (time.perf_counter() - arrived))
            return out

    def _judge(self, now: float) -> None:
        try:
            state = self.watcher.check(now)
            cues, _ = self.policy.update(now, state.held(self.settings.sustain_s))
            self.state = state
            for cue in cues:
                self.cues.append(cue)
                self.recorder.cue(cue.time_s, cue.metric, cue.message)
                self._shown = (now, cue.message)
                if self.on_cue:
                    self.on_cue(cue)
        except Exception:  # a check that fails must not end the ride or lose the recording
            log.exception("live check failed at %.1f s", now)
        finally:
            self._judging.clear()

    def wait_checks(self, timeout: float = 30.0) -> None:
        """Wait for a check in progress (tests, and before closing)."""
        end = time.perf_counter() + timeout
        while self._judging.is_set() and time.perf_counter() < end:
            time.sleep(0.01)

    def _overlay(self, image: np.ndarray, r, now: float) -> np.ndarray:
        d = self.watcher.decision
        angles = None
        if d is not None and d.near_side and r.found:
            from posecheck.metrics.angles import side_angles

            angles = {
                k: float(v[0]) for k, v in side_angles(r.xy_px[None], d.near_side, d.facing).items()
            }
        message = None
        if self._shown and now - self._shown[0] <= CUE_SHOWN_S and self.policy.active:
            message = self._shown[1]
        return draw(
            image,
            r.xy_px,
            angles,
            d.near_side if d else None,
            self.state,
            message,
            self.policy.active,
        )

    def close(self, analyse: bool = True, **analyze_kw):
        """Stop recording; with ``analyse``, the after-ride analysis (None when it cannot be
        made, e.g. no rider was ever seen: the recording stays)."""
        with self._lock:
            if self._closed:
                return None
            self._closed = True
            self.wait_checks()
            self.recorder.close({"stats": self.stats.as_dict()})
            self.estimator.close()
        if not analyse or self.recorder.frames == 0:
            return None
        return finish(self.outdir, self.profile or None, **analyze_kw)


def run(
    source,
    session: LiveSession,
    on_frame: Callable[[np.ndarray, LiveSession], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> dict:
    """The real-time loop: take the newest frame, process it, repeat until the source ends
    or ``should_stop``. Frames that arrived while the model was busy were dropped by the
    source's slot. Returns the session's stats."""
    slot = source.start()
    try:
        while not should_stop():
            frame = slot.take(timeout=0.5)
            if frame is None:
                if slot.finished:
                    break
                continue
            out = session.process(frame.image, frame.t_s, frame.arrived)
            if on_frame:
                on_frame(out, session)
    finally:
        source.stop()
        session.stats.received = slot.received
        session.stats.dropped = slot.dropped
    if slot.error:
        log.error("%s", slot.error)
    return session.stats.as_dict()
