"""A rider on a bike on a trainer, posed from posture parameters and drawn with OpenCV.

Kinematics are computed in metres in the bike's sagittal plane (x forward, y up, origin at
the bottom bracket) and projected to pixels. Everything the drawing is driven by is
returned as ground truth: landmark pixel positions (BlazePose indices), the true included
angles and the posture parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Segment lengths, metres (a rider of about 1.78 m).
THIGH_M = 0.44
SHIN_M = 0.43
UPPER_ARM_M = 0.29
FOREARM_M = 0.27
TRUNK_M = 0.50  # hip joint to shoulder joint, before any shrug
CRANK_M = 0.1725
BALL_TO_ANKLE_M = 0.135


@dataclass(frozen=True)
class Posture:
    """Posture parameters the renderer is driven by (one frame)."""

    crank_deg: float  # crank angle, 0 = pedal forward at 3 o'clock, 90 = bottom (6 o'clock)
    back_deg: float = 40.0  # hip->shoulder line against horizontal
    shrug_m: float = 0.0  # shoulder raised along the trunk towards the ear
    elbow_deg: float = 155.0  # included elbow angle
    thoracic_bulge: float = 0.04  # dorsal contour bulge over its chord (0 = flat back)
    pelvic_tilt_deg: float = 0.0  # posterior pelvic rotation (positive = tucked under)
    head_deg: float = 35.0  # neck-base->head line above horizontal
    saddle_height_m: float = 0.64  # bottom bracket to saddle top along the seat tube
    hand_drop_deg: float = 50.0  # shoulder->hand line below horizontal
    hip_rock_deg: float = 0.0  # rear view: hip line tilt amplitude over a stroke
    standing: bool = False


@dataclass
class RiderPose:
    """World positions (metres, sagittal plane) of the near (right) and far (left) sides."""

    pts: dict[str, np.ndarray] = field(default_factory=dict)


def _ik_two_link(root: np.ndarray, end: np.ndarray, a: float, b: float, bend: float) -> np.ndarray:
    """Middle joint of a two-link chain root->mid->end with lengths a, b.

    ``bend`` = +1 puts the joint to the left of root->end (counter-clockwise), -1 to the right.
    Clamps unreachable targets to a straight chain.
    """
    d_vec = end - root
    d = float(np.hypot(*d_vec))
    d = min(max(d, abs(a - b) + 1e-6), a + b - 1e-9)
    cos_a = (a * a + d * d - b * b) / (2 * a * d)
    ang = np.arccos(np.clip(cos_a, -1, 1))
    base = np.arctan2(d_vec[1], d_vec[0])
    th = base + bend * ang
    return root + a * np.array([np.cos(th), np.sin(th)])


def _unit(deg: float) -> np.ndarray:
    r = np.radians(deg)
    return np.array([np.cos(r), np.sin(r)])


def leg_points(p: Posture, phase_offset_deg: float = 0.0) -> dict[str, np.ndarray]:
    """Hip, knee, ankle, heel, toe and pedal for one leg (sagittal plane, metres)."""
    seat = np.radians(73.5)
    saddle = np.array([-np.cos(seat), np.sin(seat)]) * p.saddle_height_m
    hip = saddle + np.array([0.02, 0.09])
    if p.standing:
        hip = hip + np.array([0.25, 0.14])
    crank = np.radians(p.crank_deg + phase_offset_deg)
    pedal = CRANK_M * np.array([np.cos(crank), -np.sin(crank)])
    # Foot from ball (over the pedal) back to the ankle; ankles a little through the stroke.
    foot_deg = 180 - 28 + 20 * np.sin(crank - np.radians(70))  # pointing back and up
    ankle = pedal + BALL_TO_ANKLE_M * _unit(foot_deg)
    knee = _ik_two_link(hip, ankle, THIGH_M, SHIN_M, bend=+1)  # knee forward and up
    toe = pedal + 0.07 * _unit(foot_deg + 180)
    heel = ankle + 0.07 * _unit(foot_deg - 70)
    return {
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": heel,
        "toe": toe,
        "pedal": pedal,
        "saddle": saddle,
    }


def upper_points(p: Posture, hip: np.ndarray) -> dict[str, np.ndarray]:
    """Trunk, head and arm points for a given hip (sagittal plane, metres)."""
    u = _unit(p.back_deg)
    shoulder = hip + (TRUNK_M + p.shrug_m) * u
    neck = hip + (TRUNK_M + 0.06) * u
    head = neck + 0.15 * _unit(p.head_deg)
    ear = head + np.array([-0.015, -0.005])
    nose = head + np.array([0.105, -0.02])
    eye = head + np.array([0.07, 0.02])
    mouth = head + np.array([0.085, -0.05])
    # Hands at a distance set by the included elbow angle along a fixed drop line.
    reach = np.sqrt(
        UPPER_ARM_M**2
        + FOREARM_M**2
        - 2 * UPPER_ARM_M * FOREARM_M * np.cos(np.radians(p.elbow_deg))
    )
    wrist = shoulder + reach * _unit(-p.hand_drop_deg)
    elbow = _ik_two_link(shoulder, wrist, UPPER_ARM_M, FOREARM_M, bend=-1)  # elbow down/back
    hand_dir = _unit(-p.hand_drop_deg + 15)
    return {
        "shoulder": shoulder,
        "neck": neck,
        "head": head,
        "ear": ear,
        "nose": nose,
        "eye": eye,
        "mouth": mouth,
        "elbow": elbow,
        "wrist": wrist,
        "index": wrist + 0.08 * hand_dir,
        "pinky": wrist + 0.07 * _unit(-p.hand_drop_deg + 35),
        "thumb": wrist + 0.05 * _unit(-p.hand_drop_deg - 20),
    }


def included_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    v1, v2 = a - b, c - b
    cos = np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2))
    return float(np.degrees(np.arccos(np.clip(cos, -1, 1))))


def thoracic_rounding_deg(bulge: float) -> float:
    """Angle between the end tangents of the quadratic dorsal curve with this bulge/chord."""
    return float(np.degrees(2 * np.arctan(2 * bulge)))
