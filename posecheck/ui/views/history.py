"""History tab: a rider's rides over time from the history database (posecheck.history):
the rides, each sign's baseline and onset across rides, fit angles across setups, any two
rides compared, and the fitter's list of clients (rename, merge, delete)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from posecheck import history
from posecheck.labels import short_name
from posecheck.ui.charts import draw


def _when(df: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(df["recorded_at"].fillna(df["analysed_at"]), utc=True, format="mixed")


def show(result, marker_s: float) -> None:
    st.subheader("History: rides over time")
    try:
        engine = history.open_db()
    except history.HistoryError as exc:
        st.error(str(exc))
        return
    try:
        _show(engine, result)
    finally:
        engine.dispose()


def _show(engine, result) -> None:
    if history.is_ride(result.summary):
        _setup_form(engine, result)
    else:
        st.info(
            "No pedal stroke was measured in this clip, so it is not a ride and is not "
            "recorded here (see the pedalling line in Rider)."
        )
    everyone = history.rides_table(engine)
    if not len(everyone):
        st.info("No rides recorded yet: every ride analysed is recorded here.")
        return
    mine = everyone[everyone["folder"] == str(result.outdir.resolve())]
    names = sorted(everyone["rider"].unique())
    default = mine["rider"].iloc[0] if len(mine) else names[0]
    rider = st.selectbox("Rider", names, index=names.index(default), key="history_rider")
    rides = everyone[everyone["rider"] == rider].copy()
    rides["date"] = _when(rides).dt.strftime("%Y-%m-%d %H:%M")
    rides["label"] = rides["date"] + " · " + rides["clip_name"]
    rides["onsets"] = [
        "; ".join(f"{short_name(f['metric'])} {f['onset_s'] / 60:.0f} min" for f in (fs or []))
        for fs in rides["findings"]
    ]
    st.dataframe(
        rides[
            [
                "date",
                "clip_name",
                "setup",
                "saddle_height_mm",
                "knee_bdc_deg",
                "cadence_rpm",
                "onsets",
                "folder_exists",
            ]
        ].rename(
            columns={
                "clip_name": "clip",
                "saddle_height_mm": "saddle height (mm)",
                "knee_bdc_deg": "knee at BDC (°)",
                "cadence_rpm": "cadence (rpm)",
                "onsets": "signs set in at",
                "folder_exists": "analysis folder present",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if (~rides["folder_exists"]).any():
        st.warning(
            "Some rides' analysis folders are missing (moved or deleted): their figures are "
            "kept here, but they cannot be opened or compared."
        )
    _trends(rides)
    _compare(rides)
    _clients(engine, rides)


ANGLE_WORDS = {
    "knee_bdc_deg": "knee at bottom dead centre",
    "knee_tdc_deg": "knee at top dead centre",
    "hip_closed_deg": "hip, most closed",
    "back_deg": "back angle",
    "elbow_deg": "elbow angle",
}


def _trends(rides: pd.DataFrame) -> None:
    order = list(rides["label"])
    x = alt.X("ride:N", title=None, sort=order)
    base = [
        {"ride": r["label"], "sign": short_name(m), "value": v}
        for _, r in rides.iterrows()
        for m, v in (r["baselines"] or {}).items()
    ]
    onsets = [
        {"ride": r["label"], "sign": short_name(f["metric"]), "minutes": f["onset_s"] / 60}
        for _, r in rides.iterrows()
        for f in r["findings"] or []
    ]
    if base:
        st.markdown("**Each sign across rides**: its fresh baseline (your own normal)")
        frame = pd.DataFrame(base)
        panels = [  # one panel a sign, each with its own data (kept in the spec: draw)
            alt.Chart(frame[frame["sign"] == sign].reset_index(drop=True))
            .mark_line(point=True)
            .encode(x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)))
            .properties(width=220, height=120, title=sign)
            for sign in dict.fromkeys(frame["sign"])
        ]
        draw(st, alt.concat(*panels, columns=3).resolve_scale(y="independent"), "content")
    if onsets:
        st.markdown("**When each sign set in**, minutes into the ride")
        draw(
            st,
            alt.Chart(pd.DataFrame(onsets))
            .mark_line(point=True)
            .encode(x=x, y=alt.Y("minutes:Q", title="onset (min)"), color=alt.Color("sign:N"))
            .properties(height=200),
        )
    angles = rides.melt(
        id_vars=["label", "setup"],
        value_vars=list(ANGLE_WORDS),
        var_name="angle",
        value_name="deg",
    ).dropna(subset=["deg"])
    if len(angles):
        angles["setup"] = angles["setup"].fillna("(no setup given)")
        angles["angle"] = angles["angle"].map(ANGLE_WORDS)
        st.markdown("**Fit angles across setups** (colour: the setup ridden)")
        draw(
            st,
            alt.Chart(angles)
            .mark_point(filled=True, size=70)
            .encode(
                x=alt.X("label:N", title=None, sort=order),
                y=alt.Y("deg:Q", title="degrees", scale=alt.Scale(zero=False)),
                color=alt.Color("setup:N"),
                shape=alt.Shape("angle:N"),
            )
            .properties(height=220),
        )


def _compare(rides: pd.DataFrame) -> None:
    usable = rides[rides["folder_exists"]]
    if len(usable) < 2:
        return
    st.markdown("**Compare two rides**")
    labels = list(usable["label"])
    c1, c2 = st.columns(2)
    a = c1.selectbox("Before", labels, index=0, key="history_a")
    b = c2.selectbox("After", labels, index=len(labels) - 1, key="history_b")
    pair = (a, b)
    if st.button("Compare these two", key="history_compare"):
        st.session_state["history_pair"] = pair
    if st.session_state.get("history_pair") == pair:
        from posecheck.compare import compare_analyses
        from posecheck.pipeline import load_analysis

        folder = dict(zip(usable["label"], usable["folder"]))
        cmp = compare_analyses(load_analysis(folder[a]), load_analysis(folder[b]))
        st.caption(f"{a} → {b}: a change counts only when it beats the strokes' own spread.")
        st.dataframe(
            cmp.deltas[["label", "before", "after", "change", "unit", "verdict"]].rename(
                columns={"label": "measure"}
            ),
            hide_index=True,
            width="stretch",
        )


def _clients(engine, rides: pd.DataFrame) -> None:
    with st.expander("Clients (fitters): riders, rename, merge, delete a ride"):
        st.dataframe(history.clients(engine), hide_index=True, width="stretch")
        names = sorted(history.clients(engine)["rider"])
        with st.form("history_rename"):
            old = st.selectbox("Rider", names, key="history_old")
            new = st.text_input("New name (an existing rider's name merges them)")
            if st.form_submit_button("Rename or merge") and new.strip():
                if new.strip() in names:
                    history.merge_riders(engine, old, new.strip())
                else:
                    history.rename_rider(engine, old, new.strip())
                st.rerun()
        with st.form("history_delete"):
            ride = st.selectbox("Ride", list(rides["label"]), key="history_del")
            folder_too = st.checkbox("Also delete its analysis folder")
            if st.form_submit_button("Delete this ride"):
                rid = int(rides.loc[rides["label"] == ride, "id"].iloc[0])
                history.delete_ride(engine, rid, with_folder=folder_too)
                st.rerun()


def _setup_form(engine, result) -> None:
    """Name the bike setup ridden in this clip (what a fitter changed)."""
    with st.form("history_setup"):
        label = st.text_input(
            'Setup ridden in this clip (e.g. "saddle +20 mm")', key="history_setup_label"
        )
        cols = st.columns(4)
        bike = cols[0].text_input("Bike", key="history_bike")
        numbers = {
            key: cols[i + 1].number_input(words, value=None, step=1.0, key=f"history_{key}")
            for i, (key, words) in enumerate(
                (
                    ("saddle_height_mm", "Saddle height (mm)"),
                    ("saddle_setback_mm", "Saddle setback (mm)"),
                    ("bar_drop_mm", "Bar drop (mm)"),
                )
            )
        }
        if st.form_submit_button("Save setup") and label.strip():
            fields = {"bike": bike.strip() or None, **numbers}
            history.record_analysis(engine, result.outdir, setup=label.strip(), setup_fields=fields)
            st.success(f"Setup saved: {label.strip()}")
