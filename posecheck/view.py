"""Which way the camera sees the rider (side-left, side-right, rear, front) and the near side.

Side views: three cues vote on the facing direction per frame (nose ahead of the ears, knees
ahead of the hips, hands ahead of the shoulders: on a bike all three point forward). A rider
facing image-right shows an unmirrored camera their right side; MediaPipe's world depth
(smaller z = nearer) confirms the near side, and overrules it when it firmly disagrees
(mirrored selfie video). Confidence = share of frames agreeing on facing x share agreeing on
depth x share of frames that look like a side view.
Rear/front: shoulders wide relative to trunk length; front when the nose is clearly (4 cm)
nearer the camera than the ears, rear otherwise (MediaPipe reports a face from behind too).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.landmarks import Landmark as L
from posecheck.track import PoseTrack

VIEWS = ("side-left", "side-right", "rear", "front")
#: shoulder width over trunk length above which the clip counts as a rear/front view
WIDE_RATIO = 0.45
#: metres the nose must be nearer the camera than the ears for a front view (a face seen
#: head-on: about 0.08-0.10 m)
FRONT_NOSE_M = 0.04


@dataclass(frozen=True)
class ViewDecision:
    view: str  # one of VIEWS
    near_side: str | None  # "left" / "right" for side views, None otherwise
    facing: int  # +1 rider faces image-right, -1 image-left, 0 rear/front
    confidence: float  # 0..1
    source: str = "auto"  # "auto" or "override"

    def as_dict(self) -> dict:
        return {
            "view": self.view,
            "near_side": self.near_side,
            "facing": self.facing,
            "confidence": round(self.confidence, 3),
            "source": self.source,
        }


def from_override(view: str) -> ViewDecision:
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    if view.startswith("side"):
        side = view.split("-")[1]
        return ViewDecision(view, side, 1 if side == "right" else -1, 1.0, "override")
    return ViewDecision(view, None, 0, 1.0, "override")


def classify_view(track: PoseTrack) -> ViewDecision:
    """Decide the view from the whole clip (medians of per-frame votes)."""
    xy, world = track.xy_px, track.world_m
    ok = track.detected
    if not ok.any():
        return ViewDecision("side-right", "right", 1, 0.0)
    xy, world = xy[ok], world[ok]
    sh_w = np.linalg.norm(xy[:, L.LEFT_SHOULDER] - xy[:, L.RIGHT_SHOULDER], axis=-1)
    mid_sh = (xy[:, L.LEFT_SHOULDER] + xy[:, L.RIGHT_SHOULDER]) / 2
    mid_hip = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
    trunk = np.linalg.norm(mid_sh - mid_hip, axis=-1)
    wide = sh_w / np.maximum(trunk, 1e-6) > WIDE_RATIO
    if np.mean(wide) > 0.5:
        ear_z = (world[:, L.LEFT_EAR, 2] + world[:, L.RIGHT_EAR, 2]) / 2
        # front only when the nose is clearly nearer the camera than the ears; MediaPipe
        # "sees" a face from behind too, with the nose level with the ears
        front = world[:, L.NOSE, 2] - ear_z < -FRONT_NOSE_M
        is_front = np.nanmean(front) > 0.5
        agree = np.mean(wide & (front if is_front else ~front))
        return ViewDecision("front" if is_front else "rear", None, 0, float(agree))
    faces_right = _facing_votes(xy, trunk) > 0
    right = bool(np.mean(faces_right) > 0.5)
    depth_l = np.nanmean(world[:, [L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE], 2], axis=1)
    depth_r = np.nanmean(world[:, [L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE], 2], axis=1)
    right_near = depth_r < depth_l
    facing_share = float(np.mean(faces_right == right))
    depth_share = float(np.mean(right_near == right))
    if depth_share < 0.3:  # depth firmly says the other side: a mirrored (selfie) video
        right_near_side = not right
        depth_share = 1 - depth_share
    else:
        right_near_side = right
    side = "right" if right_near_side else "left"
    conf = facing_share * depth_share * float(np.mean(~wide))
    return ViewDecision(f"side-{side}", side, 1 if right else -1, conf)


def _facing_votes(xy: np.ndarray, trunk: np.ndarray) -> np.ndarray:
    """(T,) > 0 where the rider faces image-right: nose ahead of the ears, knees ahead of the
    hips and hands ahead of the shoulders (each in trunk lengths, summed)."""

    def mid_x(a: L, b: L) -> np.ndarray:
        return (xy[:, a, 0] + xy[:, b, 0]) / 2

    cues = np.stack(
        [
            xy[:, L.NOSE, 0] - mid_x(L.LEFT_EAR, L.RIGHT_EAR),
            mid_x(L.LEFT_KNEE, L.RIGHT_KNEE) - mid_x(L.LEFT_HIP, L.RIGHT_HIP),
            mid_x(L.LEFT_WRIST, L.RIGHT_WRIST) - mid_x(L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        ]
    ) / np.maximum(trunk, 1e-6)
    return np.nansum(np.sign(cues), axis=0)
