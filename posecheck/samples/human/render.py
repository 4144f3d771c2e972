"""Draw a posed MakeHuman rider on a bike and trainer in a room; return the truth with it.

Rasteriser: OpenCV polygons in depth order (painter's algorithm), flat-shaded per face,
drawn at twice the size and averaged down (anti-aliasing). Why not OpenGL: it runs wherever
the tests run (no GL context, no EGL/OSMesa to configure), and at phone resolutions a face
of this 13,000-quad body covers a few pixels, so per-face shading looks smooth. The body is
drawn in two halves split at the bike's centre plane, the bike between them, so the far leg
is behind the frame and the near leg in front of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posecheck.landmarks import N_LANDMARKS
from posecheck.landmarks import Landmark as L
from posecheck.samples import draw
from posecheck.samples.human.body import Body
from posecheck.samples.human.pose import M0, HumanPosture, Rig
from posecheck.samples.rider import included_angle_deg
from posecheck.samples.scene import FRONT_HUB, REAR_HUB, WHEEL_R, truth_angles

FLOOR_Y = REAR_HUB[1] - WHEEL_R - 0.02
SS = 2  # supersampling

# BGR clothing and skin
JERSEY = (130, 85, 25)  # blue jersey
SHORTS = (35, 35, 38)
SKIN = (105, 140, 190)
SHOE = (225, 225, 230)
HELMET = (235, 235, 240)
REGION_COLOURS = np.array([SKIN, JERSEY, SHORTS, SHOE, HELMET], float)


@dataclass(frozen=True)
class View:
    """A phone on a tripod beside the bike (side-right: on the rider's right)."""

    size_wh: tuple[int, int] = (640, 480)
    height_m: float = 1.0  # lens above the floor
    distance_m: float = 3.0  # from the bike's centre plane
    span_m: float = 2.2  # horizontal metres the picture's width covers at the bike
    side: str = "right"  # "right": beside the bike on the rider's right; "rear": behind it


def _regions(body: Body, rig: Rig) -> np.ndarray:
    """Per-vertex clothing region from the bone that moves it most."""
    bones = np.asarray(body.weights.argmax(axis=1)).ravel()
    names = np.array(body.bones)[bones]
    reg = np.zeros(len(names), int)  # skin
    for k, n in enumerate(names):
        if n.startswith(("spine", "clavicle", "shoulder01", "upperarm01", "breast")):
            reg[k] = 1
        elif n.startswith(("root", "pelvis", "upperleg", "special")):
            reg[k] = 2
        elif n.startswith(("foot", "toe")):
            reg[k] = 3
    v = body.verts @ M0.T
    reg[v[:, 1] > rig.eye_y + 0.035] = 4  # a helmet over the top of the head (arms are down)
    return reg


class HumanRenderer:
    def __init__(self, body: Body, view: View):
        self.body, self.view = body, view
        self.rig = Rig(body)
        self.quads = body.quads
        reg = _regions(body, self.rig)
        # region of a face: the most common of its corners
        counts = np.stack([(reg[self.quads] == r).sum(1) for r in range(5)], 1)
        self.face_colour = REGION_COLOURS[counts.argmax(1)]
        self.light = np.array([-0.4, 0.6, 0.7])
        self.light /= np.linalg.norm(self.light)
        w, h = view.size_wh
        self.f = w / view.span_m * view.distance_m
        self.rear = view.side == "rear"
        if self.rear:  # behind the rear wheel, looking forward along the bike
            self.cam = np.array([-0.2 - view.distance_m, view.height_m + FLOOR_Y, 0.0])
        else:
            self.cam = np.array([0.15, view.height_m + FLOOR_Y, view.distance_m])
        centre_y = 0.45  # aim the picture at the rider's middle (a shifted lens, no pitch)
        self.cx = w / 2
        self.cy = h / 2 + self.f * (centre_y - self.cam[1]) / view.distance_m

    def depth(self, xyz: np.ndarray) -> np.ndarray:
        return xyz[..., 0] - self.cam[0] if self.rear else self.cam[2] - xyz[..., 2]

    def project(self, xyz: np.ndarray) -> np.ndarray:
        d = self.depth(xyz)
        across = xyz[..., 2] - self.cam[2] if self.rear else xyz[..., 0] - self.cam[0]
        u = self.cx + self.f * across / d
        v = self.cy - self.f * (xyz[..., 1] - self.cam[1]) / d
        return np.stack([u, v], -1)

    def render(self, p: HumanPosture, seat: np.ndarray, noise_rng=None):
        R, H, tg, ang = self.rig.solve(p, seat)
        verts = self.rig.skin(R, H)
        w, h = self.view.size_wh
        W, Hh = w * SS, h * SS
        floor = self.project(np.array([0.0, FLOOR_Y, 0.0]))[1]
        img = draw.background(Hh, W, int(floor * SS))
        s = self.f / self.view.distance_m * SS  # px per metre at the bike plane

        def px(xyz):
            return self.project(np.asarray(xyz, float)) * SS

        q = self.quads
        uv = px(verts)
        fv = verts[q]  # (F,4,3)
        normal = np.cross(fv[:, 2] - fv[:, 0], fv[:, 3] - fv[:, 1])
        normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-12
        centre = fv.mean(1)
        to_cam = self.cam - centre
        facing = np.einsum("fi,fi->f", normal, to_cam) > 0
        shade = 0.35 + 0.65 * np.clip(normal @ self.light, 0, 1)
        colour = (self.face_colour * shade[:, None]).clip(0, 255)
        depth = np.linalg.norm(to_cam, axis=1)
        polys = np.round(uv[q] * 16).astype(np.int32)

        def draw_faces(sel):
            idx = np.nonzero(sel & facing)[0]
            idx = idx[np.argsort(-depth[idx])]
            cols = colour[idx].tolist()
            for k, c in zip(idx, cols):
                cv2.fillConvexPoly(img, polys[k], c, cv2.LINE_8, 4)

        if self.rear:
            self._draw_rear(img, px, s, floor, seat, draw_faces)
            return self._finish(img, p, verts, tg, ang, H, noise_rng)
        # trainer, wheels, far crank
        rh, fh, bb = px([*REAR_HUB, 0.0]), px([*FRONT_HUB, 0.0]), px([0.0, 0.0, 0.0])
        for dx in (-0.25, 0.25):
            draw.capsule(img, rh, np.array([rh[0] + dx * s, floor * SS]), 0.03 * s, draw.METAL)
        draw.wheel(img, rh, WHEEL_R * s)
        draw.wheel(img, fh, WHEEL_R * s)
        draw.capsule(img, bb, px(tg["ball.L"]), 0.025 * s, draw.METAL)
        far = centre[:, 2] < 0
        draw_faces(far)
        # frame, saddle, bars
        saddle = px(seat + np.array([0.0, -0.07, 0.0]))
        head_top = px([0.50, 0.70, 0.0])
        bar = px(0.5 * (tg["wrist.R"] + tg["wrist.L"]) + np.array([0.02, -0.03, 0.0]))
        for a, b in ((rh, bb), (rh, saddle), (bb, saddle), (bb, head_top), (saddle, head_top),
                     (head_top, fh)):  # fmt: skip
            draw.capsule(img, a, b, 0.035 * s, draw.FRAME)
        draw.capsule(img, head_top, bar, 0.03 * s, draw.METAL)
        draw.capsule(img, saddle - [0.1 * s, 0], saddle + [0.08 * s, 0], 0.035 * s, (20, 20, 20))
        draw.capsule(img, bb, px(tg["ball.R"]), 0.025 * s, draw.METAL)
        draw_faces(~far)
        return self._finish(img, p, verts, tg, ang, H, noise_rng)

    def _finish(self, img, p, verts, tg, ang, H, noise_rng):
        img = cv2.resize(img, self.view.size_wh, interpolation=cv2.INTER_AREA)
        if noise_rng is not None:  # sensor noise
            img = np.clip(img + noise_rng.normal(0, 2.0, img.shape), 0, 255).astype(np.uint8)
        lm, truth = self._truth(p, verts, tg, ang, H)
        return img, lm, truth

    def _draw_rear(self, img, px, s, floor, seat, draw_faces) -> None:
        """From behind: the front wheel beyond the rider, the body, then what is nearer the
        camera than the rider: the saddle's tail, the rear wheel and the trainer."""
        top = WHEEL_R + FRONT_HUB[1]
        draw.capsule(img, px([FRONT_HUB[0], FLOOR_Y + 0.02, 0]), px([FRONT_HUB[0], top, 0]),
                     0.03 * s, draw.TYRE)  # fmt: skip
        everything = np.ones(len(self.quads), bool)
        draw_faces(everything)
        saddle = seat + np.array([-0.1, -0.13, 0.0])  # its tail, under the buttocks
        draw.capsule(img, px(saddle + [0, 0, -0.07]), px(saddle + [0, 0, 0.07]), 0.04 * s,
                     (20, 20, 20))  # fmt: skip
        hub = np.array([REAR_HUB[0], REAR_HUB[1], 0.0])
        for side in (-1, 1):  # trainer legs and seat stays
            draw.capsule(img, px(hub + [0, 0, 0.06 * side]),
                         px([hub[0], FLOOR_Y, 0.28 * side]), 0.03 * s, draw.METAL)  # fmt: skip
            stay = saddle + [0.05, -0.05, 0.02 * side]
            draw.capsule(img, px(hub + [0, 0, 0.06 * side]), px(stay), 0.02 * s, draw.FRAME)
        draw.capsule(img, px([hub[0], FLOOR_Y + 0.02, 0]), px([hub[0], hub[1] + WHEEL_R, 0]),
                     0.035 * s, draw.TYRE)  # fmt: skip

    def _truth(self, p, verts, tg, ang, H):
        rig, i = self.rig, self.rig.i
        body = self.body

        def joint(name):
            return verts[body.groups[name]].mean(0)

        pts3 = {
            "nose": verts[rig.vertex["nose"]],
            "ear.R": verts[rig.vertex["ear.R"]],
            "ear.L": verts[rig.vertex["ear.L"]],
            "eye.R": joint("joint-r-eye"),
            "eye.L": joint("joint-l-eye"),
            "mouth": joint("joint-mouth"),
        }
        for s, c in (("R", "r"), ("L", "l")):
            pts3 |= {
                f"shoulder.{s}": H[i["upperarm01." + s]],
                f"elbow.{s}": H[i["lowerarm01." + s]],
                f"wrist.{s}": H[i["wrist." + s]],
                f"hip.{s}": H[i["upperleg01." + s]],
                f"knee.{s}": H[i["lowerleg01." + s]],
                f"ankle.{s}": H[i["foot." + s]],
                f"toe.{s}": tg["ball." + s]
                + 0.6 * (tg["ball." + s] - H[i["foot." + s]]) * [1, 1, 0],
                f"heel.{s}": H[i["foot." + s]]
                + (H[i["foot." + s]] - tg["ball." + s]) * [0.45, 0.8, 0]
                - [0, 0.05, 0],
                f"index.{s}": joint(f"joint-{c}-finger-2-2"),
                f"pinky.{s}": joint(f"joint-{c}-finger-5-2"),
                f"thumb.{s}": joint(f"joint-{c}-finger-1-3"),
            }
        px = {k: self.project(v) for k, v in pts3.items()}
        lm = np.full((N_LANDMARKS, 2), np.nan)
        lm[L.NOSE] = px["nose"]
        for side, s in (("RIGHT", "R"), ("LEFT", "L")):
            for j, key in (("SHOULDER", "shoulder"), ("ELBOW", "elbow"), ("WRIST", "wrist"),
                           ("HIP", "hip"), ("KNEE", "knee"), ("ANKLE", "ankle"),
                           ("HEEL", "heel"), ("FOOT_INDEX", "toe"), ("INDEX", "index"),
                           ("PINKY", "pinky"), ("THUMB", "thumb")):  # fmt: skip
                lm[L[f"{side}_{j}"]] = px[f"{key}.{s}"]
            lm[L[f"{side}_EAR"]] = px["ear." + s]
            for e in ("EYE", "EYE_INNER", "EYE_OUTER"):
                lm[L[f"{side}_{e}"]] = px["eye." + s]
            lm[L[f"MOUTH_{side}"]] = px["mouth"]
        near = {k[:-2]: v[:2] for k, v in pts3.items() if k.endswith(".R")}
        truth = truth_angles(near)
        sh, ear = pts3["shoulder.R"], pts3["ear.R"]
        truth |= {
            "thoracic_flexion_deg": float(ang["thoracic"]),
            "lumbar_flexion_deg": float(ang["lumbar"]),
            "pelvic_tilt_deg": float(p.pelvis_deg - ang["pelvis"]),
            "hip_height_m": float(pts3["hip.R"][1]),
            "ear_shoulder_m": float(np.linalg.norm(ear - sh)),
            # hip line in the frontal plane, + = right hip up (as the rear view's metric)
            "pelvic_obliquity_deg": float(
                np.degrees(
                    np.arctan2(
                        pts3["hip.R"][1] - pts3["hip.L"][1], pts3["hip.R"][2] - pts3["hip.L"][2]
                    )
                )
            ),
            "knee_angle_3d_deg": included_angle_deg(pts3["hip.R"], pts3["knee.R"], pts3["ankle.R"]),
        }
        return lm, truth
