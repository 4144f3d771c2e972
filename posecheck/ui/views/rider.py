"""Rider tab: what happened over the ride, with advice, scores and one timeline per sign."""

from __future__ import annotations

import streamlit as st

from posecheck.labels import explained_sentences, not_assessed_sentence
from posecheck.ui.charts import draw, metric_timeline, scores_chart, watched_metrics


def show(result, marker_s: float) -> None:
    fnd, tl = result.findings, result.timeline
    st.subheader("What happened over the ride")
    if fnd.get("too_short"):
        fit = (
            "The fit angles of this clip are in **Fitter**."
            if len(result.strokes)
            else "No pedal stroke was measured in it either, so it has no fit angles (the "
            "line under the headline says why)."
        )
        st.info(
            "This clip is too short to show a change over time: a timeline needs several "
            f"minutes of riding. {fit}"
        )
        st.caption(fnd["note"])
        return
    for f in fnd["findings"]:
        with st.expander(f"{f['sentence']} (confidence {f['confidence']:.2f})", expanded=True):
            st.write(f"**What helps:** {f['advice']}")
            if f.get("ride_sentence"):
                st.caption(f["ride_sentence"])
    if (fnd.get("heart_rate_drift") or {}).get("sentence"):
        st.info(fnd["heart_rate_drift"]["sentence"])
    for note in fnd["variability"]["notes"]:
        st.info(note)
    st.caption(fnd["note"])
    if len(tl):
        draw(st, scores_chart(tl, marker_s))
        cols = st.columns(2)
        for i, metric in enumerate(watched_metrics(tl)):
            draw(cols[i % 2], metric_timeline(tl, fnd, metric, marker_s))
        st.caption(
            "Green band: your fresh baseline ± the smallest change that counts; blue: "
            "the baseline minutes; red: a sustained drift from its onset (dashed)."
        )
    if fnd["not_assessed"]:
        st.caption(not_assessed_sentence(fnd["not_assessed"]))
    for line in explained_sentences(fnd.get("explained", [])):
        st.caption(line)
