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
