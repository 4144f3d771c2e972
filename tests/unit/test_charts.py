"""The app's charts as specs: what the browser test cannot tell apart from Streamlit's own
console noise (an empty panel) and what a layout needs (one view per chart, so it fits)."""

import numpy as np
import pandas as pd

from posecheck.compare import Comparison
from posecheck.ui.charts import PAIR_COLOURS, phase_chart


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
    spec = phase_chart(cmp).to_dict()
    values = next(iter(spec["datasets"].values()))
    # the ankle, with nothing to draw, is left out; panels are titled in words
    assert {v["measure"] for v in values} == {"Knee angle (°, 180 = straight)"}
    assert all(np.isfinite([v["mean"], v["lo"], v["hi"]]).all() for v in values)
    # three panels of 210 px a row (with axes about 800 px) fit the page's column
    assert spec["facet"] and spec["columns"] == 3 and spec["spec"]["width"] == 210
    colour = spec["spec"]["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == [cmp.label_a, cmp.label_b]
    assert colour["scale"]["range"] == list(PAIR_COLOURS) and len(set(PAIR_COLOURS)) == 2
    assert colour["legend"]["labelLimit"] == 0  # the whole label, not "plus-20mm sa…"
