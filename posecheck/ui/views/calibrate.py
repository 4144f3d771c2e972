"""Calibrate tab: save this clip as a rider's fresh baseline (and camera tilt and scale)."""

from __future__ import annotations

import streamlit as st

from posecheck.calibration import ProfileError, calibrate
from posecheck.ui import profiles_dir, safe_filename


def show(result, marker_s: float) -> None:
    st.subheader("Save this clip as a rider's fresh baseline")
    st.write(
        "Film a few fresh minutes, analyse them, then save them here: later rides chosen "
        "with this profile are judged against it, not only against their own first "
        "minutes. With an ArUco marker (OpenCV DICT_4X4_50) fixed upright in view, the "
        "camera's tilt and a centimetre scale are saved too."
    )
    rider_name = st.text_input("Rider name", key="rider_name")
    marker_cm = st.number_input(
        "ArUco marker side (cm, 0 = none)", 0.0, 100.0, 0.0, key="marker_cm"
    )
    if st.button("Save profile", key="save_profile", disabled=not rider_name.strip()):
        try:
            path, written = calibrate(
                result,
                rider_name,
                marker_cm or None,
                profiles_dir() / f"{safe_filename(rider_name)}.toml",
            )
            st.session_state["profile_saved"] = (
                f"Saved {path.name}: baseline for {len(written['baseline'])} metrics"
                + (
                    f", camera tilt {written['camera']['tilt_deg']:+.1f}°"
                    if written["camera"]
                    else ""
                )
                + ". Choose it under Profile."
            )
            # run the page again so that the sidebar's Profile list, drawn before this tab,
            # already holds the new profile
            st.rerun()
        except ProfileError as exc:
            st.error(str(exc))
    saved = st.session_state.pop("profile_saved", None)
    if saved:
        st.success(saved)
