"""What the rider sees: the skeleton with the live angles, a panel per sign (value, baseline
band, the last three minutes) and one line of status or cue. Drawn with OpenCV on the frame,
so the CLI's preview window and the browser's video show the same picture."""

from __future__ import annotations

import cv2
import numpy as np

from posecheck.labels import short_name
from posecheck.live.watch import WatchState
from posecheck.render import draw_pose

CUE_BG = (40, 40, 200)  # BGR red
INFO_BG = (60, 60, 60)
BAND = (90, 160, 90)
LINE = (255, 255, 255)


def _text(img, text, org, scale, color=(255, 255, 255), thick=1) -> None:
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color, thick, cv2.LINE_AA)


def banner(img: np.ndarray, text: str, bg) -> None:
    h, w = img.shape[:2]
    s = max(w, h) / 1000
    bar = int(40 * s) + 6
    img[:bar] = (0.35 * img[:bar] + 0.65 * np.array(bg)).astype(np.uint8)
    _text(img, text, (int(10 * s) + 4, int(28 * s) + 3), 0.8 * s, thick=max(1, int(2 * s)))


def panel_box(w: int, h: int, k: int = 0) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the ``k``-th sign's chart on a ``w`` x ``h`` picture."""
    s = max(w, h) / 1000
    pw, ph, gap = int(190 * s), int(52 * s), int(8 * s)
    return w - pw - gap, int(56 * s) + k * (ph + gap), pw, ph


def sign_panel(img: np.ndarray, state: WatchState, held_cues: set[str]) -> None:
    """Small charts down the right edge: each sign's latest minutes against its baseline band
    (baseline +/- threshold), red when the sign is held past it."""
    h, w = img.shape[:2]
    s = max(w, h) / 1000
    for k, (m, sign) in enumerate(state.signs.items()):
        x0, y, pw, ph = panel_box(w, h, k)
        if y + ph > h or not sign.history:
            break
        box = img[y : y + ph, x0 : x0 + pw]
        box[:] = (0.4 * box + 0.6 * np.array((30, 30, 30))).astype(np.uint8)
        tt = np.array([a for a, _ in sign.history])
        vv = np.array([b for _, b in sign.history])
        lo = min(vv.min(), sign.baseline - 1.5 * sign.threshold)
        hi = max(vv.max(), sign.baseline + 1.5 * sign.threshold)
        span_t = max(tt[-1] - tt[0], 1e-6)

        def py(v, lo=lo, hi=hi, ph=ph):
            return int(ph - 4 - (v - lo) / max(hi - lo, 1e-9) * (ph - 18))

        y_lo, y_hi = py(sign.baseline - sign.threshold), py(sign.baseline + sign.threshold)
        box[min(y_lo, y_hi) : max(y_lo, y_hi)] = (
            0.6 * box[min(y_lo, y_hi) : max(y_lo, y_hi)] + 0.4 * np.array(BAND)
        ).astype(np.uint8)
        pts = np.array(
            [[int((a - tt[0]) / span_t * (pw - 6)) + 3, py(b)] for a, b in zip(tt, vv)], np.int32
        )
        colour = CUE_BG if m in held_cues else LINE
        cv2.polylines(box, [pts], False, colour, max(1, int(1.5 * s)), cv2.LINE_AA)
        _text(
            box,
            f"{short_name(m)} {sign.value:.2f}"
            if abs(sign.value) < 10
            else f"{short_name(m)} {sign.value:.0f}",
            (4, int(13 * s) + 2),
            0.38 * s,
            colour,
        )


def draw(
    img: np.ndarray,
    xy: np.ndarray,
    angles: dict | None,
    near_side: str | None,
    state: WatchState,
    message: str | None,
    held: set[str],
) -> np.ndarray:
    out = draw_pose(img, xy, angles, near_side)
    sign_panel(out, state, held)
    if message:
        banner(out, message, CUE_BG)
    elif state.problem:
        banner(out, f"Cues paused: {state.problem}", INFO_BG)
    elif state.phase == "baseline":
        banner(out, f"Learning your fresh posture: {state.baseline_left_s:.0f} s left", INFO_BG)
    return out
