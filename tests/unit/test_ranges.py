"""Published ranges: every range is complete and sourced; statuses follow the bounds."""

import numpy as np
import pandas as pd
import pytest

from posecheck.ranges import MIN_CONF, load_ranges, with_status


def test_every_range_has_convention_source_and_ordered_bounds():
    ranges = load_ranges()
    assert len(ranges) >= 8
    for r in ranges:
        assert r.low < r.high, r.key
        assert r.convention.strip() and r.source.strip() and r.label.strip(), r.key
    assert len({r.key for r in ranges}) == len(ranges)


def test_status_against_bounds_and_confidence():
    knee = next(r for r in load_ranges() if r.column == "knee_at_bdc_deg")
    strokes = pd.DataFrame(
        {
            "knee_at_bdc_deg": [
                knee.low - 0.1,
                knee.low,
                knee.high,
                knee.high + 0.1,
                140.0,
                np.nan,
            ],
            "knee_conf": [1.0, 1.0, 1.0, 1.0, MIN_CONF - 0.01, 1.0],
        }
    )
    out = with_status(strokes, [knee])
    assert out["knee_at_bdc_deg_status"].tolist() == [
        "below",
        "in",
        "in",
        "above",
        "low confidence",
        "low confidence",
    ]


def test_ranges_for_missing_columns_are_skipped():
    out = with_status(pd.DataFrame({"x": [1.0]}), load_ranges())
    assert list(out.columns) == ["x"]


def test_a_bad_ranges_file_is_rejected(tmp_path):
    p = tmp_path / "r.toml"
    p.write_text('[k]\ncolumn = "a"\nlow = 1.0\n')
    with pytest.raises(TypeError):
        load_ranges(p)
