"""The Live page: the browser's camera through streamlit-webrtc, the overlay on the returned
video, a panel per sign, cues on screen with a sound, and the session recorded into the
app's analyses (it opens under "Earlier analysis" when the rider stops).

streamlit-webrtc calls the frame callback in its own thread and, with ``async_processing``,
drops frames that arrive while the previous one is being analysed (the newest wins, as in
the CLI's slot). The callback only touches a :class:`Holder` captured in its closure, never
Streamlit's session state."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
import wave
from pathlib import Path

import numpy as np
import streamlit as st

from posecheck.calibration import ProfileError, load_profile
from posecheck.fatigue import mmss
from posecheck.io import data_root
from posecheck.labels import short_name
from posecheck.live.session import LiveSession
from posecheck.live.watch import LiveSettings


def ice_servers() -> dict:
    """No STUN server by default: nothing outside the machine is reached (browser and server
    find each other on the local network). ``POSECHECK_STUN=stun:host:port`` adds one, for a
    phone on another network."""
    import os

    stun = os.environ.get("POSECHECK_STUN")
    return {"iceServers": [{"urls": [stun]}] if stun else []}


#: seconds of stream before the session starts, at the size the stream has then (a WebRTC
#: stream often starts at a low resolution while it estimates the bandwidth)
SETTLE_STREAM_S = 1.5
#: seconds between redraws of the panel beside the video
PANEL_EVERY_S = 2.0
#: a frame failed this recently (seconds of ride): live analysis is failing now
FAILING_S = 3.0


class Holder:
    """The running session, shared by the frame callback (its thread) and the page."""

    def __init__(self, profile: dict, settings: LiveSettings, root: Path):
        """``root``: the app's analyses folder; the session gets its own folder in it."""
        outdir = root
        self.profile, self.settings, self.outdir = profile, settings, outdir
        self.session: LiveSession | None = None
        self.t0: float | None = None
        self.lock = threading.Lock()
        self.error: str | None = None  # the last frame that failed: why, and when
        self.error_at_s = 0.0
        self.errors = 0

    def frame(self, frame):
        import av

        img = frame.to_ndarray(format="bgr24")
        now = time.perf_counter()
        with self.lock:
            if self.t0 is None:
                self.t0 = now
            if self.session is None:
                if now - self.t0 < SETTLE_STREAM_S:  # WebRTC starts small, then ramps up
                    return frame
                # named when the ride starts
                self.outdir = self.outdir / f"live-{dt.datetime.now():%Y%m%d-%H%M%S}"
                self.session = LiveSession(
                    self.outdir,
                    (img.shape[1], img.shape[0]),
                    30.0,
                    self.settings,
                    profile=self.profile,
                    view=self.profile["view"]["view"],
                    source="browser camera",
                )
                self.session.stats.counted = False
        assert self.t0 is not None
        try:
            out = self.session.process(img, now - self.t0, now)
        except Exception as exc:  # shown on the page; the recording so far is kept
            self.error, self.error_at_s = str(exc), now - self.t0
            self.errors += 1
            out = img
        return av.VideoFrame.from_ndarray(out, format="bgr24")


#: Asks the browser to keep the camera's resolution and give up frame rate when its encoder
#: runs short of CPU (a video track's ``contentHint = "detail"``): a shrunken stream pauses
#: cues (it reads the shrug 30% of a threshold off), while 8-10 frames/s are plenty for
#: posture. streamlit-webrtc does not expose it, so this patches ``getUserMedia`` in the
#: page's same-origin component frames before Start is pressed.
_KEEP_RESOLUTION_JS = """<script>
(function () {
  function patch() {
    var frames = window.parent.document.querySelectorAll("iframe");
    for (var i = 0; i < frames.length; i++) {
      try {
        var md = frames[i].contentWindow.navigator.mediaDevices;
        if (!md || !md.getUserMedia || md.__posecheckDetail) continue;
        var orig = md.getUserMedia.bind(md);
        md.getUserMedia = function (c) {
          return orig(c).then(function (s) {
            s.getVideoTracks().forEach(function (t) { t.contentHint = "detail"; });
            return s;
          });
        };
        md.__posecheckDetail = true;
      } catch (e) { /* a frame of another origin: not ours */ }
    }
  }
  patch();
  setInterval(patch, 500);
})();
</script>"""


def _keep_resolution() -> None:
    import streamlit.components.v1 as components

    components.html(_KEEP_RESOLUTION_JS, height=0)


def frame_error_message(error: str, errors: int, error_at_s: float, now_s: float):
    """(stopped, text) for frames that failed. ``now_s`` is the watcher's latest frame: it
    stops advancing when every frame fails, so a failure that recent means analysis stopped;
    an older one was a frame or a few, and the ride went on."""
    if now_s - error_at_s <= FAILING_S:
        return True, f"Live analysis stopped: {error}"
    return False, (
        f"{errors} frame(s) could not be analysed, the last at {mmss(error_at_s)} ({error}); "
        "the ride goes on."
    )


def _beep() -> bytes:
    """A short two-tone chime (WAV) for a new cue."""
    rate = 22050
    t = np.arange(int(0.35 * rate)) / rate
    tone = np.where(t < 0.17, np.sin(2 * np.pi * 880 * t), np.sin(2 * np.pi * 660 * t))
    pcm = (0.4 * tone * np.minimum(1, (0.35 - t) * 20) * 32767).astype(np.int16)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def _panel(holder: Holder) -> None:
    s = holder.session
    if s is None:
        st.caption("Start the camera: the panel fills in once frames arrive.")
        return
    state, stats = s.state, s.stats.as_dict()
    if holder.error:
        stopped, text = frame_error_message(
            holder.error, holder.errors, holder.error_at_s, state.time_s
        )
        (st.error if stopped else st.warning)(text)
    if s.cues:
        last = s.cues[-1]
        shown = state.time_s - last.time_s <= 15 and last.metric in s.policy.active
        if shown:
            st.error(f"**{last.message}** ({mmss(last.time_s)})", icon="🔔")
            if st.session_state.get("live_beeped") != (last.time_s, last.metric):
                st.session_state["live_beeped"] = (last.time_s, last.metric)
                st.audio(_beep(), format="audio/wav", autoplay=True)
    if state.problem:
        st.warning(f"Cues paused: {state.problem}.")
    elif state.phase == "baseline":
        st.info(f"Learning your fresh posture: {state.baseline_left_s:.0f} s left.")
    elif state.phase == "watching":
        st.success("Watching your posture against your fresh baseline.")
    st.caption(
        f"{mmss(state.time_s)} ridden · {stats['analysed_fps']:.1f} frames/s analysed · "
        f"latency p50 {stats['latency_ms_p50']:.0f} ms"
    )
    # a table, not charts: it is redrawn every second while the browser also encodes the
    # camera and shows the returned video (the trend of each sign is on the video itself)
    rows = [
        f"| {short_name(m)} | {sign.value:.2f} | {sign.baseline:.2f} | "
        f"{sign.baseline - sign.threshold:.2f} to {sign.baseline + sign.threshold:.2f} | "
        + (f"**{sign.held_s:.0f} s**" if sign.held_s else "—")
        + " |"
        for m, sign in state.signs.items()
    ]
    if rows:
        st.markdown(
            "| sign | now | fresh | band | past it for |\n|---|---|---|---|---|\n" + "\n".join(rows)
        )
    if s.cues:
        st.caption("Cues: " + "; ".join(f"{mmss(c.time_s)} {c.message}" for c in s.cues))


def _finish(holder: Holder) -> None:
    """The rider stopped: close the recording and run the after-ride analysis."""
    s = holder.session
    if s is None:
        return
    with st.spinner("Analysing the ride you just recorded (no second pose pass)..."):
        try:
            an = s.close(analyse=True, workers=1, rider=st.session_state.get("live_rider"))
        except Exception as exc:  # the recording stays; `posecheck report FOLDER` retries
            st.session_state["live_failed"] = (
                f"The after-ride analysis failed: {exc}. The recording is kept in "
                f"{holder.outdir} (`posecheck report` on it tries again)."
            )
            return
    if an is not None:
        st.session_state["live_done"] = str(holder.outdir)


def show(profile_path: Path | None) -> None:
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    from posecheck.live.webrtc import no_receiver_estimate

    no_receiver_estimate()  # the camera's frame rate is not throttled by a false estimate

    try:
        profile = load_profile(*([profile_path] if profile_path else []))
    except ProfileError as exc:
        st.error(str(exc))
        return
    st.subheader("Live: cues while you ride")
    st.caption(
        "Film from the side with your whole body in view, press Start and ride. The first "
        "minutes form your fresh baseline (or your stored one from Calibrate); a sign that "
        "holds past its threshold gives a cue on screen and a chime. Press Stop to end the "
        "ride: its after-ride analysis then opens under Earlier analysis."
    )
    c1, c2 = st.columns(2)
    defaults = LiveSettings.from_profile(profile)
    baseline = c1.number_input(
        "Baseline (s)", 10.0, 1800.0, defaults.baseline_s, 10.0, key="live_baseline"
    )
    sustain = c2.number_input(
        "Cue after a sign holds (s)", 5.0, 900.0, defaults.sustain_s, 5.0, key="live_sustain"
    )
    settings = LiveSettings.from_profile(profile, baseline_s=baseline, sustain_s=sustain)
    if "live_holder" not in st.session_state:
        st.session_state["live_holder"] = Holder(profile, settings, data_root() / "analyses")
    holder: Holder = st.session_state["live_holder"]
    holder.settings, holder.profile = settings, profile
    ctx = webrtc_streamer(
        key="live",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration=ice_servers(),
        media_stream_constraints={"video": True, "audio": False},
        video_frame_callback=holder.frame,
        async_processing=True,
    )
    _keep_resolution()
    if st.session_state.get("live_failed"):
        st.error(st.session_state["live_failed"])
    if st.session_state.get("live_done"):
        st.success(
            f"Ride saved and analysed: open “{Path(st.session_state['live_done']).name}” "
            "under Earlier analysis."
        )
    if ctx.state.playing:
        st.session_state.pop("live_done", None)
        st.session_state.pop("live_failed", None)

        @st.fragment(run_every=PANEL_EVERY_S)
        def panel() -> None:
            _panel(holder)

        panel()
    elif holder.session is not None and not st.session_state.get("live_done"):
        _finish(holder)
        st.session_state.pop("live_holder", None)
        st.rerun()
