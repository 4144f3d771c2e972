"""Rendered sample clips with per-frame ground truth (``posecheck samples``).

Each scenario is a schedule of posture parameters over time. ``render_clip`` draws it,
encodes H.264 (with the ffmpeg that ships in the ``imageio-ffmpeg`` wheel) and writes beside
the clip ``<name>.truth.npz`` (frame, t_s, landmarks_px (T,33,2), the true angles and the
driven parameters, one array each) and ``<name>.json`` (the scenario: view, fps, onsets).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from posecheck.samples.rider import Posture
from posecheck.samples.scene import render_rear, render_side

log = logging.getLogger(__name__)


def ramp(t: float, onset_s: float, full_s: float) -> float:
    """0 before ``onset_s``, rising linearly to 1 at ``full_s``, 1 after."""
    if full_s <= onset_s:
        return float(t >= onset_s)
    return float(np.clip((t - onset_s) / (full_s - onset_s), 0.0, 1.0))


def window(t: float, start_s: float, end_s: float, ease_s: float = 1.5) -> float:
    """1 inside [start, end], easing in and out over ``ease_s``; 0 elsewhere."""
    return min(ramp(t, start_s - ease_s, start_s), 1.0 - ramp(t, end_s, end_s + ease_s))


@dataclass(frozen=True)
class Scenario:
    name: str
    duration_s: float
    view: str = "side-right"  # side-right, side-left or rear
    fps: float = 30.0
    size_wh: tuple[int, int] = (640, 480)
    cadence_rpm: float = 88.0
    base: Posture = Posture(crank_deg=0.0)
    #: parameter -> (onset_s, full_s, change at full): a drift that starts at onset_s
    drifts: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    #: transient events: (kind, start_s, end_s) with kind in stand, drink, head_turn, hands
    events: tuple[tuple[str, float, float], ...] = ()
    description: str = ""
    #: the phone rolled: a level line appears rotated this many degrees counter-clockwise
    camera_tilt_deg: float = 0.0
    #: side of an ArUco marker (DICT_4X4_50, id 7) on the wall behind the bike, cm; 0 = none
    aruco_cm: float = 0.0
    #: cadence changing over the ride: (time_s, rpm) points, linear between them (before the
    #: first and after the last: held); empty = ``cadence_rpm`` throughout
    cadence_profile: tuple[tuple[float, float], ...] = ()

    def cadence_at(self, t: float) -> float:
        if not self.cadence_profile:
            return self.cadence_rpm
        ts, rpm = zip(*self.cadence_profile)
        return float(np.interp(t, ts, rpm))

    def crank_turns(self, t: float) -> float:
        """Crank revolutions from the start to ``t`` (the cadence integrated)."""
        if not self.cadence_profile:
            return t * self.cadence_rpm / 60.0
        ts = np.array([p[0] for p in self.cadence_profile], float)
        grid = np.unique(np.concatenate([[0.0], ts[(ts > 0) & (ts < t)], [t]]))
        rpm = np.interp(grid, ts, [p[1] for p in self.cadence_profile])
        return float(np.sum((rpm[1:] + rpm[:-1]) / 2 * np.diff(grid)) / 60.0)

    def posture(self, t: float) -> Posture:
        crank = (self.crank_turns(t) * 360.0) % 360.0
        p = replace(self.base, crank_deg=crank)
        # Natural breathing-scale sway so a steady ride is not perfectly constant.
        changes = {
            "back_deg": p.back_deg + 0.6 * np.sin(2 * np.pi * t / 7.3),
            "shrug_m": p.shrug_m + 0.002 * np.sin(2 * np.pi * t / 5.1),
        }
        for name, (onset, full, delta) in self.drifts.items():
            changes[name] = changes.get(name, getattr(p, name)) + delta * ramp(t, onset, full)
        for kind, start, end in self.events:
            k = window(t, start, end)
            if k <= 0:
                continue
            if kind == "stand":
                changes["standing"] = k > 0.5
                changes["back_deg"] = changes["back_deg"] + 25 * k
            elif kind == "drink":
                changes["elbow_deg"] = changes.get("elbow_deg", p.elbow_deg) - 40 * k
                changes["head_deg"] = p.head_deg + 25 * k
            elif kind == "head_turn":
                changes["head_deg"] = p.head_deg - 25 * k
            elif kind == "hands":
                changes["hand_drop_deg"] = p.hand_drop_deg + 15 * k
                changes["elbow_deg"] = changes.get("elbow_deg", p.elbow_deg) - 20 * k
        return replace(p, **changes)

    #: H.264 settings: flat cartoon colours compress well as "animation"
    TUNE = "animation"
    CRF = 32

    def draw(self, t: float):
        """(bgr image, landmarks px (33,2), truth dict, posture) at time ``t``."""
        p = self.posture(t)
        if self.view == "rear":
            img, lm, truth = render_rear(p, self.size_wh)
        else:
            img, lm, truth = render_side(
                p, self.size_wh, facing=1 if self.view == "side-right" else -1
            )
        return img, lm, truth, p

    def meta(self) -> dict:
        """What the clip's JSON records beyond the schedule."""
        return {"renderer": "cartoon (posecheck.samples.scene)"}


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "fit_check_side", 20.0, description="Steady side-view (right) fit check at 88 rpm."
        ),
        Scenario(
            "fatigue_side",
            180.0,
            drifts={
                "shrug_m": (80.0, 150.0, 0.035),
                "thoracic_bulge": (80.0, 150.0, 0.10),
                "elbow_deg": (80.0, 150.0, 14.0),
            },
            description="Side view (right): fresh for 80 s, then the shoulders creep up, the "
            "upper back rounds and the elbows lock out, fully by 150 s.",
        ),
        Scenario(
            "rear_rocking",
            20.0,
            view="rear",
            base=Posture(crank_deg=0.0, hip_rock_deg=6.0),
            description="Rear view with the hips rocking 6 degrees each stroke.",
        ),
        # Fatigue-timeline scenarios: 150 s at 15 fps, one sign each with a known onset at 60 s
        # (fully developed at 100 s), a steady control and transients inside a steady ride.
        # Rendered by the tests (not committed): `posecheck samples --all` renders them too.
        *(
            Scenario(name, 150.0, fps=15.0, drifts=drifts, events=events, description=text)
            for name, drifts, events, text in (
                ("steady_side", {}, (), "Steady control: 150 s of unchanged posture."),
                (
                    "shrug_onset",
                    {"shrug_m": (60.0, 100.0, 0.04)},
                    (),
                    "Shoulders creep up 4 cm from 60 s, fully by 100 s.",
                ),
                (
                    "elbow_onset",
                    {"elbow_deg": (60.0, 100.0, 15.0)},
                    (),
                    "Elbows straighten by 15 degrees from 60 s, fully by 100 s.",
                ),
                (
                    "thoracic_onset",
                    {"thoracic_bulge": (60.0, 100.0, 0.10)},
                    (),
                    "Upper back rounds (bulge +0.10 of the chord) from 60 s, fully by 100 s.",
                ),
                (
                    "pelvic_onset",
                    {"pelvic_tilt_deg": (60.0, 100.0, 15.0)},
                    (),
                    "Pelvis tips back 15 degrees from 60 s, fully by 100 s.",
                ),
                (
                    "transients_side",
                    {},
                    (
                        ("stand", 42.0, 60.0),
                        ("drink", 75.0, 83.0),
                        ("head_turn", 95.0, 99.0),
                        ("hands", 110.0, 128.0),
                    ),
                    "Steady ride with a standing effort, a drink, a head turn and a spell on the "
                    "tops, each returning to the same posture.",
                ),
            )
        ),
    )
}
# Before/after scenarios for the comparison (20 s, rendered by the tests): the bundled
# fit_check_side is "before". Saddle 0.640 -> 0.653 m raises the knee at BDC by 5.9 deg;
# 0.642 m by about 1 deg; the back 8 deg lower stands for lowered bars.
SCENARIOS.update(
    {
        s.name: s
        for s in (
            Scenario(
                "after_saddle_up",
                20.0,
                base=Posture(crank_deg=0.0, saddle_height_m=0.653),
                description="Fit check after raising the saddle 13 mm (knee at BDC +5.9 deg).",
            ),
            Scenario(
                "after_saddle_1deg",
                20.0,
                base=Posture(crank_deg=0.0, saddle_height_m=0.642),
                description="Fit check after raising the saddle 2 mm (knee at BDC +1 deg).",
            ),
            Scenario(
                "after_bars_down",
                20.0,
                base=Posture(crank_deg=0.0, back_deg=32.0),
                description="Fit check after lowering the bars (back angle -8 deg).",
            ),
        )
    }
)
# Camera scenarios (20 s, rendered by the tests): the fit check filmed with the phone rolled
# 6 degrees, and with an 18 cm ArUco marker on the wall and the phone rolled -4 degrees.
SCENARIOS.update(
    {
        s.name: s
        for s in (
            Scenario(
                "fit_check_tilted",
                20.0,
                camera_tilt_deg=6.0,
                description="Fit check filmed with the phone rolled 6 degrees.",
            ),
            Scenario(
                "fit_check_aruco",
                20.0,
                camera_tilt_deg=-4.0,
                aruco_cm=18.0,
                description="Fit check with an 18 cm ArUco marker on the wall, phone rolled -4 "
                "degrees.",
            ),
        )
    }
)
# Ride-file scenario (150 s at 15 fps, rendered by the tests): the cadence changes in steps
# a head unit would record (82-95-76-90-70-88 rpm), so a ride file can be matched to the
# video by cadence; the shoulders creep up from 60 s, so findings carry ride figures.
RIDE_CADENCE = (
    (0.0, 82.0), (20.0, 82.0), (24.0, 95.0), (44.0, 95.0), (48.0, 76.0), (70.0, 76.0),
    (74.0, 90.0), (95.0, 90.0), (99.0, 70.0), (115.0, 70.0), (119.0, 88.0), (150.0, 88.0),
)  # fmt: skip
SCENARIOS["ride_cadence"] = Scenario(
    "ride_cadence",
    150.0,
    fps=15.0,
    cadence_profile=RIDE_CADENCE,
    drifts={"shrug_m": (60.0, 100.0, 0.04)},
    description="Cadence in steps (82-95-76-90-70-88 rpm) for matching a ride file; the "
    "shoulders creep up 4 cm from 60 s.",
)
#: the scenarios committed in sample_videos/ (small; the app and README use them)
BUNDLED = ("fit_check_side", "fatigue_side", "rear_rocking")
#: the scenarios only the tests use, committed rendered in sample_videos/scenarios (15 MB):
#: rendering them took a quarter of the suite's CPU time, and a render is the same bytes on
#: any machine (tests/unit/test_samples.py renders one and compares)
TEST_SCENARIOS = tuple(n for n in SCENARIOS if n not in BUNDLED)
SCENARIO_CLIPS = "scenarios"
SAMPLE_VIDEOS = Path(__file__).resolve().parents[2] / "sample_videos"


def committed_scenario(name: str, samples_dir: Path = SAMPLE_VIDEOS) -> Path:
    """Where the committed render of test scenario ``name`` lies (it may not exist)."""
    return samples_dir / SCENARIO_CLIPS / f"{name}.mp4"


def is_render_of(clip: Path, sc: Scenario) -> bool:
    """Whether ``clip``'s json says it was rendered from today's ``sc``."""
    said = json.loads(clip.with_suffix(".json").read_text())
    return said == json.loads(json.dumps(scenario_meta(sc)))


def render_frame(sc: Scenario, t: float):
    img, lm, truth, p = sc.draw(t)
    if sc.aruco_cm:
        paste_marker(img, sc.aruco_cm / 100 * px_per_m(sc))
    if sc.camera_tilt_deg:
        img, lm = tilt_frame(img, lm, sc.camera_tilt_deg)
    return img, lm, truth, p


def px_per_m(sc: Scenario) -> float:
    from posecheck.samples.scene import Camera

    return Camera(sc.size_wh, 1).scale


ARUCO_ID = 7


def paste_marker(img: np.ndarray, side_px: float) -> None:
    """An upright ArUco marker (with its white margin) high on the wall, left of the bike."""
    import cv2

    n = int(round(side_px))
    marker = cv2.aruco.generateImageMarker(
        cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), ARUCO_ID, n
    )
    pad = max(4, n // 6)
    h, w = img.shape[:2]
    x0, y0 = int(0.1 * w), int(0.1 * h)
    img[y0 - pad : y0 + n + pad, x0 - pad : x0 + n + pad] = 255
    img[y0 : y0 + n, x0 : x0 + n] = marker[..., None]


def tilt_frame(img: np.ndarray, lm: np.ndarray, tilt_deg: float):
    """The picture a phone rolled by ``tilt_deg`` sees: the image turned counter-clockwise
    about its centre (edges filled by replication), the landmarks with it."""
    import cv2

    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), tilt_deg, 1.0)
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out, lm @ m[:, :2].T + m[:, 2]


def scenario_meta(sc: Scenario) -> dict:
    """What ``render_clip`` writes beside the clip as ``<name>.json``."""
    return {
        "name": sc.name,
        "view": sc.view,
        "fps": sc.fps,
        "size_wh": list(sc.size_wh),
        "duration_s": sc.duration_s,
        "cadence_rpm": sc.cadence_rpm,
        "drifts": {
            k: {"onset_s": a, "full_s": b, "change": c} for k, (a, b, c) in sc.drifts.items()
        },
        "events": [{"kind": k, "start_s": a, "end_s": b} for k, a, b in sc.events],
        "camera_tilt_deg": sc.camera_tilt_deg,
        "aruco_cm": sc.aruco_cm,
        "px_per_m": px_per_m(sc),
        "aruco_side_px": int(round(sc.aruco_cm / 100 * px_per_m(sc))) if sc.aruco_cm else 0,
        "description": sc.description,
        **sc.meta(),
    }


def render_clip(
    sc: Scenario,
    outdir: str | Path,
    crf: int | None = None,
    on_frame: Callable[[int, int], None] | None = None,
) -> Path:
    """Render ``sc`` to ``outdir/<name>.mp4`` with its ground truth; returns the clip path."""
    import imageio_ffmpeg

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    n = int(round(sc.duration_s * sc.fps))
    clip = outdir / f"{sc.name}.mp4"
    tmp = outdir / f".{sc.name}.tmp.mp4"
    writer = imageio_ffmpeg.write_frames(
        str(tmp),
        sc.size_wh,
        fps=sc.fps,
        codec="libx264",
        pix_fmt_in="bgr24",
        pix_fmt_out="yuv420p",
        quality=None,
        macro_block_size=16,
        output_params=[
            "-crf",
            str(crf or sc.CRF),
            "-preset",
            "slow",
            "-tune",
            sc.TUNE,
            "-g",
            str(int(sc.fps * 10)),
            # x264 picks algorithms by CPU (AVX-512 or not) unless told not to: without this
            # the same scenario gave other bytes on another machine, and its stored poses
            # (keyed by the clip's content) no longer matched
            "-x264-params",
            "cpu-independent=1",
        ],
        ffmpeg_log_level="error",
    )
    writer.send(None)
    lms, truths, params = [], [], []
    for i in range(n):
        t = i / sc.fps
        img, lm, truth, p = render_frame(sc, t)
        writer.send(np.ascontiguousarray(img))
        lms.append(lm)
        truths.append(truth)
        params.append({k: float(v) for k, v in asdict(p).items()})
        if on_frame:
            on_frame(i + 1, n)
    writer.close()
    os.replace(tmp, clip)
    f32 = np.float32  # a thousandth of a pixel or degree is plenty; halves the files
    arrays = {
        "frame": np.arange(n),
        "t_s": np.arange(n) / sc.fps,
        "landmarks_px": np.array(lms, f32),
    }
    arrays.update({f"truth_{k}": np.array([d[k] for d in truths], f32) for k in truths[0]})
    arrays.update({f"param_{k}": np.array([d[k] for d in params], f32) for k in params[0]})
    np.savez_compressed(outdir / f"{sc.name}.truth.npz", **arrays)
    (outdir / f"{sc.name}.json").write_text(json.dumps(scenario_meta(sc), indent=2))
    return clip


def load_truth(clip: str | Path) -> dict[str, np.ndarray]:
    """The ground truth saved beside a rendered clip."""
    clip = Path(clip)
    with np.load(clip.with_name(clip.stem + ".truth.npz"), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
