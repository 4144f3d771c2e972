"""Which stroke the Fitter tab shows at bottom and top dead centre (issue 21: the frames
follow the time slider, not always one typical stroke)."""

import pandas as pd

from posecheck.ui.views.fitter import stroke_to_show

STROKES = pd.DataFrame(
    {
        "stroke": [1, 2, 3, 4],
        "start_s": [0.0, 0.7, 1.4, 2.1],
        "end_s": [0.7, 1.4, 2.1, 2.8],
        "bdc_s": [0.35, 1.05, 1.75, 2.45],
        "knee_at_bdc_deg": [140.0, 150.0, 141.0, 139.0],
    }
)


def test_frames_follow_the_time_marker():
    for t, expected in ((0.8, 2), (1.5, 3), (2.7, 4)):
        row, why = stroke_to_show(STROKES, t)
        assert int(row["stroke"]) == expected and "under the time marker" in why
    row, why = stroke_to_show(STROKES, 9.0)  # after the last stroke: the nearest one
    assert int(row["stroke"]) == 4 and "nearest" in why


def test_before_the_marker_moves_a_typical_stroke_is_shown():
    row, why = stroke_to_show(STROKES, 0.0)
    assert int(row["stroke"]) == 1 and "typical" in why  # knee 140, the median is 140.5
