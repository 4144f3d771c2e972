"""Ride data tab: attach the ride's FIT, TCX or CSV file (power, heart rate, cadence) and see
it under the posture signs on one time axis, with each finding's figures at its onset."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from posecheck.ride import attach_ride, ride_table
from posecheck.ui import safe_filename
from posecheck.ui.charts import draw, ride_chart

RIDE_TYPES = ["fit", "tcx", "csv"]
HOW_TO_EXPORT = (
    "Export the ride's file from your trainer app or head unit: **Zwift** (the .fit in "
    "Documents/Zwift/Activities), **TrainerRoad** (ride page → Export → FIT), **Garmin "
    "Connect** (activity → ⚙ → Export Original), **Wahoo** (ELEMNT app → workout → Share → "
    "FIT), **Strava** (activity → ⋯ → Export Original). A CSV needs a time column (seconds) "
    "and power, heart rate or cadence columns."
)


def show(result, marker_s: float) -> None:
    st.subheader("Ride data: power, heart rate and cadence beside posture")
    with st.form("ride_form", clear_on_submit=False):
        up = st.file_uploader("Ride file (FIT, TCX or CSV)", type=RIDE_TYPES)
        offset = st.number_input(
            "The ride file's seconds at the video's first frame (leave empty: found from "
            "your cadence)",
            value=None,
            step=1.0,
            key="ride_offset",
        )
        attach = st.form_submit_button("Attach ride file")
    if attach and up is not None:
        dest = keep_ride_file(result.outdir, up.name, up.getbuffer())
        with st.spinner("Matching the ride file to the video…"):
            attach_ride(result, dest, offset, label=up.name)
        result.ride = ride_table(result.outdir)
        from posecheck.report import write_reports

        write_reports(result)
    block = result.summary.get("ride")
    if not block:
        st.info("No ride file attached to this analysis. " + HOW_TO_EXPORT)
        return
    if "error" in block:
        st.warning(f"Ride file not used: {block['error']}")
        return
    how = "given by hand" if block["method"] == "manual" else f"matched by {block['method']}"
    st.success(
        f"{block['file']}: the file's {block['offset_s']:.1f} s is the video's first frame "
        f"({how}, confidence {block['confidence']:.2f})."
    )
    drift = block.get("heart_rate_drift") or {}
    st.write(drift.get("sentence") or f"Heart-rate drift not measured: {drift.get('reason')}.")
    for f in result.findings.get("findings", []):
        if f.get("ride_sentence"):
            st.write(f"**{f['sentence']}** {f['ride_sentence']}")
    if result.ride is not None:
        windows = result.summary.get("windows_s") or [
            [0.0, float(result.summary["video"]["duration_s"])]
        ]
        draw(
            st,
            ride_chart(result.ride, result.timeline, result.findings, windows, marker_s),
            "content",  # a vconcat of RIDE_WIDTH px
        )
        st.caption(
            "Grey: the analysed video; dashed red: each posture finding's onset. The whole "
            "ride file is shown, also before and after the video."
        )


def keep_ride_file(outdir, name: str, data) -> Path:
    """Keep an uploaded ride file in the analysis folder (``ride_source-<safe name>``)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob("ride_source-*"):
        old.unlink()
    dest = outdir / f"ride_source-{safe_filename(name)}"
    dest.write_bytes(bytes(data))
    return dest
