"""Compose one rendered frame (side or rear view) and its ground-truth landmarks in pixels."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from posecheck.landmarks import N_LANDMARKS
from posecheck.landmarks import Landmark as L
from posecheck.samples import draw
from posecheck.samples.rider import (
    Posture,
    included_angle_deg,
    leg_points,
    thoracic_rounding_deg,
    upper_points,
)

REAR_HUB = np.array([-0.41, 0.07])
FRONT_HUB = np.array([0.59, 0.07])
WHEEL_R = 0.335
FLOOR_Y = REAR_HUB[1] - WHEEL_R - 0.02


class Camera:
    """Metres in the bike's plane to pixels: ``px = origin + scale * (facing * x, -y)``."""

    def __init__(self, size_wh: tuple[int, int], facing: int, scale: float | None = None):
        w, h = size_wh
        self.size_wh = size_wh
        self.facing = facing
        self.scale = scale or h / 1.95
        self.origin = np.array([w * 0.5 - facing * 0.08 * self.scale, h - 0.33 * self.scale])

    def px(self, xy: ArrayLike) -> np.ndarray:
        xy = np.asarray(xy, float)
        return self.origin + self.scale * np.stack([self.facing * xy[..., 0], -xy[..., 1]], -1)


def _set(lm: np.ndarray, idx: L, xy: np.ndarray) -> None:
    lm[idx] = xy


def truth_angles(near: dict[str, np.ndarray]) -> dict[str, float]:
    """True included angles (degrees) and ratios of the near side, from world points."""
    return {
        "knee_angle_deg": included_angle_deg(near["hip"], near["knee"], near["ankle"]),
        "hip_angle_deg": included_angle_deg(near["shoulder"], near["hip"], near["knee"]),
        "elbow_angle_deg": included_angle_deg(near["shoulder"], near["elbow"], near["wrist"]),
        "shoulder_angle_deg": included_angle_deg(near["hip"], near["shoulder"], near["elbow"]),
        "ankle_angle_deg": included_angle_deg(near["knee"], near["ankle"], near["toe"]),
        "back_angle_deg": float(np.degrees(np.arctan2(*(near["shoulder"] - near["hip"])[::-1]))),
        "shrug_ratio": float(
            np.linalg.norm(near["ear"] - near["shoulder"])
            / np.linalg.norm(near["shoulder"] - near["hip"])
        ),
    }


def render_side(p: Posture, size_wh=(640, 480), facing: int = 1):
    """Side view. ``facing=+1``: rider faces image-right, right side near (side-right).

    Returns (bgr image, landmarks px (33,2) with NaN where hidden, truth dict).
    """
    cam = Camera(size_wh, facing)
    s = cam.scale
    near = leg_points(p)
    far = leg_points(p, phase_offset_deg=180.0)
    up = upper_points(p, near["hip"])
    near.update(up)
    far_shift = np.array([-0.02, 0.012])  # far side: a little behind and above
    far_up = {k: v + far_shift for k, v in up.items()}
    far = {k: v + far_shift for k, v in far.items()}
    far.update({k: far_up[k] for k in ("shoulder", "elbow", "wrist", "index", "pinky", "thumb")})

    w, h = size_wh
    img = draw.background(h, w, int(cam.px([0, FLOOR_Y])[1]))
    P = {k: cam.px(v) for k, v in near.items()}
    F = {k: cam.px(v) for k, v in far.items()}
    bb = cam.px([0.0, 0.0])

    # Trainer under the rear wheel, wheels.
    rh, fh = cam.px(REAR_HUB), cam.px(FRONT_HUB)
    floor = cam.px([0, FLOOR_Y])[1]
    for dx in (-0.25, 0.25):
        draw.capsule(img, rh, np.array([rh[0] + dx * s, floor]), 0.03 * s, draw.METAL)
    draw.wheel(img, rh, WHEEL_R * s)
    draw.wheel(img, fh, WHEEL_R * s)
    # Far leg and arm (darker), behind the frame.
    _draw_leg(img, F, s, dark=True)
    draw.capsule(img, F["shoulder"], F["elbow"], 0.085 * s, draw.JERSEY_DARK)
    draw.capsule(img, F["elbow"], F["wrist"], 0.065 * s, draw.SKIN_DARK)
    # Bike frame.
    saddle = P["saddle"]
    head_top = cam.px([0.50, 0.70])
    bar = P["wrist"] + np.array([cam.facing * 0.02 * s, 0.03 * s])
    for a, b in (
        (rh, bb),
        (rh, saddle),
        (bb, saddle),
        (bb, head_top),
        (saddle, head_top),
        (head_top, fh),
    ):
        draw.capsule(img, a, b, 0.035 * s, draw.FRAME)
    draw.capsule(img, head_top, bar, 0.03 * s, draw.METAL)
    draw.capsule(
        img,
        saddle + np.array([-cam.facing * 0.1 * s, 0]),
        saddle + np.array([cam.facing * 0.08 * s, 0]),
        0.035 * s,
        (20, 20, 20),
    )
    draw.capsule(img, bb, F["pedal"], 0.025 * s, draw.METAL)
    # Trunk, near leg, head, near arm.
    draw.torso_side(
        img, P["hip"], P["shoulder"], P["neck"], p.thoracic_bulge, p.pelvic_tilt_deg, s, cam.facing
    )
    draw.capsule(img, P["neck"], P["head"], 0.1 * s, draw.SKIN)
    draw.head_side(img, P["head"], s, cam.facing)
    draw.capsule(img, bb, P["pedal"], 0.025 * s, draw.METAL)
    _draw_leg(img, P, s, dark=False)
    draw.capsule(img, P["shoulder"], P["elbow"], 0.09 * s, draw.JERSEY)
    draw.capsule(img, P["elbow"], P["wrist"], 0.07 * s, draw.SKIN)
    draw.capsule(img, P["wrist"], P["index"], 0.05 * s, draw.SKIN)

    lm = np.full((N_LANDMARKS, 2), np.nan)
    near_side, far_side = ("RIGHT", "LEFT") if facing > 0 else ("LEFT", "RIGHT")
    for side, pts in ((near_side, P), (far_side, F)):
        for joint, key in (
            ("SHOULDER", "shoulder"),
            ("ELBOW", "elbow"),
            ("WRIST", "wrist"),
            ("HIP", "hip"),
            ("KNEE", "knee"),
            ("ANKLE", "ankle"),
            ("HEEL", "heel"),
            ("FOOT_INDEX", "toe"),
            ("INDEX", "index"),
            ("PINKY", "pinky"),
            ("THUMB", "thumb"),
        ):
            _set(lm, L[f"{side}_{joint}"], pts[key])
    _set(lm, L[f"{near_side}_EAR"], P["ear"])
    _set(lm, L[f"{near_side}_EYE"], P["eye"])
    _set(lm, L.NOSE, P["nose"])
    truth = truth_angles(near)
    truth["thoracic_rounding_deg"] = thoracic_rounding_deg(p.thoracic_bulge)
    return img, lm, truth


def _draw_leg(img, P, s: float, dark: bool) -> None:
    thigh_c = draw.SHORTS if not dark else (25, 25, 28)
    skin = draw.SKIN_DARK if dark else draw.SKIN
    shoe = draw.SHOE_DARK if dark else draw.SHOE
    draw.capsule(img, P["hip"], P["knee"], 0.14 * s, thigh_c)
    draw.capsule(img, P["knee"], P["ankle"], 0.10 * s, skin)
    draw.capsule(img, P["heel"], P["toe"], 0.07 * s, shoe)
    draw.capsule(img, P["ankle"], P["toe"], 0.06 * s, shoe)


def render_rear(p: Posture, size_wh=(640, 480)):
    """Rear view (camera behind the rider): rider's right is image-right.

    Hips rock by ``p.hip_rock_deg * sin(crank)``. Returns (image, landmarks px, truth).
    """
    w, h = size_wh
    scale = h / 1.95
    origin = np.array([w * 0.5, h - 0.33 * scale])

    def px(lat: float, y: float) -> np.ndarray:
        return origin + scale * np.array([lat, -y])

    rock = np.radians(p.hip_rock_deg * np.sin(np.radians(p.crank_deg)))
    img = draw.background(h, w, int(px(0, FLOOR_Y)[1]))
    pts: dict[str, np.ndarray] = {}
    pelvis = leg_points(p)["hip"]
    for side, sgn, phase in (("RIGHT", 1, 0.0), ("LEFT", -1, 180.0)):
        hip_lat = sgn * 0.10 * np.cos(rock)
        hip_dy = sgn * 0.10 * np.sin(rock)
        leg = leg_points(p, phase_offset_deg=phase)
        # Vertical positions from the sagittal leg with the hip raised/lowered by the rock.
        knee_y = leg["knee"][1] + hip_dy * 0.5
        pts[f"{side}_HIP"] = px(hip_lat, pelvis[1] + hip_dy)
        pts[f"{side}_KNEE"] = px(sgn * 0.12, knee_y)
        pts[f"{side}_ANKLE"] = px(sgn * 0.13, leg["ankle"][1])
        pts[f"{side}_HEEL"] = px(sgn * 0.13, leg["heel"][1])
        pts[f"{side}_FOOT_INDEX"] = px(sgn * 0.135, leg["toe"][1] + 0.01)
        pts[f"{side}_PEDAL"] = px(sgn * 0.15, leg["pedal"][1])
    up = upper_points(p, pelvis)
    sh_y = up["shoulder"][1]
    for side, sgn in (("RIGHT", 1), ("LEFT", -1)):
        pts[f"{side}_SHOULDER"] = px(sgn * 0.19, sh_y)
        pts[f"{side}_ELBOW"] = px(sgn * 0.25, up["elbow"][1])
        pts[f"{side}_WRIST"] = px(sgn * 0.22, up["wrist"][1])
        pts[f"{side}_EAR"] = px(sgn * 0.075, up["ear"][1])
    head = px(0, up["head"][1])

    floor = px(0, FLOOR_Y)[1]
    hub = px(0, REAR_HUB[1])
    for dx in (-0.3, 0.3):
        draw.capsule(img, hub, np.array([hub[0] + dx * scale, floor]), 0.03 * scale, draw.METAL)
    for side in ("LEFT", "RIGHT"):  # legs, far down the stroke first
        P = {k.split("_", 1)[1]: v for k, v in pts.items() if k.startswith(side)}
        draw.capsule(img, px(0, 0), P["PEDAL"], 0.025 * scale, draw.METAL)
        draw.capsule(img, P["HIP"], P["KNEE"], 0.15 * scale, draw.SHORTS)
        draw.capsule(img, P["KNEE"], P["ANKLE"], 0.11 * scale, draw.SKIN)
        draw.capsule(img, P["HEEL"], P["FOOT_INDEX"], 0.08 * scale, draw.SHOE)
    ls, rs = pts["LEFT_SHOULDER"], pts["RIGHT_SHOULDER"]
    lh, rh = pts["LEFT_HIP"], pts["RIGHT_HIP"]
    mid_h = (lh + rh) / 2
    out = np.array(
        [
            lh + (lh - mid_h) * 0.6,
            ls + [-0.03 * scale, -0.02 * scale],
            rs + [0.03 * scale, -0.02 * scale],
            rh + (rh - mid_h) * 0.6,
        ]
    )
    for side in ("LEFT", "RIGHT"):
        draw.capsule(img, pts[f"{side}_SHOULDER"], pts[f"{side}_ELBOW"], 0.09 * scale, draw.JERSEY)
        draw.capsule(img, pts[f"{side}_ELBOW"], pts[f"{side}_WRIST"], 0.07 * scale, draw.SKIN)
    draw.head_rear(img, head, scale)
    draw.polygon(img, out, draw.JERSEY)
    shorts = np.array(
        [
            lh + (lh - mid_h) * 0.7 + [0, 0.05 * scale],
            lh + (lh - mid_h) * 0.6 + [0, -0.06 * scale],
            rh + (rh - mid_h) * 0.6 + [0, -0.06 * scale],
            rh + (rh - mid_h) * 0.7 + [0, 0.05 * scale],
        ]
    )
    draw.polygon(img, shorts, draw.SHORTS)
    # The saddle's tail, seat stays and the rear wheel are nearer the camera than the rider.
    draw.capsule(
        img, px(-0.05, pelvis[1] - 0.085), px(0.05, pelvis[1] - 0.085), 0.04 * scale, (20, 20, 20)
    )
    for sgn in (-1, 1):
        draw.capsule(img, hub, px(sgn * 0.03, pelvis[1] - 0.15), 0.02 * scale, draw.FRAME)
    draw.capsule(img, px(0, FLOOR_Y + 0.02), px(0, REAR_HUB[1] + WHEEL_R), 0.035 * scale, draw.TYRE)
    draw.capsule(img, hub + [-0.06 * scale, 0], hub + [0.06 * scale, 0], 0.02 * scale, draw.METAL)

    lm = np.full((N_LANDMARKS, 2), np.nan)
    for k, v in pts.items():
        if k in L.__members__:
            lm[L[k]] = v
    truth = {
        "pelvic_obliquity_deg": float(
            np.degrees(
                np.arctan2(
                    -(pts["RIGHT_HIP"][1] - pts["LEFT_HIP"][1]),
                    pts["RIGHT_HIP"][0] - pts["LEFT_HIP"][0],
                )
            )
        )
    }
    return img, lm, truth
