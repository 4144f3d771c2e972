"""Coach tab: this analysis against an earlier one, or early against late of this ride."""

from __future__ import annotations

import streamlit as st

from posecheck.compare import compare_analyses, compare_windows, side_by_side
from posecheck.pipeline import load_analysis
from posecheck.ui import analysis_label, list_analyses
from posecheck.ui.charts import draw, phase_chart
from posecheck.video import VideoError


def show(result, marker_s: float) -> None:
    st.subheader("Compare two analyses")
    earlier = {p.name: p for p in list_analyses()}
    others = [n for n in earlier if earlier[n] != result.outdir]
    options = ["early vs late of this ride"] + others
    against = st.selectbox(
        "Compare this analysis (after) with",
        options,
        key="compare_with",
        format_func=lambda n: analysis_label(earlier[n]) if n in earlier else n,
    )
    # a comparison belongs to the two analyses it names: shown only while they are chosen
    pair = (str(result.outdir), against)
    if st.button("Compare", key="compare"):
        try:
            if against == options[0]:
                d = float(result.summary["video"]["duration_s"])
                cmp, img = compare_windows(result, d / 3, 2 * d / 3), None
            else:
                before = load_analysis(earlier[against])
                cmp, img = compare_analyses(before, result), side_by_side(before, result)
            st.session_state["comparison"] = (pair, cmp, img)
        except (FileNotFoundError, VideoError) as exc:
            st.error(f"Cannot compare with {analysis_label(earlier[against])}: {exc}")
    got = st.session_state.get("comparison")
    if got and got[0] == pair:
        _, cmp, img = got
        st.write(
            f"**{cmp.label_a}** → **{cmp.label_b}**: a change counts only when it is "
            "larger than both the strokes' own spread and the measurement-noise floor."
        )
        cols = {  # words for the column names (the CSV keeps the names)
            "label": "measure",
            "before": "before",
            "after": "after",
            "change": "change",
            "unit": "unit",
            "stroke_spread": "strokes' own spread",
            "noise_floor": "measurement noise",
            "verdict": "verdict",
        }
        st.dataframe(
            cmp.deltas[[c for c in cols if c in cmp.deltas]].rename(columns=cols),
            hide_index=True,
            key="delta_table",
        )
        if len(cmp.curves):
            # a facet cannot be fitted to the column's width ("stretch" made Vega warn): its
            # panels are sized to fit it (posecheck.ui.charts.phase_chart)
            draw(st, phase_chart(cmp), width="content")
        if img is not None:
            st.image(
                img, caption="Both at bottom dead centre (a typical stroke each)", width="stretch"
            )
