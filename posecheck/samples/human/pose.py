"""Pose the MakeHuman skeleton on a bike from posture parameters; skin it (linear blend).

World frame (the bike's): metres, origin at the bottom bracket, +x forward, +y up, +z to the
rider's right (towards the camera of a side-right view). Joint angles are set where a bike
fitter reads them: the legs by inverse kinematics from the pedal and the hip on the saddle,
the trunk by pelvis rotation plus lumbar and thoracic flexion spread over the spine bones,
the shrug by elevating the clavicles, the arms by inverse kinematics to the hands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.samples.human.body import Body
from posecheck.samples.rider import Posture, included_angle_deg, thoracic_rounding_deg

#: body frame (x left, y up, z forward) -> world frame (x forward, y up, z right)
M0 = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])
SEAT_DEG = 73.5
CRANK_M = 0.1725
LUMBAR = ("spine05", "spine04", "spine03")
THORACIC = ("spine02", "spine01")
NECK = ("neck01", "neck02", "neck03")


@dataclass(frozen=True)
class HumanPosture(Posture):
    """The cartoon's posture parameters plus what a jointed body needs."""

    knee_bdc_deg: float = 145.0  # saddle height set by the knee's angle at the bottom
    pelvis_deg: float = 28.0  # anterior pelvic rotation from standing, before any tilt
    hip_bounce_m: float = 0.0  # peak-to-peak vertical hip excursion per stroke


def rot_z(deg: float) -> np.ndarray:
    r = np.radians(deg)
    c, s = np.cos(r), np.sin(r)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rot_x(deg: float) -> np.ndarray:
    r = np.radians(deg)
    c, s = np.cos(r), np.sin(r)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def lean(deg: float) -> np.ndarray:
    """Rotation tipping +y forward (towards +x) by ``deg``."""
    return rot_z(-deg)


def swing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction ``a`` to direction ``b``."""
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    if c < -0.999999:
        return -np.eye(3)
    k = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + k + k @ k / (1 + c)


def two_link(root: np.ndarray, end: np.ndarray, a: float, b: float, pole: np.ndarray):
    """Middle joint of root->mid->end (lengths a, b), bent towards ``pole``."""
    d_vec = end - root
    d = float(np.linalg.norm(d_vec))
    d = min(max(d, abs(a - b) + 1e-6), a + b - 1e-9)
    u = d_vec / np.linalg.norm(d_vec)
    n = pole - np.dot(pole, u) * u
    n /= np.linalg.norm(n)
    cos_a = (a * a + d * d - b * b) / (2 * a * d)
    sin_a = np.sqrt(max(0.0, 1 - cos_a * cos_a))
    return root + a * (cos_a * u + sin_a * n)


class Rig:
    """Rest geometry of one body in world axes, and the posing of it."""

    def __init__(self, body: Body):
        self.body = body
        self.h = body.head @ M0.T
        self.t = body.tail @ M0.T
        self.i = {n: k for k, n in enumerate(body.bones)}
        b = self.i
        self.order: list[int] = []  # parents before children
        todo = list(range(len(body.bones)))
        while todo:
            done = set(self.order)
            ready = [k for k in todo if body.parent[k] < 0 or body.parent[k] in done]
            self.order += ready
            todo = [k for k in todo if k not in set(ready)]
        self.thigh = {s: self._len("upperleg01." + s, "lowerleg01." + s) for s in "LR"}
        self.shank = {s: self._len("lowerleg01." + s, "foot." + s) for s in "LR"}
        self.upper_arm = {s: self._len("upperarm01." + s, "lowerarm01." + s) for s in "LR"}
        self.forearm = {s: self._len("lowerarm01." + s, "wrist." + s) for s in "LR"}
        v = body.verts @ M0.T
        side = {"L": "l", "R": "r"}
        self.ball = {
            s: np.mean([v[body.groups[f"joint-{side[s]}-toe-{k}-1"]].mean(0) for k in (2, 3, 4)], 0)
            for s in "LR"
        }
        self.hip_mid = 0.5 * (self.h[b["upperleg01.L"]] + self.h[b["upperleg01.R"]])
        # Landmark vertices on the skin: ears (most lateral at eye height), nose tip.
        skin = body.groups["body"]
        head_y = self.h[b["head"]][1]
        eye_y = 0.5 * (
            v[body.groups["joint-l-eye"]].mean(0)[1] + v[body.groups["joint-r-eye"]].mean(0)[1]
        )
        band = skin[(v[skin, 1] > eye_y - 0.03) & (v[skin, 1] < eye_y + 0.01)]
        self.vertex = {
            "ear.R": int(band[np.argmax(v[band, 2])]),
            "ear.L": int(band[np.argmin(v[band, 2])]),
        }
        near_nose = skin[(v[skin, 1] > head_y) & (v[skin, 1] < eye_y)]
        self.vertex["nose"] = int(near_nose[np.argmax(v[near_nose, 0])])
        self.eye_y = eye_y

    def _len(self, a: str, b: str) -> float:
        return float(np.linalg.norm(self.h[self.i[b]] - self.h[self.i[a]]))

    # -- posing ------------------------------------------------------------------------------
    def pose(self, p: HumanPosture, hip_mid: np.ndarray, lumbar_deg: float):
        """World rotations (B,3,3) and heads (B,3) of every bone, and named joint targets."""
        body, h, t, i = self.body, self.h, self.t, self.i
        nb = len(body.bones)
        R = np.zeros((nb, 3, 3))
        H = np.zeros((nb, 3))
        phi = p.pelvis_deg - p.pelvic_tilt_deg
        thor = thoracic_rounding_deg(p.thoracic_bulge)
        flex = {n: lumbar_deg / 3 for n in LUMBAR} | {n: thor / 2 for n in THORACIC}
        crank = np.radians(p.crank_deg)
        # hips rocking: the pelvis rolls about the bike's axis, the hip dropping on the side
        # whose pedal is at the bottom (right pedal at 6 o'clock at crank 90: right hip down)
        roll = p.hip_rock_deg * np.sin(crank)
        rp = rot_x(roll) @ lean(phi)
        shrug_deg = {}
        for s in "RL":
            c_head = h[i["clavicle." + s]]
            lever = abs(h[i["upperarm01." + s]][2] - c_head[2])
            shrug_deg[s] = np.degrees(np.arcsin(np.clip(p.shrug_m / lever, -0.9, 0.9)))
        targets: dict[str, np.ndarray] = {}
        cum = phi
        for k in self.order:
            name = body.bones[k]
            par = body.parent[k]
            if par < 0:
                R[k] = rp
                H[k] = rp @ (h[k] - self.hip_mid) + hip_mid
                continue
            H[k] = H[par] + R[par] @ (h[k] - h[par])
            rk = R[par]
            if name in flex:
                cum += flex[name]
                rk = lean(cum)
            elif name in NECK:
                rk = lean(90.0 - p.head_deg)
            elif name == "head":
                rk = lean(90.0 - p.head_deg - 40.0)
            elif name.startswith("clavicle."):
                s = name[-1]
                rk = R[par] @ rot_x(-shrug_deg[s] if s == "R" else shrug_deg[s])
            elif name.startswith("upperleg01."):
                s = name[-1]
                knee, ankle, ball = self._leg(p, H[k], s, crank)
                targets |= {"hip." + s: H[k], "knee." + s: knee, "ankle." + s: ankle}
                targets["ball." + s] = ball
                rk = self._aim(R[par], h[i["lowerleg01." + s]] - h[k], knee - H[k])
            elif name.startswith("lowerleg01."):
                s = name[-1]
                rk = self._aim(R[par], h[i["foot." + s]] - h[k], targets["ankle." + s] - H[k])
            elif name.startswith("foot."):
                s = name[-1]
                rk = self._aim(R[par], self.ball[s] - h[k], targets["ball." + s] - H[k])
            elif name.startswith("upperarm01."):
                s = name[-1]
                elbow, wrist = self._arm(p, H[k], s)
                targets |= {"shoulder." + s: H[k], "elbow." + s: elbow, "wrist." + s: wrist}
                rk = self._aim(R[par], h[i["lowerarm01." + s]] - h[k], elbow - H[k])
            elif name.startswith("lowerarm01."):
                s = name[-1]
                rk = self._aim(R[par], h[i["wrist." + s]] - h[k], targets["wrist." + s] - H[k])
            elif name.startswith("wrist."):
                s = name[-1]
                hand = targets["wrist." + s] - targets["elbow." + s]
                hand = lean(-15) @ (hand / np.linalg.norm(hand))  # hand turned down a little
                rk = self._aim(R[par], t[k] - h[k], hand)
            R[k] = rk
        return R, H, targets, {"lumbar": lumbar_deg, "thoracic": thor, "pelvis": phi}

    @staticmethod
    def _aim(r_par: np.ndarray, rest_dir: np.ndarray, target_dir: np.ndarray) -> np.ndarray:
        """Keep the parent's twist, swing the bone onto ``target_dir``."""
        return swing(r_par @ rest_dir, target_dir) @ r_par

    def _leg(self, p: HumanPosture, hip: np.ndarray, s: str, crank: float):
        phase = crank if s == "R" else crank + np.pi
        lateral = hip[2] + (0.02 if s == "R" else -0.02)
        pedal = np.array([CRANK_M * np.cos(phase), -CRANK_M * np.sin(phase), lateral])
        foot_deg = 180 - 28 + 20 * np.sin(phase - np.radians(70))  # ball -> ankle, sagittal
        ball_ankle = self.h[self.i["foot." + s]] - self.ball[s]
        length = float(np.linalg.norm(ball_ankle[:2]))
        r = np.radians(foot_deg)
        ankle = pedal + length * np.array([np.cos(r), np.sin(r), 0.0])
        pole = np.array([1.0, 0.6, 0.0])
        knee = two_link(hip, ankle, self.thigh[s], self.shank[s], pole)
        return knee, ankle, pedal

    def _arm(self, p: HumanPosture, shoulder: np.ndarray, s: str):
        a, b = self.upper_arm[s], self.forearm[s]
        reach = np.sqrt(a * a + b * b - 2 * a * b * np.cos(np.radians(p.elbow_deg)))
        inward = 0.03 if s == "R" else -0.03  # hands a little inside the shoulders
        drop = np.radians(-p.hand_drop_deg)
        sag = np.sqrt(max(reach**2 - inward**2, 1e-6))
        wrist = shoulder + np.array([sag * np.cos(drop), sag * np.sin(drop), -inward])
        outward = np.array([0.0, 0.0, 1.0 if s == "R" else -1.0])
        pole = np.array([-0.6, -1.0, 0.0]) + 0.5 * outward  # elbow down, back and out
        return two_link(shoulder, wrist, a, b, pole), wrist

    def seat(self, p: HumanPosture) -> np.ndarray:
        """Hip-joint midpoint on the saddle for this rider: on the seat-tube line at the
        height that gives the posture's knee angle at the bottom of the stroke."""
        seat = np.radians(SEAT_DEG)
        axis = np.array([-np.cos(seat), np.sin(seat), 0.0])
        lo, hi = 0.4, 1.2
        half = abs(self.hip_mid[2] - self.h[self.i["upperleg01.R"]][2])
        bdc = np.radians(90.0)
        for _ in range(40):
            d = 0.5 * (lo + hi)
            hip = axis * d + np.array([0.0, 0.0, half])
            knee, ankle, _ = self._leg(p, hip, "R", bdc)
            if included_angle_deg(hip[:2], knee[:2], ankle[:2]) < p.knee_bdc_deg:
                lo = d
            else:
                hi = d
        return axis * 0.5 * (lo + hi)

    def solve(self, p: HumanPosture, seat: np.ndarray):
        """Pose with the lumbar flexion that gives the posture's back angle (hip->shoulder)."""
        hip_mid = seat.copy()
        if p.hip_bounce_m:
            hip_mid[1] += 0.5 * p.hip_bounce_m * np.cos(2 * np.radians(p.crank_deg))
        i = self.i

        def back(lumbar: float):
            R, H, tg, ang = self.pose(p, hip_mid, lumbar)
            sh = 0.5 * (H[i["upperarm01.L"]] + H[i["upperarm01.R"]])
            hp = 0.5 * (H[i["upperleg01.L"]] + H[i["upperleg01.R"]])
            d = sh - hp
            return np.degrees(np.arctan2(d[1], d[0])), (R, H, tg, ang)

        # the back angle falls almost linearly with lumbar flexion: secant steps
        x0, x1 = 10.0, 25.0
        f0 = back(x0)[0] - p.back_deg
        out = back(x1)
        f1 = out[0] - p.back_deg
        for _ in range(8):
            if abs(f1) < 1e-3 or f1 == f0:
                break
            x0, x1, f0 = x1, x1 - f1 * (x1 - x0) / (f1 - f0), f1
            out = back(x1)
            f1 = out[0] - p.back_deg
        return out[1]

    def skin(self, R: np.ndarray, H: np.ndarray) -> np.ndarray:
        """Linear blend skinning of all vertices (V,3) in world coordinates."""
        w = self.body.weights
        v = self.body.verts @ M0.T
        # affine per bone: x' = R x + (H - R h)
        tr = H - np.einsum("bij,bj->bi", R, self.h)
        A = w @ np.concatenate([R.reshape(-1, 9), tr], axis=1)  # (V, 12)
        return np.einsum("vij,vj->vi", A[:, :9].reshape(-1, 3, 3), v) + A[:, 9:]
