"""posecheck in the browser: `streamlit run app.py`. The page's frame only: choosing the clip,
running the analysis, then one tab per module of ``posecheck.ui.views``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from posecheck import ui
from posecheck.ui.run import analyse, busy, pick_earlier, reopened, request_run, shown_result
from posecheck.ui.views import header, live, tabs_for
from posecheck.ui.views.ride import RIDE_TYPES
from posecheck.video import VIDEO_SUFFIXES

MAX_UPLOAD_MB = st.get_option("server.maxUploadSize")  # .streamlit/config.toml

st.set_page_config(page_title="posecheck", page_icon="🚴", layout="wide")
st.title("posecheck — posture on the bike, over time")
st.caption(ui.INTRO)
page = st.container()  # the main area, for pages drawn from the sidebar's choices

with st.sidebar:
    st.header("Clip")
    sources = ["Bundled sample", "Upload a clip", "Earlier analysis", "Live camera"]
    source = st.radio("Source", sources, key="source")
    video: Path | None = None
    label: str | None = None  # what the rider calls the clip (an upload's own name)
    reopen: Path | None = None
    if source == "Bundled sample":
        samples = ui.list_samples()
        choice = st.selectbox("Sample", list(samples), key="sample")
        video = samples[choice] if choice else None
    elif source == "Upload a clip":
        up = st.file_uploader(
            "Video (mp4, mov, mkv, avi, webm)",
            type=[s.lstrip(".") for s in VIDEO_SUFFIXES],
            key="upload",
        )
        if up is not None:
            try:
                video = ui.store_upload(up.name, up.getbuffer(), MAX_UPLOAD_MB)
                label = up.name
            except ui.UploadError as exc:
                st.error(str(exc))
    elif source == "Earlier analysis":
        reopen = pick_earlier()
    profiles = ui.list_profiles()
    profile_name = st.selectbox(
        "Profile", list(profiles), key="profile", help="Rider and camera settings from calibration/"
    )
    if source == "Live camera":  # the live page instead of an analysis
        with page:
            live.show(profiles[profile_name])
        st.stop()
    mode = st.selectbox(
        "Mode",
        ["auto", "full", "long"],
        key="mode",
        help="full: every frame; long: 10 s windows every 5 min, more where a sign changes "
        "(auto: long above 20 minutes)",
    )
    view_choice = st.selectbox(
        "View",
        ["auto", "side-right", "side-left", "rear", "front"],
        key="view",
        help="Override when the automatic choice is wrong",
    )
    ride_file = st.file_uploader("Ride file (optional)", type=RIDE_TYPES, key="ride_file")
    if reopen is not None:
        go = st.button("Open", type="primary", key="open")
    else:
        # the click is kept in the session, so the rerun it starts already draws the button
        # disabled while the analysis runs (shown_result re-enables it when done)
        st.button(
            "Analyse",
            type="primary",
            disabled=video is None or busy(),
            key="analyse",
            on_click=request_run,
        )
        go = busy()


# one slot above the results for progress and the last outcome, present on every run, so the
# tabs below keep their place (and the tab the user chose) from one run to the next
status = st.empty()
chosen = reopen or video
result, result_name = shown_result(
    status,
    go,
    chosen,
    label or (chosen.name if chosen else ""),
    lambda: (
        reopened(status, reopen)
        if reopen is not None
        else analyse(status, video, mode, view_choice, profiles[profile_name], label, ride_file)
    ),
)
header.show(result, result_name)
duration = float(result.summary["video"]["duration_s"])
marker = st.slider(
    "Time in the ride (s)",
    0.0,
    max(duration, 0.1),
    0.0,
    step=max(round(duration / 500, 2), 0.05),
    key="time",
)
for tab, show in zip(st.tabs(list(tabs := tabs_for(result))), tabs.values()):
    with tab:
        show(result, marker)
