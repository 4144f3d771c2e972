"""The app's charts as specs: what the browser test cannot tell apart from Streamlit's own
console noise (an empty panel) and what a layout needs (one view per chart, so it fits)."""

import numpy as np
import pandas as pd

from posecheck.compare import Comparison
from posecheck.ui.charts import PAIR_COLOURS, inline_spec, phase_chart


def test_phase_charts_have_no_empty_panel_full_legends_and_two_colours():
    phase = np.linspace(0, 100, 51)
    rows = []
    for side in ("a", "b"):
        rows += [
            {
                "metric": "knee_angle_deg",
                "side": side,
                "phase_pct": p,
                "mean": 110 + 30 * np.sin(p / 16),
                "sd": 2.0,
            }
            for p in phase
        ]
        # the foot was not seen: a curve of NaN (it once made an empty panel)
        rows += [
            {
                "metric": "ankle_angle_deg",
                "side": side,
                "phase_pct": p,
                "mean": np.nan,
                "sd": np.nan,
            }
            for p in phase
        ]
    cmp = Comparison(
        label_a="plus-20mm saddle, 1 Dec 2026",
        label_b="normal saddle, 3 Dec 2026",
        deltas=pd.DataFrame(),
        curves=pd.DataFrame(rows),
    )
    spec = inline_spec(phase_chart(cmp))
    # the data sit in the views, where Streamlit leaves them (top-level or named data are
    # taken out and the chart first drawn empty: "Infinite extent" in the console)
    assert "data" not in spec and "datasets" not in spec
    panels = spec["concat"]
    assert spec["columns"] == 3 and spec["autosize"] == {"type": "pad"}
    # the ankle, with nothing to draw, is left out; panels are titled in words
    assert [p["title"] for p in panels] == ["Knee angle (°, 180 = straight)"]
    # three panels of 210 px a row (with axes about 800 px) fit the page's column
    assert all(p["width"] == 210 for p in panels)
    for view in panels[0]["layer"]:  # the data in the view or the panel that holds it
        values = (view.get("data") or panels[0]["data"])["values"]
        assert values and all(np.isfinite([v["mean"], v["lo"], v["hi"]]).all() for v in values)
    colour = panels[0]["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == [cmp.label_a, cmp.label_b]
    assert colour["scale"]["range"] == list(PAIR_COLOURS) and len(set(PAIR_COLOURS)) == 2
    assert colour["legend"]["labelLimit"] == 0  # the whole label, not "plus-20mm sa…"


def test_every_chart_drawn_keeps_its_data_in_the_spec():
    """A layered chart with top-level data and a single view get their data moved into the
    views; nothing named is left for Streamlit to take out."""
    import altair as alt

    df = pd.DataFrame({"t": [0.0, 1.0, 2.0], "v": [1.0, 3.0, 2.0]})
    single = alt.Chart(df).mark_line().encode(x="t:Q", y="v:Q")
    layered = alt.layer(single, single.mark_point(), data=df)
    for chart in (single, layered):
        spec = inline_spec(chart)
        assert "data" not in spec and "datasets" not in spec
        assert all(view["data"]["values"][1]["v"] == 3.0 for view in spec["layer"])


def _gapped_timeline():
    """The fatigue sample's timeline cut into two stretches 5 minutes apart, as long mode's
    windows leave it (rows only where a window was measured)."""
    from tests.conftest import SAMPLES

    tl = pd.read_csv(SAMPLES / "analyses" / "fatigue_side" / "timeline.csv")
    first, second = tl[tl["time_s"] < 60].copy(), tl[tl["time_s"] >= 120].copy()
    for col in ("time_s", "start_s", "end_s"):
        second[col] += 300.0
    return pd.concat([first, second], ignore_index=True)


def test_timelines_break_their_lines_where_nothing_was_measured():
    import json

    from posecheck.fatigue import timeline_stretches
    from posecheck.report import _mpl, timeline_figure
    from posecheck.ui.charts import metric_timeline, scores_chart
    from tests.conftest import SAMPLES

    tl = _gapped_timeline()
    stretch = timeline_stretches(tl["time_s"])
    assert set(stretch) == {0, 1} and (np.diff(stretch) >= 0).all()
    assert (stretch[tl["time_s"] < 60] == 0).all()
    assert set(timeline_stretches(tl["time_s"][tl["time_s"] < 60])) == {0}  # steps of a stroke
    findings = json.loads((SAMPLES / "analyses" / "fatigue_side" / "findings.json").read_text())

    # the reports: a NaN between the stretches in every line drawn, so matplotlib breaks it
    fig = timeline_figure(type("A", (), {"timeline": tl, "findings": findings})())
    for ax in fig.axes:
        for line in ax.get_lines():
            x, y = (np.asarray(v, float) for v in line.get_data())
            if len(x) < 10:
                continue  # the threshold and onset rules
            inside = (x > 60) & (x < 420)
            assert inside.sum() == 1 and np.isnan(y[inside]).all(), ax.get_title()
    _mpl().close(fig)

    # the app: each line drawn per stretch (Vega-Lite's detail channel)
    for chart in (metric_timeline(tl, findings, "shrug_ratio"), scores_chart(tl)):
        marks = [(la["mark"], la) for la in chart.to_dict()["layer"]]  # "line" or {"type": ...}
        lines = [la for m, la in marks if (m if isinstance(m, str) else m["type"]) == "line"]
        assert lines and all(la["encoding"]["detail"]["field"] == "stretch" for la in lines)
