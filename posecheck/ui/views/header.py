"""Above the tabs: the verdict, the pedalling statement and the headline tiles."""

from __future__ import annotations

import streamlit as st


def show(result, name: str = "") -> None:
    s, fnd = result.summary, result.findings
    st.subheader(f"Results for {name or result.outdir.name}")
    if fnd["findings"]:
        st.warning(f"**{fnd['headline']}**")
    elif fnd.get("steady", True):
        st.success(f"**{fnd['headline']}**")
    else:  # nothing could be assessed
        st.info(f"**{fnd['headline']}**")
    if not s.get("decoding", {"complete": True})["complete"]:
        st.warning(s["decoding"]["note"])
    st.caption(
        s["pedalling"]["statement"]
        + (
            ""
            if fnd.get("too_short")  # no timeline: its baseline and sustain mean nothing
            else f" Baseline: {fnd['baseline']['start_s']:.0f}–"
            f"{fnd['baseline']['end_s']:.0f} s; a drift must hold {fnd['sustain_s']:.0f} s."
        )
    )
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Frames analysed", s["frames_analysed"])
    c2.metric("Rider found", f"{100 * s['detection_rate']:.0f}%")
    c3.metric(
        "View",
        s["view"]["view"],
        help=f"confidence {s['view']['confidence']:.2f}, {s['view']['source']}",
    )
    c4.metric(
        "Cadence",
        f"{s['pedalling'].get('cadence_rpm_median', 0) or 0:.0f} rpm"
        if s["pedalling"].get("pedalling")
        else "—",
    )
