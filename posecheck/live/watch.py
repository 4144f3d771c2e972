"""The live watcher: the fatigue timeline's own rules on the frames recorded so far.

Nothing here re-implements a sign. Every ``check_every_s`` the watcher runs the ordinary
pipeline (:func:`posecheck.pipeline.measure`: cleaning, metrics, strokes) and the timeline
(:func:`posecheck.fatigue.analyse_fatigue`: units, baseline, thresholds, smoothing) on the
baseline's frames plus the last ``recent_s`` seconds, as if the ride ended now. A sign is
*held* when its smoothed deviation (the timeline's ``<metric>_z``) has stayed above its
threshold without a break for ``sustain_s`` or longer: the after-ride analysis' rule for a
sustained drift. Signs that the timeline explains by another sign (upper back against
pelvis) never count.

The after-ride smoothing is centred. Live, the latest units' windows are still open (they
have only the past), and later frames can still change their smoothed values, so a sign is
judged on the units whose window is complete (:func:`held_s`): a cue comes half a smoothing
window (a sixth of ``sustain_s``) after the after-ride analysis dates the drift as
sustained, and never rests on values the whole ride's analysis would smooth away.

**Honesty.** Over the last ``QUALITY_S`` seconds: the rider must be found in most frames,
the picture bright enough, and the rider where the baseline saw them (a moved camera changes
every angle). Otherwise the watcher says why and holds no sign, so no cue fires on bad data.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from posecheck.calibration import stored_baseline
from posecheck.clean import true_runs
from posecheck.fatigue import SIGNS, FatigueSettings, analyse_fatigue, smoothing_s
from posecheck.landmarks import Landmark as L
from posecheck.pose import PoseResult
from posecheck.track import PoseTrack
from posecheck.view import ViewDecision

QUALITY_S = 3.0
MIN_FOUND_SHARE = 0.5  # rider found in at least this share of the last QUALITY_S
#: moved: the hips' place in the picture shifted by more than this share of the trunk length,
#: or the trunk's length in the picture changed by more than this share
MOVED_SHARE = 0.35
#: frames the latest stretch needs before it is measured (a second or two)
MIN_RECENT_FRAMES = 20
#: the settle-in share of the live baseline window (at most SETTLE_MAX_S)
SETTLE_SHARE, SETTLE_MAX_S = 0.2, 60.0


@dataclass(frozen=True)
class LiveSettings:
    baseline_s: float = 180.0
    sustain_s: float = 60.0
    repeat_s: float = 180.0
    check_every_s: float = 2.0
    recent_s: float = 300.0  # seconds of the latest riding re-measured at each check

    @property
    def settle_s(self) -> float:
        return min(SETTLE_MAX_S, SETTLE_SHARE * self.baseline_s)

    def fatigue(self) -> FatigueSettings:
        """The after-ride settings these amount to: the same baseline window and sustain."""
        return FatigueSettings(
            baseline_s=self.baseline_s - self.settle_s,
            sustain_s=self.sustain_s,
            settle_s=self.settle_s,
        )

    @classmethod
    def from_profile(cls, profile: dict, **override) -> LiveSettings:
        live = {k: float(v) for k, v in profile.get("live", {}).items()}
        live.update({k: float(v) for k, v in override.items() if v is not None})
        return cls(**live)


@dataclass
class SignState:
    metric: str
    value: float  # latest unit's value
    baseline: float
    threshold: float  # in the metric's unit, away from the baseline in the fatigued direction
    direction: int
    held_s: float  # how long it has been past its threshold up to now (0: it is not)
    history: list[tuple[float, float]] = field(default_factory=list)  # (time_s, value)


@dataclass
class WatchState:
    time_s: float = 0.0
    phase: str = "starting"  # starting | baseline | watching
    baseline_left_s: float = 0.0
    problem: str | None = None  # why no cue can fire now (out of view, dark, moved)
    signs: dict[str, SignState] = field(default_factory=dict)
    view: str | None = None

    def held(self, sustain_s: float) -> dict[str, float]:
        """Signs past their threshold for ``sustain_s`` or more: {metric: seconds held}."""
        if self.problem or self.phase != "watching":
            return {}
        return {m: s.held_s for m, s in self.signs.items() if s.held_s >= sustain_s}


class LiveWatcher:
    def __init__(
        self,
        settings: LiveSettings,
        size_wh: tuple[int, int],
        profile: dict | None = None,
        view: str | None = None,
        dark_below: float = 40.0,
    ):
        self.settings = settings
        self.size_wh = size_wh
        self.profile = profile or {}
        self.view_override = None if view in (None, "auto") else view
        self.dark_below = dark_below
        # a profile's camera roll, as the after-ride analysis applies it (a level line or a
        # marker found in the clip is not looked for live)
        self.tilt_deg = float(self.profile.get("camera", {}).get("tilt_deg", 0.0) or 0.0)
        self.t: list[float] = []
        self.xy: list[np.ndarray] = []
        self.world: list[np.ndarray] = []
        self.vis: list[np.ndarray] = []
        self.outline: list[np.ndarray] = []
        self.light: deque[tuple[float, float]] = deque(maxlen=600)
        self.shrunk: deque[float] = deque(maxlen=600)
        self.decision: ViewDecision | None = None
        self._base_cache: tuple[pd.DataFrame, pd.DataFrame] | None = None
        self._last_check = -np.inf
        self.state = WatchState()

    # -- frames --------------------------------------------------------------------------
    def add(
        self,
        t_s: float,
        r: PoseResult,
        outline: np.ndarray | None,
        brightness: float,
        shrunk: bool = False,
    ) -> None:
        """One analysed frame; ``shrunk``: it arrived smaller than the session's size."""
        if shrunk:
            self.shrunk.append(t_s)
        self.t.append(t_s)
        self.xy.append(r.xy_px)
        self.world.append(r.world_m)
        self.vis.append(r.visibility)
        if outline is not None:
            self.outline.append(outline)
        self.light.append((t_s, brightness))

    def _track(self, a: int, b: int) -> PoseTrack:
        outline = np.array(self.outline[a:b]) if len(self.outline) == len(self.t) else None
        return PoseTrack(
            np.arange(a, b),
            np.array(self.t[a:b]),
            np.array(self.xy[a:b]).reshape(b - a, -1, 2),
            np.array(self.world[a:b]).reshape(b - a, -1, 3),
            np.array(self.vis[a:b]).reshape(b - a, -1),
            outline=outline,
        )

    @property
    def fps(self) -> float:
        """The analysed frame rate so far (the live loop drops frames it cannot keep up with)."""
        if len(self.t) < 2:
            return 15.0
        dt = np.diff(self.t[-300:])
        return float(1.0 / np.median(dt)) if np.median(dt) > 0 else 15.0

    # -- checks --------------------------------------------------------------------------
    def due(self, now: float) -> bool:
        """Time for a check at ``now``; the next one is then counted from ``now``."""
        if now - self._last_check < self.settings.check_every_s:
            return False
        self._last_check = now
        return True

    def check(self, now: float) -> WatchState:
        """Re-measure and return the state at ``now`` (the latest frame's time)."""
        from posecheck.measure import measure

        self._last_check = max(self._last_check, now)
        st = WatchState(time_s=now, view=self.state.view)
        s = self.settings
        stored = stored_baseline(self.profile)
        base_end = s.baseline_s
        t = np.asarray(self.t)
        if len(t) < 10:
            self.state = st
            return st
        if self.decision is None and (now >= min(base_end, 20.0) or stored):
            first = self._track(0, len(t))
            self.decision, *_ = measure(
                first, self.fps, self.size_wh, self.view_override, self.tilt_deg
            )
            d = self.decision
            st.view = d.view if not d.near_side else f"side ({d.near_side} side near)"
        st.problem = self.quality(now)
        if stored is None and now < base_end:
            st.phase, st.baseline_left_s = "baseline", base_end - now
            self.state = st
            return st
        if self.decision is None:
            self.state = st
            return st
        st.phase = "watching"
        metrics, strokes = self._tables(now, t)
        findings, timeline = analyse_fatigue(
            metrics,
            strokes,
            now,
            s.fatigue(),
            stored_baseline=stored,
            thresholds=self.profile.get("thresholds"),
            find_onsets=False,
        )
        explained = {e["metric"] for e in findings.get("explained", [])}
        # units whose centred smoothing window lies wholly in the past: later frames cannot
        # change their smoothed values, so a sign held on them is held after the ride too
        final_until = now - smoothing_s(findings["sustain_s"]) / 2
        per = findings["baseline"]["per_metric"]
        for sign in SIGNS:
            m = sign.metric
            if m not in per or f"{m}_z" not in timeline:
                continue
            v = timeline[m].to_numpy(float)
            held = 0.0 if m in explained else held_s(timeline, m, final_until)
            ok = np.flatnonzero(np.isfinite(v))
            starts = timeline["start_s"].to_numpy(float)
            recent = starts >= now - 180.0
            st.signs[m] = SignState(
                m,
                float(v[ok[-1]]) if len(ok) else float("nan"),
                float(per[m]["median"]),
                float(per[m]["threshold"]),
                sign.direction,
                held,
                [
                    (float(a), float(b))
                    for a, b in zip(timeline["time_s"][recent], v[recent])
                    if np.isfinite(b)
                ],
            )
        if not st.signs and st.problem is None:
            # "watching" nothing: no sign has a baseline, most often because too few frames
            # reach the analysis (a busy machine: frames too few or in bursts measure no pedal
            # stroke), or the rider did not pedal through the baseline
            rate = len(t) / max(float(t[-1] - t[0]), 1e-9)
            why = [
                n["reason"] for n in findings.get("not_assessed", []) if "baseline" in n["reason"]
            ]
            st.problem = (
                f"no sign can be judged: {why[0]}" if why else "no sign can be judged yet"
            ) + f" ({rate:.1f} frames/s reach the analysis)"
        self.state = st
        return st

    def _tables(self, now: float, t: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """metrics and strokes of the baseline's frames and of the latest ``recent_s``.

        The baseline's stretch is measured once, when it is complete, and kept: measured
        again with later frames, its strokes would shift with whole-track medians (trunk
        length, seated hip height) and the baseline, hence every threshold, with them. The
        recent stretch is measured on its own (no stroke spans the join). With a stored
        baseline (a rider profile) signs are watched before the baseline's stretch is
        complete: all frames so far are measured together until then."""
        from posecheck.measure import measure

        s = self.settings

        def tables(a: int, b: int) -> tuple[pd.DataFrame, pd.DataFrame]:
            _, _, _, m, k = measure(
                self._track(a, b), self.fps, self.size_wh, self.decision, self.tilt_deg
            )
            return m, k

        if now < s.baseline_s:  # a stored baseline: watched from the start
            return tables(0, len(t))
        base_stop = int(np.searchsorted(t, s.baseline_s))
        start = max(base_stop, int(np.searchsorted(t, now - s.recent_s)))
        if self._base_cache is None:
            self._base_cache = tables(0, base_stop)
        parts = [self._base_cache]
        if len(t) - start >= MIN_RECENT_FRAMES:
            parts.append(tables(start, len(t)))
        strokes = [k for _, k in parts if len(k)]
        return (
            pd.concat([m for m, _ in parts], ignore_index=True),
            pd.concat(strokes, ignore_index=True) if strokes else parts[-1][1],
        )

    def quality(self, now: float) -> str | None:
        """Why the latest seconds cannot be judged, or None when they can."""
        t = np.asarray(self.t)
        last = t >= now - QUALITY_S
        if not last.any():
            return None
        xy = np.asarray(self.xy[-int(last.sum()) :])
        found = np.isfinite(xy[:, 0, 0])
        light = [b for tt, b in self.light if tt >= now - QUALITY_S]
        if light and float(np.median(light)) < self.dark_below:
            return "too dark to see you: more light on the rider"
        if found.mean() < MIN_FOUND_SHARE:
            return "you are out of the picture"
        if sum(tt >= now - QUALITY_S for tt in self.shrunk) >= 0.5 * last.sum():
            return (
                "the video arrives at a lower resolution than it started with (the network "
                "or the computer cannot keep up)"
            )
        base = t <= min(self.settings.baseline_s, max(now - 2 * QUALITY_S, 10.0))
        if base.sum() >= 10 and now > 2 * QUALITY_S:
            ref = np.asarray(self.xy[: int(base.sum())])
            hips_ref, trunk_ref = _place(ref)
            hips_now, trunk_now = _place(xy)
            if np.isfinite([trunk_ref, trunk_now]).all() and trunk_ref > 0:
                shift = float(np.linalg.norm(hips_now - hips_ref)) / trunk_ref
                size = abs(trunk_now / trunk_ref - 1)
                if shift > MOVED_SHARE or size > MOVED_SHARE:
                    return "the camera or your place in the picture moved since the baseline"
        return None


def held_s(timeline: pd.DataFrame, metric: str, final_until: float) -> float:
    """How long ``metric`` has been past its threshold without a break, on the final units
    only (smoothing window complete by ``final_until``): from the start of the run to the end
    of its last final unit, as the after-ride analysis measures a run; 0 when the last final
    unit with a value is not past it. Units without a value neither break nor extend a run.

    Counting the units whose window is still open (it has only the past at the ride's edge)
    let the live watcher hold a sign that the centred smoothing of the whole ride did not
    (a false shrug cue at the end of a browser ride: README, Live). The price: a cue comes
    half a smoothing window (a sixth of the sustain window) after the after-ride analysis
    dates the drift as sustained."""
    final = timeline[np.isfinite(timeline[metric]) & (timeline["time_s"] <= final_until)]
    runs = true_runs(final[f"{metric}_z"].to_numpy(float) > 1.0)
    if not runs or runs[-1][1] != len(final):
        return 0.0
    return float(final["end_s"].iloc[-1] - final["start_s"].iloc[runs[-1][0]])


def _place(xy: np.ndarray) -> tuple[np.ndarray, float]:
    """Median hip centre and trunk length (hips to shoulders) in pixels."""
    hips = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
    sh = (xy[:, L.LEFT_SHOULDER] + xy[:, L.RIGHT_SHOULDER]) / 2
    with np.errstate(all="ignore"):
        return np.nanmedian(hips, axis=0), float(np.nanmedian(np.linalg.norm(sh - hips, axis=1)))
