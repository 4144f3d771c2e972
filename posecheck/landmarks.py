"""The 33 BlazePose landmarks, left/right pairs and skeleton edges.

Index arrays by ``Landmark.LEFT_SHOULDER``, never by a bare number.
"""

from __future__ import annotations

from enum import IntEnum


class Landmark(IntEnum):
    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


N_LANDMARKS = len(Landmark)

#: (left, right) pairs; swapping these exchanges the body's sides.
LEFT_RIGHT_PAIRS: tuple[tuple[Landmark, Landmark], ...] = tuple(
    (Landmark[n], Landmark[n.replace("LEFT", "RIGHT")])
    for n in Landmark.__members__
    if n.startswith("LEFT_") or n.endswith("_LEFT")
)

#: Edges drawn for a skeleton (one side; ``side_edges`` gives both).
_LIMB_CHAIN = (
    ("SHOULDER", "ELBOW"),
    ("ELBOW", "WRIST"),
    ("SHOULDER", "HIP"),
    ("HIP", "KNEE"),
    ("KNEE", "ANKLE"),
    ("ANKLE", "HEEL"),
    ("HEEL", "FOOT_INDEX"),
    ("ANKLE", "FOOT_INDEX"),
    ("EAR", "SHOULDER"),
)


def side_landmark(side: str, joint: str) -> Landmark:
    """``side_landmark("left", "KNEE") -> Landmark.LEFT_KNEE``."""
    return Landmark[f"{side.upper()}_{joint.upper()}"]


def side_edges(side: str) -> list[tuple[Landmark, Landmark]]:
    return [(side_landmark(side, a), side_landmark(side, b)) for a, b in _LIMB_CHAIN]


SKELETON_EDGES: list[tuple[Landmark, Landmark]] = (
    side_edges("left")
    + side_edges("right")
    + [(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)]
)
