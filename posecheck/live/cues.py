"""Cues in plain words, and when to give them: once a sign has held past its threshold for
the sustain window, again at most every ``repeat_s`` while it holds, cleared when it returns."""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.fatigue import SIGN_BY_METRIC

#: metric -> (what to do, what happened, for "... for 40 s")
WORDS = {
    "shrug_ratio": ("Drop your shoulders", "they have crept up"),
    "elbow_angle_deg": ("Soften your elbows", "they have been locking out"),
    "neck_angle_deg": ("Relax your neck", "your head has been tipping back"),
    "thoracic_rounding_deg": ("Lift your chest", "your upper back has been rounding"),
    "back_angle_deg": ("Reset on the saddle", "your back angle has been dropping"),
    "pelvic_tilt_deg": ("Sit up on your sit bones", "your pelvis has been tipping back"),
    "hip_bounce_pct": ("Smooth your pedalling", "your hips have been bouncing"),
    "hip_rocking_deg": ("Steady your hips", "they have been rocking"),
}


def duration_words(s: float) -> str:
    s = int(round(s))
    return f"{s} s" if s < 120 else f"{s // 60} min"


def cue_message(metric: str, held_s: float) -> str:
    do, seen = WORDS[metric]
    return f"{do}: {seen} for {duration_words(held_s)}"


@dataclass(frozen=True)
class Cue:
    time_s: float
    metric: str
    message: str
    family: str


class CuePolicy:
    def __init__(self, repeat_s: float):
        self.repeat_s = repeat_s
        self.last: dict[str, float] = {}
        self.active: set[str] = set()

    def update(self, now: float, held: dict[str, float]) -> tuple[list[Cue], list[str]]:
        """(cues to give now, signs that cleared) for the signs ``held`` now: {metric: s}."""
        cues = []
        for m, held_s in sorted(held.items()):
            if now - self.last.get(m, -1e9) >= self.repeat_s:
                cues.append(Cue(now, m, cue_message(m, held_s), SIGN_BY_METRIC[m].family))
                self.last[m] = now
        cleared = sorted(self.active - set(held))
        self.active = set(held)
        return cues, cleared
