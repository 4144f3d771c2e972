"""Pose estimators behind one small interface.

``PoseEstimator.process(image_bgr) -> PoseResult`` for consecutive frames of one clip
(tracking mode), ``reset()`` to forget tracking state, ``close()`` to free the model.
``prepare(image) -> ModelInput`` does the estimator's own resizing and colour conversion
of a BGR image or a decoded video ``Frame`` without touching its state, so it can run ahead
in the decoding thread; ``process`` accepts either a raw BGR image or a ``ModelInput``.
Only this module imports MediaPipe (and :mod:`posecheck.cropmask`, the mask's part of its
graph), and only when a MediaPipe estimator is created.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import cv2
import numpy as np

from posecheck.cropmask import MATRIX_STREAM, CropMask, crop_pose
from posecheck.landmarks import N_LANDMARKS

if TYPE_CHECKING:
    from posecheck.video import Frame

log = logging.getLogger(__name__)

#: what MediaPipe's native side prints straight to file descriptor 2 as a graph starts and
#: meets its first pose: TFLite's delegate line, absl's notice that it is not initialised,
#: and its INFO/WARNING lines ("Feedback manager requires a model with a single signature",
#: "Using NORM_RECT without IMAGE_DIMENSIONS"); chatter that tells a rider nothing
NATIVE_NOISE = re.compile(
    r"^(INFO: Created TensorFlow Lite|WARNING: All log messages before absl::InitializeLog"
    r"|[IW]\d{4} \d\d:\d\d:\d\d)"
)
#: frames after a graph (re)starts whose native output is filtered, at most: until the first
#: pose is found (the last warnings come with it) or this many frames have gone by
QUIET_FRAMES = 150


@contextmanager
def native_stderr_filtered() -> Iterator[None]:
    """Runs the block with file descriptor 2 (where C++ code writes) going to a temporary
    file, then writes back every line that is not :data:`NATIVE_NOISE`: errors, tracebacks
    and anything else still reach the terminal, after the block."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no stderr to redirect
        yield
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            lines = tmp.read().decode("utf-8", "replace").splitlines(keepends=True)
            kept = "".join(x for x in lines if not NATIVE_NOISE.match(x))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


@dataclass(frozen=True)
class PoseResult:
    xy_px: np.ndarray  # (33, 2) pixels of the input image; NaN when no person
    world_m: np.ndarray  # (33, 3) metres, hip-centred; NaN when no person
    visibility: np.ndarray  # (33,)
    #: person probability at the model input's pixels, when requested: the model's crop
    #: (:class:`posecheck.cropmask.CropMask`; ``np.asarray`` gives the (H, W) picture) or,
    #: from other estimators, an (H, W) float32 array
    mask: np.ndarray | CropMask | None = None

    @classmethod
    def empty(cls, mask: np.ndarray | CropMask | None = None) -> PoseResult:
        return cls(
            np.full((N_LANDMARKS, 2), np.nan),
            np.full((N_LANDMARKS, 3), np.nan),
            np.full(N_LANDMARKS, np.nan),
            mask,
        )

    @property
    def found(self) -> bool:
        return bool(np.isfinite(self.xy_px[0, 0]))


@dataclass(frozen=True)
class ModelInput:
    """A frame made ready for the model ahead of time; landmarks come back in the pixels of
    the original frame (``size_wh``)."""

    image: np.ndarray
    size_wh: tuple[int, int]


class PoseEstimator(Protocol):
    name: str

    def prepare(self, image: np.ndarray | Frame) -> ModelInput: ...

    def process(
        self, image: np.ndarray | ModelInput, frame_index: int | None = None
    ) -> PoseResult: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


class MediaPipePose:
    """MediaPipe Pose (BlazePose GHUM 3D), the **full** landmark model bundled in the wheel.

    Runs in tracking mode (``static_image_mode=False``): call :meth:`process` on consecutive
    frames. Images larger than ``max_side_px`` are downscaled before the model (it works at
    256 px internally); landmarks are returned in the input image's pixels.
    """

    name = "mediapipe-full-0.10.21"

    def __init__(
        self,
        segmentation: bool = False,
        max_side_px: int = 960,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ):
        self.segmentation = segmentation
        self.max_side_px = max_side_px
        self._kw = dict(
            static_image_mode=False,
            model_complexity=1,
            smooth_landmarks=True,
            enable_segmentation=segmentation,
            smooth_segmentation=segmentation,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        # The graph (and MediaPipe itself, ~1.5 s with the model) is loaded at the first frame:
        # a caller that only needs the name and settings, such as the parent of parallel
        # workers, does not pay for it.
        self._pose = None
        self._quiet = QUIET_FRAMES  # frames left whose native chatter is filtered

    def _graph(self):
        if self._pose is None:
            os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's C++ info chatter
            import mediapipe as mp  # lazy: heavy, and only this class needs it

            if self.segmentation:
                # the mask in the model's own crop: the stock graph's whole-picture mask
                # costs 5-7 ms of CPU a frame (posecheck.cropmask)
                self._pose = crop_pose(**self._kw)
            else:
                self._pose = mp.solutions.pose.Pose(**self._kw)
        return self._pose

    def reset(self) -> None:
        """Forget tracking and smoothing state: the next frame is processed as a first frame.
        Restarts the graph's run (MediaPipe's own ``reset``) instead of rebuilding the graph:
        the same landmarks, ~0.03 s instead of ~0.15 s."""
        if self._pose is not None:
            self._pose.reset()
            self._quiet = QUIET_FRAMES  # the restarted graph speaks again at its first pose

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None

    def prepare(self, image: np.ndarray | Frame) -> ModelInput:
        """Downscale to ``max_side_px`` and convert to RGB; stateless (thread-safe). A video
        :class:`~posecheck.video.Frame` is converted straight from its decoded planes."""
        if not isinstance(image, np.ndarray):
            return ModelInput(image.rgb(self.max_side_px), image.size_wh)
        from posecheck.video import fit_within

        h, w = image.shape[:2]
        size = fit_within(w, h, self.max_side_px)
        small = image if size is None else cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        return ModelInput(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), (w, h))

    def process(self, image: np.ndarray | ModelInput, frame_index: int | None = None) -> PoseResult:
        inp = image if isinstance(image, ModelInput) else self.prepare(image)
        w, h = inp.size_wh
        if self._quiet > 0:
            with native_stderr_filtered():
                res = self._graph().process(inp.image)
            self._quiet = 0 if res.pose_landmarks is not None else self._quiet - 1
        else:
            res = self._graph().process(inp.image)
        mask = None
        if self.segmentation and res.crop_mask is not None:
            # CropMask copies the grid: the array is a view of the graph's buffer, which the
            # next frame reuses
            ih, iw = inp.image.shape[:2]
            mask = CropMask(res.crop_mask, getattr(res, MATRIX_STREAM), (ih, iw))
        if res.pose_landmarks is None:
            return PoseResult.empty(mask)
        lm = res.pose_landmarks.landmark
        xyv = np.array([[p.x, p.y, p.visibility] for p in lm], dtype=float)
        xy = xyv[:, :2] * [w, h]
        world = np.full((N_LANDMARKS, 3), np.nan)
        if res.pose_world_landmarks is not None:
            world = np.array([[p.x, p.y, p.z] for p in res.pose_world_landmarks.landmark])
        return PoseResult(xy, world, xyv[:, 2], mask)


class ReplayPose:
    """Replays landmarks known in advance (ground truth or a saved track) by frame number.

    For tests and demos where the model is not the point. ``xy_px`` is (T, 33, 2).
    """

    name = "replay"

    def __init__(self, xy_px: np.ndarray, visibility: np.ndarray | None = None):
        self.xy_px = np.asarray(xy_px, float)
        self.visibility = (
            np.where(np.isnan(self.xy_px[..., 0]), np.nan, 1.0)
            if visibility is None
            else visibility
        )

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass

    def prepare(self, image: np.ndarray | Frame) -> ModelInput:
        img = image if isinstance(image, np.ndarray) else image.image
        return ModelInput(img, (img.shape[1], img.shape[0]))

    def process(self, image: np.ndarray | ModelInput, frame_index: int | None = None) -> PoseResult:
        if frame_index is None or not 0 <= frame_index < len(self.xy_px):
            return PoseResult.empty()
        i = frame_index
        xy = self.xy_px[i]
        if np.isnan(xy).all():
            return PoseResult.empty()
        return PoseResult(xy.copy(), np.full((N_LANDMARKS, 3), np.nan), self.visibility[i].copy())


def make_mediapipe(segmentation: bool = False) -> PoseEstimator:
    """The default estimator factory (picklable, and importable without the rest of posecheck:
    parallel workers unpickle it)."""
    return MediaPipePose(segmentation=segmentation)
