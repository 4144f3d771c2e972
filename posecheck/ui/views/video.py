"""Video tab: the annotated video (made on request, with its progress), and the frame under
the time slider with the angles drawn."""

from __future__ import annotations

import streamlit as st

from posecheck.render import annotated_frame, write_annotated_video


def show(result, marker_s: float) -> None:
    ann = result.outdir / "annotated.mp4"
    if not result.video_available and not ann.exists():
        st.info(
            f"The video of this analysis is no longer at {result.info.path} (moved or "
            "deleted), so its frames cannot be shown; every figure in the other tabs is "
            "still here. Analyse the clip again from its new place to see it."
        )
        return
    if not ann.exists():  # the button first: visible without scrolling past the frame
        slot = st.empty()
        if slot.button("Make the annotated video", key="make_video"):
            bar = slot.progress(0.0, text="Drawing the skeleton on every analysed frame…")

            def progress(done: int, total: int, fps: float) -> None:
                if done % 10 and done != total:
                    return
                left = (total - done) / fps if fps > 0 else float("nan")
                bar.progress(
                    min(done / max(total, 1), 1.0),
                    text=f"Annotated video: {done}/{total} frames · {fps:.0f} frames/s · "
                    f"{left:.0f} s left",
                )

            try:
                write_annotated_video(result, ann, progress=progress)
                slot.empty()
            except (OSError, RuntimeError, ValueError) as exc:
                slot.error(f"Could not make the annotated video of {result.outdir.name}: {exc}")
    if ann.exists():
        st.video(str(ann), start_time=int(marker_s))  # the time slider moves the video too
    img = annotated_frame(result, marker_s)
    if img is not None:
        st.image(
            img, caption=f"Frame at {marker_s:.2f} s with the near side's angles", width="stretch"
        )
