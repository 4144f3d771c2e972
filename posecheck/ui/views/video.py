"""Video tab: the frame under the time slider with the angles drawn, and the annotated video."""

from __future__ import annotations

import streamlit as st

from posecheck.render import annotated_frame, write_annotated_video


def show(result, marker_s: float) -> None:
    img = annotated_frame(result, marker_s)
    if img is not None:
        st.image(
            img, caption=f"Frame at {marker_s:.2f} s with the near side's angles", width="stretch"
        )
    ann = result.outdir / "annotated.mp4"
    if not ann.exists():
        slot = st.empty()
        if slot.button("Make the annotated video", key="make_video"):
            with st.spinner("Drawing the skeleton on every analysed frame…"):
                write_annotated_video(result, ann)
            slot.empty()
    if ann.exists():
        st.video(str(ann), start_time=int(marker_s))  # the time slider moves the video too
