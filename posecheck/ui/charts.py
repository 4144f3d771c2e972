"""Altair charts for the app and the report: metric timelines with the baseline band, flagged
periods and onsets; tension and collapse scores; per-metric distributions."""

from __future__ import annotations

import textwrap

import altair as alt
import numpy as np
import pandas as pd

from posecheck.fatigue import SIGN_BY_METRIC, timeline_stretches
from posecheck.labels import LABELS

#: what the chart builders return (altair's typing of .properties() on layers and facets)
Chart = alt.LayerChart | alt.FacetChart


def metric_timeline(
    timeline: pd.DataFrame,
    findings: dict,
    metric: str,
    marker_s: float | None = None,
    height: int = 240,
) -> Chart:
    """One metric per stroke over the ride: the baseline band (median +/- threshold), the
    sustained drift shaded, the onset as a dashed rule and an optional time marker."""
    base_info = findings["baseline"]["per_metric"].get(metric)
    df = (
        timeline[["time_s", metric]]
        .assign(stretch=timeline_stretches(timeline["time_s"]))
        .dropna()
        .rename(columns={metric: "value"})
    )
    x = alt.X("time_s:Q", title="ride time (s)")
    layers = []
    if base_info:
        lo, hi = (
            base_info["median"] - base_info["threshold"],
            base_info["median"] + base_info["threshold"],
        )
        band = pd.DataFrame(
            {
                "x0": [findings["baseline"]["start_s"]],
                "x1": [float(timeline["time_s"].max())],
                "lo": [lo],
                "hi": [hi],
            }
        )
        layers.append(
            alt.Chart(band)
            .mark_rect(opacity=0.15, color="#2e7d32")
            .encode(x="x0:Q", x2="x1:Q", y="lo:Q", y2="hi:Q")
        )
        fresh = pd.DataFrame(
            {"x0": [findings["baseline"]["start_s"]], "x1": [findings["baseline"]["end_s"]]}
        )
        layers.append(
            alt.Chart(fresh).mark_rect(opacity=0.08, color="#1565c0").encode(x="x0:Q", x2="x1:Q")
        )
    for f in findings["findings"]:
        if f["metric"] != metric:
            continue
        span = pd.DataFrame({"x0": [f["onset_s"]], "x1": [f["sustained_until_s"]]})
        layers.append(
            alt.Chart(span).mark_rect(opacity=0.15, color="#c62828").encode(x="x0:Q", x2="x1:Q")
        )
        onset = pd.DataFrame({"t": [f["onset_s"]], "label": [f"onset {f['onset']}"]})
        layers.append(
            alt.Chart(onset)
            .mark_rule(color="#c62828", strokeDash=[6, 3])
            .encode(x="t:Q", tooltip="label:N")
        )
    layers.append(
        alt.Chart(df)
        .mark_line(color="#37474f")
        .encode(
            x=x,
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
            detail="stretch:N",  # one line per measured stretch: none across a gap
            tooltip=["time_s:Q", "value:Q"],
        )
    )
    if marker_s is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"t": [marker_s]}))
            .mark_rule(color="#ff8f00", size=2)
            .encode(x="t:Q")
        )
    return alt.layer(*layers).properties(title=LABELS.get(metric, metric), height=height)


def scores_chart(timeline: pd.DataFrame, marker_s: float | None = None) -> Chart:
    cols = [c for c in ("tension_score", "collapse_score") if c in timeline]
    df = timeline.assign(stretch=timeline_stretches(timeline["time_s"])).melt(
        id_vars=["time_s", "stretch"], value_vars=cols, var_name="score", value_name="value"
    )
    df["score"] = df["score"].str.replace("_score", "")
    chart = (
        alt.Chart(df)
        .mark_line()
        .encode(
            x=alt.X("time_s:Q", title="ride time (s)"),
            y=alt.Y("value:Q", title="score"),
            color=alt.Color(
                "score:N",
                scale=alt.Scale(domain=["tension", "collapse"], range=["#ef6c00", "#6a1b9a"]),
            ),
            detail="stretch:N",  # no line across a stretch nobody measured
        )
    )
    one = (
        alt.Chart(pd.DataFrame({"y": [1.0]}))
        .mark_rule(strokeDash=[4, 4], color="#999")
        .encode(y="y:Q")
    )
    layers = [chart, one]
    if marker_s is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"t": [marker_s]}))
            .mark_rule(color="#ff8f00", size=2)
            .encode(x="t:Q")
        )
    # the score's meaning under the title: as the y axis' title it was cut at the height
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            "Tension and collapse over the ride",
            subtitle="score: 1 = one sign at its threshold, 2 = two signs or one at twice it",
            anchor="start",
        ),
        height=280,
    )


def inline_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec with its data written into each view as values.

    Streamlit moves named and top-level data out of a spec and runs each chart once before
    that data arrive, so every such chart logs "Infinite extent" warnings in the browser
    (streamlit/streamlit#16614); data inside the views stay in the spec and are there from
    the first run. A facet needs its data at the top and keeps it there."""
    spec = chart.to_dict()
    datasets = spec.pop("datasets", {})

    def inline(node) -> None:
        if isinstance(node, dict):
            d = node.get("data")
            if isinstance(d, dict) and d.get("name") in datasets:
                node["data"] = {"values": datasets[d["name"]]}
            for v in node.values():
                inline(v)
        elif isinstance(node, list):
            for v in node:
                inline(v)

    inline(spec)
    top = spec.get("data")
    parts = next((k for k in ("layer", "concat", "hconcat", "vconcat") if k in spec), None)
    if top is not None and parts:
        del spec["data"]
        for view in spec[parts]:
            view.setdefault("data", top)
    elif top is not None and "mark" in spec:
        del spec["data"]
        unit = {k: spec.pop(k) for k in ("mark", "encoding", "transform") if k in spec}
        spec["layer"] = [{"data": top, **unit}]
    if any(k in spec for k in ("concat", "hconcat", "vconcat", "facet")):
        spec["autosize"] = {"type": "pad"}  # "fit" works for single and layered views only
    return spec


def draw(where, chart: alt.TopLevelMixin, width: str = "stretch") -> None:
    """Draw an Altair chart in a Streamlit container with its data inline (:func:`inline_spec`)."""
    where.vega_lite_chart(inline_spec(chart), width=width)


def distribution(strokes: pd.DataFrame, column: str, low: float, high: float, title: str) -> Chart:
    """Histogram of one per-stroke value with the published range shaded."""
    df = strokes[[column]].dropna()
    lo = float(np.floor(min(low, df[column].min()) - 3)) if len(df) else low - 3
    hi = float(np.ceil(max(high, df[column].max()) + 3)) if len(df) else high + 3
    x_scale = alt.Scale(domain=[lo, hi])
    band = (
        alt.Chart(pd.DataFrame({"lo": [low], "hi": [high]}))
        .mark_rect(opacity=0.15, color="#2e7d32")
        .encode(x=alt.X("lo:Q", scale=x_scale), x2="hi:Q")
    )
    hist = (
        alt.Chart(df)
        .mark_bar(color="#455a64")
        .encode(
            x=alt.X(f"{column}:Q", bin=alt.Bin(step=1, extent=[lo, hi]), scale=x_scale, title=None),
            y=alt.Y("count()", title="strokes"),
        )
    )
    # the measure as the chart's title, wrapped (as the axis title it was cut at the width)
    lines = textwrap.wrap(title, 32)
    return alt.layer(band, hist).properties(
        height=210, title=alt.TitleParams(lines, anchor="start", fontSize=12)
    )


def watched_metrics(timeline: pd.DataFrame) -> list[str]:
    return [m for m in SIGN_BY_METRIC if m in timeline and timeline[m].notna().any()]


#: before (a) and after (b): two colours told apart by colour-blind eyes too
PAIR_COLOURS = ("#1f77b4", "#e4572e")


def phase_chart(cmp) -> alt.ConcatChart:
    """Mean curves over the crank cycle (0-100%) for both sides of a comparison, one panel per
    metric (titled in words), with a +/- 1 SD band, in two clearly different colours with
    the whole labels in the legend. Panels of 210 px, three to a row, keep the chart inside
    the page's column at a 1400 px window (it was 1134 px and scrolled sideways); metrics
    with no curve are left out (an empty panel made Vega warn "Infinite extent"). Panels are
    concatenated, each with its own data, so that :func:`inline_spec` can keep the data in
    the spec (a facet needs them at the top, where Streamlit takes them out)."""
    df = cmp.curves[np.isfinite(cmp.curves["mean"])].copy()
    df["who"] = np.where(df["side"] == "a", cmp.label_a, cmp.label_b)
    df["lo"], df["hi"] = df["mean"] - df["sd"].fillna(0), df["mean"] + df["sd"].fillna(0)
    colour = alt.Color(
        "who:N",
        title=None,
        scale=alt.Scale(domain=[cmp.label_a, cmp.label_b], range=list(PAIR_COLOURS)),
        legend=alt.Legend(orient="top", labelLimit=0),
    )
    panels = []
    for metric in dict.fromkeys(df["metric"]):
        d = df.loc[df["metric"] == metric, ["phase_pct", "who", "mean", "lo", "hi"]]
        base = alt.Chart(d.reset_index(drop=True)).encode(
            x=alt.X("phase_pct:Q", title="crank cycle (%; 0 = TDC)"), color=colour
        )
        band = base.mark_area(opacity=0.2).encode(
            y=alt.Y("lo:Q", title="degrees", scale=alt.Scale(zero=False)), y2="hi:Q"
        )
        line = base.mark_line().encode(y="mean:Q")
        panels.append(
            alt.layer(band, line).properties(
                title=LABELS.get(metric, metric), width=210, height=140
            )
        )
    return alt.concat(*panels, columns=3).resolve_scale(y="independent")


RIDE_WIDTH = 760  # px: vconcat charts do not take the container's width
RIDE_PANELS = (
    ("power_w", "power (W)", "#1565c0"),
    ("heart_rate_bpm", "heart rate (bpm)", "#c62828"),
    ("cadence_rpm", "cadence (rpm)", "#2e7d32"),
)


def ride_chart(
    ride: pd.DataFrame,
    timeline: pd.DataFrame,
    findings: dict,
    analysed_s: list[tuple[float, float]],
    marker_s: float | None = None,
) -> alt.VConcatChart:
    """The posture scores over the ride, then power, heart rate and cadence under them on
    one time axis (video seconds; the ride file may start before and end after the video).
    The analysed spans are shaded and each finding's onset is a dashed rule."""
    lo = float(min(ride["time_s"].min(), 0.0))
    hi = float(max(ride["time_s"].max(), timeline["time_s"].max() if len(timeline) else 0.0))
    x = alt.X("time_s:Q", title="video time (s)", scale=alt.Scale(domain=[lo, hi]))
    spans = pd.DataFrame(analysed_s, columns=["x0", "x1"])
    onsets = pd.DataFrame({"t": [f["onset_s"] for f in findings.get("findings", [])]})

    def marks(height: int) -> list:
        out = [alt.Chart(spans).mark_rect(opacity=0.08, color="#555").encode(x="x0:Q", x2="x1:Q")]
        if len(onsets):
            out.append(
                alt.Chart(onsets).mark_rule(strokeDash=[4, 4], color="#c62828").encode(x="t:Q")
            )
        if marker_s is not None:
            out.append(
                alt.Chart(pd.DataFrame({"t": [marker_s]}))
                .mark_rule(color="#ff8f00", size=2)
                .encode(x="t:Q")
            )
        return out

    cols = [c for c in ("tension_score", "collapse_score") if c in timeline]
    scores = timeline.melt(id_vars="time_s", value_vars=cols, var_name="score", value_name="v")
    scores["score"] = scores["score"].str.replace("_score", "")
    rows = [
        alt.layer(
            *marks(120),
            alt.Chart(scores)
            .mark_line()
            .encode(
                x=x,
                y=alt.Y("v:Q", title="posture score"),
                color=alt.Color(
                    "score:N",
                    scale=alt.Scale(domain=["tension", "collapse"], range=["#ef6c00", "#6a1b9a"]),
                    legend=alt.Legend(orient="top", title=None),
                ),
            ),
        ).properties(height=120, width=RIDE_WIDTH, title="Posture (1 = one sign at its threshold)")
    ]
    for col, title, colour in RIDE_PANELS:
        if col not in ride or ride[col].notna().sum() == 0:
            continue
        line = alt.Chart(ride[["time_s", col]].dropna()).mark_line(color=colour, strokeWidth=1)
        rows.append(
            alt.layer(
                *marks(100),
                line.encode(x=x, y=alt.Y(f"{col}:Q", title=title, scale=alt.Scale(zero=False))),
            ).properties(height=100, width=RIDE_WIDTH)
        )
    return alt.vconcat(*rows).resolve_scale(x="shared")
