"""Published ranges: every range is complete and sourced; statuses follow the bounds."""

import numpy as np
import pandas as pd
import pytest

from posecheck.ranges import MIN_CONF, POSITIONS, load_ranges, unjudged, with_status


def test_every_range_has_convention_source_and_ordered_bounds():
    ranges = load_ranges(position=None)
    assert len(ranges) >= 9
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


def test_ranges_follow_the_riding_position():
    """Torso, hip, elbow and shoulder ranges were published for particular positions: an aero
    rider's back is not judged on the hoods' recreational range, the drops have their own
    torso range, and the knee holds everywhere."""
    by = {p: {r.key for r in load_ranges(position=p)} for p in POSITIONS}
    assert {"knee_bdc_dynamic", "knee_tdc", "ankle_bdc"} <= by["hoods"] & by["drops"] & by["aero"]
    assert "back_hoods_recreational" in by["hoods"] and "back_drops" in by["drops"]
    assert not {"back_hoods_recreational", "back_drops", "elbow_hoods"} & by["aero"]
    assert "elbow_hoods" not in by["drops"]
    assert "Torso to horizontal, on the hoods, recreational" in unjudged("aero")
    assert not unjudged("hoods") or "Torso" not in " ".join(unjudged("hoods"))
    strokes = pd.DataFrame({"back_mean_deg": [38.0, 38.0], "knee_at_bdc_deg": [142.0, 142.0]})
    hoods = with_status(strokes, load_ranges(position="hoods"))
    drops = with_status(hoods, load_ranges(position="drops"))
    aero = with_status(drops, load_ranges(position="aero"))
    assert hoods["back_mean_deg_status"].tolist() == ["below", "below"]
    assert drops["back_mean_deg_status"].tolist() == ["in", "in"]
    assert "back_mean_deg_status" not in aero  # another position's verdict is not kept
    assert aero["knee_at_bdc_deg_status"].tolist() == ["in", "in"]
    with pytest.raises(ValueError, match="riding position 'tt'"):
        load_ranges(position="tt")
