"""Running an analysis from the app: a progress bar with frames per second and time left,
errors as one message naming the clip as the rider knows it, a bad upload not kept."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from posecheck.calibration import ProfileError, load_profile
from posecheck.cores import usable_cores
from posecheck.pipeline import NoRiderError, analyze, load_analysis, record_in_history
from posecheck.ui import analysis_dir, data_root
from posecheck.video import VideoError


def analyse(
    status,
    video: Path,
    mode: str,
    view: str,
    profile_path: Path | None,
    label: str | None,
    ride_upload=None,
):
    """Analyse ``video`` into its folder under the data root; the Analysis, or None after
    showing why not. Progress, then the outcome, are shown in ``status`` (one ``st.empty``
    slot that the page keeps at a fixed place on every run: elements appearing above the
    tabs on one run only gave the tabs a new identity on the next, which sent the user back
    to the first tab). The success message is kept in ``st.session_state["status"]``."""
    if profile_path is None and mode == "auto" and view == "auto" and ride_upload is None:
        made = ready_sample(video)  # a bundled sample with the defaults: at once
        if made is not None:
            st.session_state["status"] = READY_NOTE
            status.success(READY_NOTE)
            return made
    bar = status.progress(0.0, text="Starting the pose model…")
    t0 = time.monotonic()

    def progress(done: int, total: int, fps: float) -> None:
        left = (total - done) / fps if fps > 0 else float("nan")
        bar.progress(
            min(done / max(total, 1), 1.0),
            text=f"{done}/{total} frames · {fps:.0f} frames/s · {left:.0f} s left",
        )

    try:
        profile = load_profile(profile_path) if profile_path else None
        ride = None
        if ride_upload is not None:  # attached before analysing (the sidebar)
            from posecheck.ui.views.ride import keep_ride_file

            ride = keep_ride_file(analysis_dir(video), ride_upload.name, ride_upload.getbuffer())
        result = analyze(
            video,
            analysis_dir(video),
            mode=mode,
            view=None if view == "auto" else view,
            profile=profile,
            progress=progress,
            workers=usable_cores(),
            # the history records the ride under the rider whose profile was chosen
            rider=profile_path.stem if profile_path else None,  # "default": no rider
            ride=ride,
            ride_label=ride_upload.name if ride_upload is not None else None,
        )
    except (VideoError, NoRiderError, ProfileError) as exc:
        # name the clip as the rider knows it, not by the server's copy
        status.error(str(exc).replace(str(video), label) if label else str(exc))
        if isinstance(exc, VideoError) and video.parent == data_root() / "uploads":
            video.unlink(missing_ok=True)  # an upload that is not a usable video is not kept
        return None
    cached = " (pose from cache)" if result.summary["pose_cached"] else ""
    st.session_state["status"] = f"Analysed in {time.monotonic() - t0:.1f} s{cached}"
    status.success(st.session_state["status"])
    return result


RUN_KEY = "analysis_requested"
READY_NOTE = (
    "Ready-made analysis of this sample, made with the default settings: choose a profile, "
    "mode or view to analyse it yourself."
)


def ready_sample(video: Path):
    """The ready-made analysis of a bundled sample (:mod:`posecheck.samples.analyses`) in its
    folder under the data root, or None (not a bundled sample, or the folder holds the
    rider's own analysis of it)."""
    from posecheck.samples.analyses import ready_made

    folder = analysis_dir(video)
    try:
        if not ready_made(video, folder):
            return None
        made = load_analysis(folder)
    except (OSError, ValueError, KeyError, VideoError):
        return None  # then it is analysed as any clip
    record_in_history(folder, None, None)  # as an analysis with the default profile would
    return made


def pick_earlier() -> Path | None:
    """The sidebar's choice among earlier analyses (newest first), None when there are none."""
    from posecheck import ui

    earlier = ui.list_analyses()
    if not earlier:
        st.caption("No analyses yet.")
        return None
    names = {p.name: p for p in earlier}
    pick = st.selectbox(
        "Analysis", list(names), key="earlier", format_func=lambda n: ui.analysis_label(names[n])
    )
    return names[pick]


def request_run() -> None:
    """The Analyse button's callback: runs before the page's rerun."""
    st.session_state[RUN_KEY] = True


def busy() -> bool:
    """An analysis was asked for and has not finished."""
    return bool(st.session_state.get(RUN_KEY))


def reopened(status, folder: Path):
    """An earlier analysis, or None after saying why not in ``status``."""
    try:
        return load_analysis(folder)
    except (FileNotFoundError, VideoError, ValueError) as exc:  # ValueError: not our npz
        status.error(f"Cannot reopen {folder.name}: {exc}")
        return None


def shown_result(status, go: bool, chosen: Path | None, name: str, run: Callable[[], Any]):
    """(analysis, the clip's name) to show under the tabs; stops the page when there is none.

    Results are shown only under the clip they were made from: choosing another clip hides
    them until it is analysed (the slot names the chosen clip). A failed run leaves its
    message in the slot and nothing below it."""
    state = st.session_state
    if go:
        state.pop("status", None)
        try:
            state["result"] = run()
        finally:
            was_busy = state.pop(RUN_KEY, False)
        state["result_for"] = (str(chosen), name)
        if state["result"] is None:
            st.stop()  # the slot says why; no "choose a clip" under the error
        if was_busy:
            st.rerun()  # draw the page again with the Analyse button enabled
    result = state.get("result")
    result_for, result_name = state.get("result_for") or (None, "")
    if not go and state.get("status"):
        status.success(state["status"])
    if result is not None and result_for != str(chosen):
        status.info(f"**{name or 'No clip'}** is chosen: press **Analyse** to see its results.")
        st.stop()
    if result is None:
        st.info("Choose a clip in the sidebar and press **Analyse**.")
        st.stop()
    return result, result_name
