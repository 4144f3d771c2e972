"""Draw a posed rider, bike and trainer with OpenCV (side and rear views).

Colours are BGR. Shapes are shaded capsules and polygons, anti-aliased; the near side is
drawn over the far side, which is darker. No landmark is computed here: the caller passes
pixel positions computed in :mod:`posecheck.samples.rider`.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

SKIN = (120, 160, 215)
SKIN_DARK = (85, 115, 160)
JERSEY = (150, 70, 30)  # blue jersey
JERSEY_DARK = (105, 45, 20)
SHORTS = (40, 40, 45)
SHOE = (235, 235, 235)
SHOE_DARK = (150, 150, 150)
HAIR = (30, 45, 70)
FRAME = (40, 40, 190)
METAL = (70, 70, 70)
TYRE = (25, 25, 25)


def _p(pt: np.ndarray) -> tuple[int, int]:
    """Integer pixel with 4 bits of sub-pixel precision (for shift=4)."""
    return int(round(pt[0] * 16)), int(round(pt[1] * 16))


def capsule(img: np.ndarray, a: np.ndarray, b: np.ndarray, width: float, color, shade=True) -> None:
    """A thick segment with round ends and a lighter stripe towards the light (top-left)."""
    w = max(1, int(round(width)))
    cv2.line(img, _p(a), _p(b), color, w, cv2.LINE_AA, shift=4)
    if shade and w >= 6:
        off = np.array([-1.0, -1.0]) * width * 0.18
        light = tuple(min(255, int(c * 1.25 + 18)) for c in color)
        cv2.line(img, _p(a + off), _p(b + off), light, max(1, int(w * 0.35)), cv2.LINE_AA, shift=4)


def polygon(img: np.ndarray, pts: np.ndarray, color) -> None:
    cv2.fillPoly(img, [np.round(pts * 16).astype(np.int32)], color, cv2.LINE_AA, shift=4)


def ellipse(img, center, axes, angle_deg, color) -> None:
    cv2.ellipse(
        img,
        _p(center),
        (int(axes[0] * 16), int(axes[1] * 16)),
        angle_deg,
        0,
        360,
        color,
        -1,
        cv2.LINE_AA,
        shift=4,
    )


def background(h: int, w: int, floor_y: int, seed: int = 0) -> np.ndarray:
    """A plain wall with a soft gradient, a skirting line and a floor (a new image)."""
    return _background(h, w, floor_y).copy()


@functools.lru_cache(maxsize=8)
def _background(h: int, w: int, floor_y: int) -> np.ndarray:
    """The background, drawn once per size (it was half of a frame's rendering time)."""
    y = np.linspace(0, 1, h)[:, None, None]
    wall = np.array([200, 208, 212]) * (1 - 0.15 * y) + np.array([10, 10, 10]) * y
    img = np.broadcast_to(wall, (h, w, 3)).astype(np.uint8).copy()
    img[floor_y:] = (120, 135, 150)
    cv2.line(img, (0, floor_y), (w, floor_y), (90, 100, 110), 2)
    img.flags.writeable = False  # shared: callers get copies
    return img


def quad_bezier(p0: np.ndarray, c: np.ndarray, p2: np.ndarray, n: int = 24) -> np.ndarray:
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t**2 * p2


def torso_side(
    img, hip, shoulder, neck, bulge: float, pelvic_tilt_deg: float, scale: float, facing: int
) -> None:
    """Trunk seen from the side: a dorsal Bezier outline bulging by ``bulge`` x chord.

    ``hip``, ``shoulder`` and ``neck`` are pixels; ``scale`` is pixels per metre; ``facing``
    is +1 when the rider faces image-right.
    """
    u = (shoulder - hip) / np.linalg.norm(shoulder - hip)
    # Dorsal normal: rotate the trunk direction towards the rider's back.
    n = np.array([u[1], -u[0]]) * facing * -1
    if np.dot(n, [0, -1]) < 0 and np.dot(n, [-facing, 0]) < 0:
        n = -n
    tilt = np.radians(pelvic_tilt_deg) * facing
    rot = np.array([[np.cos(tilt), -np.sin(tilt)], [np.sin(tilt), np.cos(tilt)]])
    n_pelvis = rot @ n
    low_back = hip + n_pelvis * 0.11 * scale - u * 0.02 * scale
    sacrum = hip + n_pelvis * 0.10 * scale - u * 0.09 * scale
    upper_back = shoulder + n * 0.07 * scale + u * 0.01 * scale
    chord = upper_back - low_back
    ctrl = (low_back + upper_back) / 2 + n * bulge * np.linalg.norm(chord)
    dorsal = quad_bezier(low_back, ctrl, upper_back)
    # Posterior tilt flattens the lumbar curve into a rounded lower back: a bulge over the
    # lowest 60% of the back, peaking a third of the way up (12 cm x sin(tilt) at its peak).
    t = np.linspace(0, 1, len(dorsal))[:, None]
    lumbar = np.where(t < 0.6, np.sin(np.pi * t / 0.6), 0.0)
    dorsal = dorsal + n * 0.12 * np.sin(np.radians(max(pelvic_tilt_deg, 0.0))) * scale * lumbar
    chest = shoulder - n * 0.13 * scale - u * 0.12 * scale
    belly = hip - n * 0.12 * scale + u * 0.12 * scale
    groin = hip - n * 0.07 * scale - u * 0.06 * scale
    neck_front = neck - n * 0.05 * scale
    outline = np.vstack(
        [[sacrum], dorsal, [neck + n * 0.03 * scale], [neck_front], [chest], [belly], [groin]]
    )
    polygon(img, outline, JERSEY)
    # Shorts over the pelvis.
    pelvis = np.array(
        [
            sacrum,
            low_back,
            low_back + u * 0.08 * scale,
            belly - u * 0.04 * scale,
            groin,
            hip - u * 0.08 * scale,
        ]
    )
    polygon(img, pelvis, SHORTS)
    # A soft highlight along the back.
    cv2.polylines(
        img,
        [np.round(dorsal[3:-3] - n * 0.02 * scale).astype(np.int32)],
        False,
        tuple(min(255, int(c * 1.3 + 15)) for c in JERSEY),
        max(2, int(0.02 * scale)),
        cv2.LINE_AA,
    )


def head_side(img, head, scale: float, facing: int) -> None:
    r = 0.105 * scale
    ellipse(img, head, (r * 1.02, r * 1.12), 0, SKIN)
    # Hair over the back and top of the head (OpenCV angles run clockwise from +x).
    start, end = (110, 300) if facing > 0 else (240, 430)
    cv2.ellipse(
        img,
        _p(head + np.array([-facing * 0.012 * scale, -0.01 * scale])),
        (int(r * 16), int(r * 1.1 * 16)),
        0,
        start,
        end,
        HAIR,
        -1,
        cv2.LINE_AA,
        shift=4,
    )
    # Nose, eye, mouth and ear in profile.
    nose = head + np.array([facing * r * 1.02, r * 0.12])
    tri = np.array(
        [nose + [0, -0.25 * r], nose + [facing * 0.22 * r, 0.12 * r], nose + [0, 0.22 * r]]
    )
    polygon(img, tri, SKIN)
    cv2.circle(
        img,
        _p(head + np.array([facing * 0.62 * r, -0.15 * r])),
        int(0.09 * r * 16),
        (40, 30, 30),
        -1,
        cv2.LINE_AA,
        shift=4,
    )
    cv2.line(
        img,
        _p(head + np.array([facing * 0.7 * r, 0.52 * r])),
        _p(head + np.array([facing * 0.95 * r, 0.5 * r])),
        (60, 60, 140),
        max(1, int(r * 0.08)),
        cv2.LINE_AA,
        shift=4,
    )
    ellipse(
        img, head + np.array([-facing * 0.12 * r, 0.05 * r]), (0.16 * r, 0.24 * r), 0, SKIN_DARK
    )


def head_rear(img, head, scale: float) -> None:
    r = 0.105 * scale
    ellipse(img, head, (r * 0.95, r * 1.12), 0, SKIN)
    ellipse(img, head + np.array([0, -0.08 * r]), (r * 0.97, r * 1.08), 0, HAIR)
    for s in (-1, 1):
        ellipse(img, head + np.array([s * 0.95 * r, 0.1 * r]), (0.15 * r, 0.25 * r), 0, SKIN_DARK)
    capsule(
        img, head + np.array([0, 0.8 * r]), head + np.array([0, 1.4 * r]), 0.55 * r * 2 * 0.55, SKIN
    )


def wheel(img, center, radius: float) -> None:
    cv2.circle(
        img, _p(center), int(radius * 16), TYRE, max(2, int(radius * 0.09)), cv2.LINE_AA, shift=4
    )
    cv2.circle(img, _p(center), int(radius * 0.9 * 16), (150, 150, 150), 1, cv2.LINE_AA, shift=4)
    for k in range(12):
        a = np.radians(k * 30)
        cv2.line(
            img,
            _p(center),
            _p(center + radius * 0.9 * np.array([np.cos(a), np.sin(a)])),
            (170, 170, 170),
            1,
            cv2.LINE_AA,
            shift=4,
        )
    cv2.circle(img, _p(center), int(radius * 0.08 * 16), METAL, -1, cv2.LINE_AA, shift=4)
