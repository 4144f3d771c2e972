"""The bundled samples' ready-made analyses (issue 20: results at first sight) are what a
fresh analysis of each clip gives today, and open only for the very clip they were made
from. A change to the analysis that forgets ``make samples`` fails here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from posecheck.pipeline import load_analysis
from posecheck.samples import BUNDLED
from posecheck.samples.analyses import READY_MADE, ready_made
from tests.conftest import SAMPLES, shared_analysis

#: what differs from one run of the same analysis to the next, or says where it lives
RUN_FIELDS = {"processing_s", "pose_fps", "workers", "pose_cached", "ready_made"}
SHARED_NAME = {"fit_check_side": "fit_check", "fatigue_side": "fatigue"}  # conftest's folders


def _plain(summary: dict) -> dict:
    out = {k: v for k, v in summary.items() if k not in RUN_FIELDS}
    out["video"] = {k: v for k, v in summary["video"].items() if k != "path"}
    return out


@pytest.mark.parametrize("name", BUNDLED)
def test_a_ready_made_analysis_is_what_a_fresh_one_gives(
    name, tmp_path, tmp_path_factory, worker_id
):
    clip = SAMPLES / f"{name}.mp4"
    fresh = shared_analysis(tmp_path_factory, worker_id, clip, SHARED_NAME.get(name, name))
    fresh = load_analysis(fresh.outdir)  # as written (the tables are rounded in their files)
    assert ready_made(clip, tmp_path / "made")
    made = load_analysis(tmp_path / "made")
    assert made.summary["video"]["path"] == str(clip.resolve())
    assert _plain(made.summary) == _plain(fresh.summary)
    assert made.findings == fresh.findings
    for table in ("metrics", "strokes", "timeline"):
        pd.testing.assert_frame_equal(getattr(made, table), getattr(fresh, table))
    np.testing.assert_array_equal(made.track.xy_px, fresh.track.xy_px)
    np.testing.assert_array_equal(made.track.frame, fresh.track.frame)
    assert (tmp_path / "made" / "report.pdf").read_bytes()[:5] == b"%PDF-"
    assert name in (tmp_path / "made" / "report.html").read_text()


def test_a_ready_made_analysis_opens_only_for_its_own_clip(tmp_path):
    clip = SAMPLES / "fit_check_side.mp4"
    other = tmp_path / "fit_check_side.mp4"  # the same name, other content
    other.write_bytes(clip.read_bytes() + b"\0")
    assert not ready_made(other, tmp_path / "other")
    assert not (tmp_path / "other").exists()
    # the rider's own analysis of the clip is left alone
    own = tmp_path / "own"
    own.mkdir()
    (own / "summary.json").write_text('{"video": {}}')
    assert not ready_made(clip, own)
    assert (own / "summary.json").read_text() == '{"video": {}}'
    # a copy of an older ready-made analysis (posecheck updated since) is replaced
    made = tmp_path / "made"
    assert ready_made(clip, made)
    summary = json.loads((made / "summary.json").read_text())
    summary |= {"ready_made": "older", "frames_analysed": -1}
    (made / "summary.json").write_text(json.dumps(summary))
    assert ready_made(clip, made)
    assert load_analysis(made).summary["frames_analysed"] == 600
    # no ready-made analysis for a clip that has none
    assert not ready_made(SAMPLES / "human" / "human_steady.mp4", tmp_path / "h")


def test_every_bundled_sample_has_a_ready_made_analysis():
    made = {p.parent.name for p in READY_MADE.glob("*/ready_made.json")}
    assert made == set(BUNDLED), "make samples"
