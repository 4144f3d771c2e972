"""Which way the camera sees the rider (side-left, side-right, rear, front) and the near side.

Side views: the rider faces the image-right when the nose lies right of the ears; a rider
facing image-right shows the camera their right side (an unmirrored camera), so the near
side is the right. World landmark depth (smaller z = closer to camera) must agree; the
confidence is the share of frames where the per-frame votes agree with the clip's decision.
Rear/front: shoulders wide relative to trunk length; front when the nose is nearer the
camera than the ears.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.landmarks import Landmark as L
from posecheck.track import PoseTrack

VIEWS = ("side-left", "side-right", "rear", "front")
#: shoulder width over trunk length above which the clip counts as a rear/front view
WIDE_RATIO = 0.45


@dataclass(frozen=True)
class ViewDecision:
    view: str  # one of VIEWS
    near_side: str | None  # "left" / "right" for side views, None otherwise
    facing: int  # +1 rider faces image-right, -1 image-left, 0 rear/front
    confidence: float  # 0..1
    source: str = "auto"  # "auto" or "override"

    def as_dict(self) -> dict:
        return {"view": self.view, "near_side": self.near_side, "facing": self.facing,
                "confidence": round(self.confidence, 3), "source": self.source}


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
        front = world[:, L.NOSE, 2] < ear_z
        is_front = np.nanmean(front) > 0.5
        agree = np.mean(wide & (front if is_front else ~front))
        return ViewDecision("front" if is_front else "rear", None, 0, float(agree))
    ear_x = (xy[:, L.LEFT_EAR, 0] + xy[:, L.RIGHT_EAR, 0]) / 2
    faces_right = xy[:, L.NOSE, 0] > ear_x
    depth_l = np.nanmean(world[:, [L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE], 2], axis=1)
    depth_r = np.nanmean(world[:, [L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE], 2], axis=1)
    right_near = depth_r < depth_l
    right = np.mean(faces_right) > 0.5
    votes = (faces_right == right) & (right_near == right) & ~wide
    side = "right" if right else "left"
    return ViewDecision(f"side-{side}", side, 1 if right else -1, float(np.mean(votes)))
