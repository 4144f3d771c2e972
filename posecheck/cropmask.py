"""The person mask where the model makes it: in its own square crop around the rider.

MediaPipe's pose graph (the pinned ``mediapipe==0.10.21``) finds the landmarks and the person
mask in a square crop of the picture (256 x 256 model points, turned with the rider's trunk).
The stock graph then warps that mask onto the whole picture, runs it through its smoothing
step and hands it to Python as a whole-picture array, copied twice. posecheck reads the mask
at a few thousand points a frame (the trunk's outline, :mod:`posecheck.outline`); the
whole-picture steps cost 5-7 ms of CPU a frame on the bundled 1080p clip at the model's
960 px input, about a sixth of all a frame costs (model, decoding, the rest).

:func:`crop_graph_config` is the stock graph (its subgraphs expanded) without those steps: the
crop's mask and the crop's rectangle come out instead, and nothing else changes (the
landmarks are bit-identical). :class:`CropMask` reads the mask at the picture pixels asked
for, with the stock graph's own warp matrix and OpenCV's warp arithmetic step by step, so
each value is the stock mask's, bit for bit (tests/integration/test_model.py compares them
with the stock graph's on every pixel). The stock smoothing step is left out without a
loss: in this build it passes the mask through unchanged (its output equalled the
unsmoothed graph's on every frame compared: 60 consecutive frames of the bundled 1080p
ride, and two whole real clips to OpenCV's rounding).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

#: the expanded graph's streams this module relies on (the pinned MediaPipe's names)
ROI_MASK_STREAM = "poselandmarkbyroicpu__roi_segmentation_mask"
#: the matrix the stock warp used: picture (relative coordinates) -> crop (relative)
MATRIX_STREAM = (
    "poselandmarkbyroicpu__poselandmarksandsegmentationinverseprojection__"
    "inverse_transformation_matrix"
)
OUTPUTS = ["pose_landmarks", "pose_world_landmarks", "crop_mask", MATRIX_STREAM]
#: the stock mask's last stream, from its smoothing (its subgraph's nodes share a prefix)
SMOOTHED_STREAM = "filtered_segmentation_mask"
SMOOTHING_PREFIX = "posesegmentationfiltering__"


def crop_graph_config():
    """MediaPipe's CPU pose graph, expanded, that puts out the crop's mask (``crop_mask``)
    and the matrix the stock graph would warp it with (:data:`MATRIX_STREAM`) instead of a
    whole-picture ``segmentation_mask``."""
    import mediapipe as mp
    from mediapipe.framework import calculator_pb2
    from mediapipe.python._framework_bindings import validated_graph_config

    path = os.path.join(
        os.path.dirname(mp.__file__), "modules", "pose_landmark", "pose_landmark_cpu.binarypb"
    )
    expanded = validated_graph_config.ValidatedGraphConfig()
    expanded.initialize(binary_graph_path=path)
    cfg = calculator_pb2.CalculatorGraphConfig()
    cfg.ParseFromString(expanded.binary_config)
    produced = {s.split(":")[-1] for n in cfg.node for s in n.output_stream}
    # the whole-picture steps: the warp of the crop's mask onto the picture, the smoothing,
    # and the smoothed mask's conversion for the graph's output
    left_out = [
        n
        for n in cfg.node
        if (n.calculator == "WarpAffineCalculator" and f"IMAGE:{ROI_MASK_STREAM}" in n.input_stream)
        or n.name.startswith(SMOOTHING_PREFIX)
        or (n.calculator == "FromImageCalculator" and f"IMAGE:{SMOOTHED_STREAM}" in n.input_stream)
    ]
    if ROI_MASK_STREAM not in produced or MATRIX_STREAM not in produced or len(left_out) < 5:
        raise RuntimeError(
            f"MediaPipe's pose graph ({mp.__version__}) is not the one posecheck's crop mask "
            "was written for (mediapipe==0.10.21)"
        )
    kept = [n for n in cfg.node if n not in left_out]
    del cfg.node[:]
    cfg.node.extend(kept)
    node = cfg.node.add()
    node.calculator = "FromImageCalculator"
    node.input_stream.append(f"IMAGE:{ROI_MASK_STREAM}")
    node.output_stream.append("IMAGE_CPU:crop_mask")
    outputs = [s for s in cfg.output_stream if not s.startswith("SEGMENTATION_MASK:")]
    del cfg.output_stream[:]
    cfg.output_stream.extend([*outputs, "CROP_MASK:crop_mask", f"CROP_MATRIX:{MATRIX_STREAM}"])
    del cfg.input_side_packet[:]  # the smoothing's switch went with the smoothing
    cfg.input_side_packet.extend(
        [
            "SMOOTH_LANDMARKS:smooth_landmarks",
            "ENABLE_SEGMENTATION:enable_segmentation",
            "MODEL_COMPLEXITY:model_complexity",
            "USE_PREV_LANDMARKS:use_prev_landmarks",
        ]
    )
    return cfg


def crop_pose(
    static_image_mode: bool = False,
    model_complexity: int = 1,
    smooth_landmarks: bool = True,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **_stock_only,
):
    """The graph run as ``mediapipe.solutions.pose.Pose`` runs the stock one (the same side
    packets and thresholds; ``_stock_only``: the stock mask's switches, which have no part
    here); ``process(rgb)`` gives ``pose_landmarks``, ``pose_world_landmarks``,
    ``crop_mask`` and the warp matrix."""
    from mediapipe.python.solution_base import PacketDataType, SolutionBase

    return SolutionBase(
        graph_config=crop_graph_config(),
        side_inputs={
            "model_complexity": model_complexity,
            "smooth_landmarks": smooth_landmarks and not static_image_mode,
            "enable_segmentation": True,
            "use_prev_landmarks": not static_image_mode,
        },
        calculator_params={
            "posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh": (
                min_detection_confidence
            ),
            "poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__"
            "ThresholdingCalculator.threshold": min_tracking_confidence,
        },
        outputs=OUTPUTS,
        # the matrix's type, which MediaPipe's Python side cannot work out itself
        stream_type_hints={MATRIX_STREAM: PacketDataType.FLOAT_LIST},
    )


#: OpenCV's warpAffine (as the stock graph calls it: bilinear, zero outside) works in fixed
#: point: each term of a position in 1/1024 pixel (AB_BITS), their sum rounded to a grid of
#: 1/32 pixel (INTER_BITS), whose steps pick float32 weights
_AB_BITS, _INTER_BITS = 10, 5
_F32 = np.float32


class CropMask:
    """A frame's person mask: the crop's probabilities (copied), the stock graph's warp
    matrix, and the picture's ``shape`` (rows, columns). :meth:`at` reads the mask at picture
    pixels; ``np.asarray`` gives the whole picture's mask (tests and diagnostics: that is the
    cost this class saves)."""

    def __init__(self, grid: np.ndarray, matrix: Sequence[float], shape: tuple[int, int]):
        grid = np.asarray(grid, _F32)
        if grid.ndim != 2:
            raise ValueError(f"a crop mask is one grid of values, not {grid.shape}")
        # a copy of the grid inside two rows and columns of zeros: the warp's zero border, so
        # that each corner of a pixel's neighbourhood is one lookup in the flattened grid
        h, w = grid.shape
        padded = np.zeros((h + 4, w + 4), _F32)
        padded[2:-2, 2:-2] = grid
        self.grid = padded[2:-2, 2:-2]
        self._padded = padded.ravel()
        self.shape = shape
        self._m = _warp_matrix(matrix, grid.shape, shape)

    def at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The mask at integer picture pixels (x, y): the value the stock graph's warp gives
        there, bit for bit (OpenCV's arithmetic, step by step), 0 outside the crop."""
        m = self._m
        x = np.asarray(x, np.float64)
        y = np.asarray(y, np.float64)
        scale, shift = 1 << _AB_BITS, _AB_BITS - _INTER_BITS
        half = 1 << (shift - 1)  # OpenCV's round_delta: half a step of the 1/32 grid
        gx = np.rint((m[0, 1] * y + m[0, 2]) * scale).astype(np.int64) + half
        gy = np.rint((m[1, 1] * y + m[1, 2]) * scale).astype(np.int64) + half
        gx = (gx + np.rint(m[0, 0] * x * scale).astype(np.int64)) >> shift
        gy = (gy + np.rint(m[1, 0] * x * scale).astype(np.int64)) >> shift
        steps, last = _F32(1 << _INTER_BITS), (1 << _INTER_BITS) - 1
        fx = (gx & last).astype(_F32) / steps
        fy = (gy & last).astype(_F32) / steps
        wx0, wy0 = _F32(1) - fx, _F32(1) - fy
        # the top-left grid point of each pixel's neighbourhood, clipped to the border of
        # zeros (two wide: a point clipped to it has zeros on both sides)
        h, w = self.grid.shape
        ix = np.clip(gx >> _INTER_BITS, -2, w) + 2
        iy = np.clip(gy >> _INTER_BITS, -2, h) + 2
        k, row = iy * (w + 4) + ix, w + 4
        g = self._padded
        s00, s01, s10, s11 = g[k], g[k + 1], g[k + row], g[k + row + 1]
        return ((s00 * (wy0 * wx0) + s01 * (wy0 * fx)) + s10 * (fy * wx0)) + s11 * (fy * fx)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        h, w = self.shape
        ys, xs = np.mgrid[0:h, 0:w]
        out = self.at(xs.ravel(), ys.ravel()).reshape(h, w)
        return out if dtype is None else out.astype(dtype)


def _warp_matrix(
    matrix: Sequence[float], grid_shape: tuple[int, ...], shape: tuple[int, int]
) -> np.ndarray:
    """The 2x3 matrix OpenCV gets from the stock graph (MediaPipe's OpenCvRunner): the 4x4
    relative-coordinate matrix scaled to the crop's and the picture's pixels, in float32,
    term by term as it computes them."""
    t = np.asarray(matrix, _F32).reshape(4, 4)
    src = (_F32(grid_shape[1]), _F32(grid_shape[0]))  # crop width, height
    dst = (_F32(1) / _F32(shape[1]), _F32(1) / _F32(shape[0]))  # 1 / picture width, height
    rows = [
        [(src[r] * t[r, 0]) * dst[0], (src[r] * t[r, 1]) * dst[1], src[r] * t[r, 3]] for r in (0, 1)
    ]
    return np.array(rows, _F32).astype(np.float64)
