"""posecheck in the browser: `streamlit run app.py`. Layout only; the work is in posecheck."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st

from posecheck.pipeline import NoRiderError, analyze
from posecheck.ui import analysis_dir, data_root, list_analyses, list_samples, safe_filename
from posecheck.video import VIDEO_SUFFIXES, VideoError

st.set_page_config(page_title="posecheck", page_icon="🚴", layout="wide")
st.title("posecheck — posture on the bike, over time")
st.caption("Film yourself from the side on a trainer (whole body and crank in frame, phone "
           "level). posecheck measures your fit angles and shows when your posture starts to go.")

with st.sidebar:
    st.header("Clip")
    source = st.radio("Source", ["Bundled sample", "Upload a clip"], key="source")
    video: Path | None = None
    if source == "Bundled sample":
        samples = list_samples()
        choice = st.selectbox("Sample", list(samples), key="sample")
        video = samples[choice] if choice else None
    else:
        up = st.file_uploader("Video", type=[s.lstrip(".") for s in VIDEO_SUFFIXES])
        if up is not None:
            dest = data_root() / "uploads" / safe_filename(up.name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists() or dest.stat().st_size != up.size:
                dest.write_bytes(up.getbuffer())
            video = dest
    mode = st.selectbox("Mode", ["auto", "full", "long"], key="mode",
                        help="full: every frame; long: 20 s windows every minute")
    go = st.button("Analyse", type="primary", disabled=video is None, key="analyse")
    earlier = list_analyses()
    if earlier:
        st.header("Earlier analyses")
        for p in earlier[:10]:
            st.caption(p.name)


def run(video: Path, mode: str):
    bar = st.progress(0.0, text="Starting the pose model…")
    t0 = time.monotonic()

    def progress(done: int, total: int, fps: float) -> None:
        left = (total - done) / fps if fps > 0 else float("nan")
        bar.progress(min(done / total, 1.0),
                     text=f"{done}/{total} frames · {fps:.0f} frames/s · {left:.0f} s left")

    try:
        result = analyze(video, analysis_dir(video), mode=mode, progress=progress)
    except (VideoError, NoRiderError) as exc:
        bar.empty()
        st.error(str(exc))
        return None
    bar.empty()
    st.success(f"Analysed in {time.monotonic() - t0:.1f} s")
    return result


if go and video is not None:
    st.session_state["result"] = run(video, mode)

result = st.session_state.get("result")
if result is None:
    st.info("Choose a clip in the sidebar and press **Analyse**.")
else:
    s = result.summary
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Frames analysed", s["frames_analysed"])
    c2.metric("Rider found", f"{100 * s['detection_rate']:.0f}%")
    c3.metric("View", s["view"]["view"], help=f"confidence {s['view']['confidence']:.2f}")
    c4.metric("Pose speed", f"{s['pose_fps'] or 0:.0f} fps" if not s["pose_cached"] else "cached")
    m: pd.DataFrame = result.metrics
    angle_cols = [c for c in m.columns if c.endswith("_deg") and m[c].notna().any()]
    if angle_cols:
        st.subheader("Angles over time")
        st.line_chart(m.set_index("time_s")[angle_cols], x_label="time (s)", y_label="degrees")
    if "shrug_ratio" in m and m["shrug_ratio"].notna().any():
        st.subheader("Shoulder shrug (ear-to-shoulder over trunk length)")
        st.line_chart(m.set_index("time_s")["shrug_ratio"], x_label="time (s)")
    st.download_button("Download metrics.csv", m.to_csv(index=False), "metrics.csv",
                       "text/csv")
