"""Fitter tab: each measure per pedal stroke against its published range, the frames at the
bottom and top of a typical stroke, and the view's confidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from posecheck.calibration import ProfileError, set_position
from posecheck.labels import label as measure_name
from posecheck.ranges import (
    POSITIONS,
    fit_position,
    load_ranges,
    position_sentence,
    range_summary,
    with_status,
)
from posecheck.render import annotated_frame
from posecheck.ui import list_profiles, profiles_dir
from posecheck.ui.charts import distribution, draw


def show(result, marker_s: float) -> None:
    s = result.summary
    st.subheader("Per pedal stroke, against published ranges")
    position = _position(result)
    ranges = load_ranges(position=position)
    strokes = result.strokes
    if position != fit_position(s):  # judged again for the position chosen here
        strokes = with_status(strokes, ranges)
    if strokes.empty:
        st.info(s["pedalling"]["statement"])
    else:
        summary_rows = range_summary(strokes, ranges)
        # the source in the table; each convention in full under it (a wide column of the
        # table ran past the page and had to be scrolled to: issue 21)
        if summary_rows:
            st.dataframe(
                pd.DataFrame(summary_rows).drop(columns="convention"),
                hide_index=True,
                key="range_table",
                column_config={"source": st.column_config.TextColumn(width="medium")},
            )
            st.markdown(
                "\n".join(f"- **{r['measure']}**: {r['convention']}" for r in summary_rows),
                help="How each published range measures its angle",
            )
        else:  # a rear or front view: the published ranges are side-view angles
            st.info("No published range applies to the measures of this view.")
        st.caption(
            "Angles are included angles (180° = straight). Each stroke's verdict is "
            "in / below / above the published range, or low confidence when the "
            "joint was not seen well enough. " + position_sentence(position)
        )
        # words, not column names (issue 21): the CSV keeps the names, the page says them
        names = {"stroke": "stroke", "start_s": "starts at (s)", "cadence_rpm": "cadence (rpm)"}
        for r in ranges:
            if r.column in strokes:
                names.setdefault(r.column, r.label)
                names.setdefault(f"{r.column}_status", f"{r.label}: verdict")
        table = strokes[[c for c in names if c in strokes]].round(1).rename(columns=names)
        st.dataframe(table, hide_index=True, key="stroke_table")
        dcols = st.columns(3)
        for i, r in enumerate(
            x for x in ranges if x.column in strokes and strokes[x.column].notna().any()
        ):
            draw(dcols[i % 3], distribution(strokes, r.column, r.low, r.high, r.label))
        _dead_centre_frames(result, strokes, marker_s)
    st.subheader("View and confidence")
    conf = {
        c[:-5]: round(float(result.metrics[c].median()), 2)
        for c in result.metrics.columns
        if c.endswith("_conf")
    }
    st.write(
        f"View **{s['view']['view']}**, near side **{s['view']['near_side'] or '—'}** "
        f"({s['view']['source']}, confidence {s['view']['confidence']:.2f}). Use **View** "
        "in the sidebar to override it."
    )
    st.dataframe(
        pd.DataFrame(
            {"measure": [measure_name(c) for c in conf], "median confidence": list(conf.values())}
        ),
        hide_index=True,
        key="conf_table",
    )


def stroke_to_show(strokes: pd.DataFrame, marker_s: float) -> tuple[pd.Series, str]:
    """The stroke whose bottom and top dead centre frames are shown, and why: the stroke
    under the time marker once it is moved, else a typical one (knee at BDC nearest the
    median)."""
    if marker_s > 0:
        inside = strokes[(strokes["start_s"] <= marker_s) & (strokes["end_s"] > marker_s)]
        if len(inside):
            return inside.iloc[0], "under the time marker"
        nearest = (strokes["start_s"] - marker_s).abs().argsort().iat[0]
        return strokes.iloc[nearest], "nearest the time marker"
    knee = strokes["knee_at_bdc_deg"]
    typical = strokes.iloc[(knee - knee.median()).abs().fillna(np.inf).argsort().iat[0]]
    return typical, "a typical stroke; move the time marker to see another"


def _dead_centre_frames(result, strokes: pd.DataFrame, marker_s: float) -> None:
    typical, why = stroke_to_show(strokes, marker_s)
    st.caption(f"Stroke {int(typical['stroke'])}: {why}.")
    fc1, fc2 = st.columns(2)
    for col, label, t in (
        (fc1, "Bottom dead centre", typical["bdc_s"]),
        (fc2, "Top dead centre", typical["start_s"]),
    ):
        if np.isfinite(t):
            img = annotated_frame(result, float(t))
            if img is not None:
                col.image(
                    img,
                    caption=f"{label}, stroke {int(typical['stroke'])} at {t:.2f} s",
                    width="stretch",
                )


def _position(result) -> str:
    """The riding position the ranges are read for: the analysis' own (its profile's) until
    the fitter chooses another here; a rider profile saved by the app can remember it."""
    keys = list(POSITIONS)
    position = st.selectbox(
        "Riding position",
        keys,
        index=keys.index(fit_position(result.summary)),
        format_func=lambda k: POSITIONS[k].capitalize(),
        key=f"position-{result.outdir.name}",
        help="Torso, hip, elbow and shoulder ranges were published for particular positions; "
        "the knee and ankle ranges hold in all of them.",
    )
    name = st.session_state.get("profile", "default")
    path = list_profiles().get(name)
    if path is not None and path.parent == profiles_dir():
        if st.button(f"Remember this position in {name}'s profile", key="remember_position"):
            try:
                set_position(path, position)
                st.success(f"{name}'s profile now says: {POSITIONS[position]}.")
            except ProfileError as exc:
                st.error(str(exc))
    elif position != fit_position(result.summary):
        st.caption("To remember it, choose a rider's profile in the sidebar (Calibrate saves one).")
    return position
