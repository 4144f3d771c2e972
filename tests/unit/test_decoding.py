"""Did the whole file decode? Exact cases on synthetic frame lists."""

import numpy as np
import pytest

from posecheck.extract import ExtractSettings
from posecheck.pipeline import decoding_check
from posecheck.track import PoseTrack
from tests.conftest import SAMPLES


def track(frames):
    e = PoseTrack.empty(len(frames))
    f = np.array(list(frames))
    return PoseTrack(f, f / 30.0, e.xy_px, e.world_m, e.visibility)


@pytest.fixture
def info():
    from posecheck.video import probe

    return probe(SAMPLES / "fit_check_side.mp4")


def test_whole_clip_is_complete(info):
    assert decoding_check(info, track(range(600)), ExtractSettings("x"))["complete"]


def test_stopped_early(info):
    d = decoding_check(info, track(range(197)), ExtractSettings("x"))
    assert not d["complete"] and "stops after 6.5 s" in d["note"]


def test_frames_missing_in_the_middle(info):
    d = decoding_check(info, track([*range(200), *range(378, 600)]), ExtractSettings("x"))
    assert not d["complete"] and d["decoded_frames"] == 422
    assert "missing from 6.6 s" in d["note"]


def test_long_mode_gaps_are_expected(info):
    s = ExtractSettings("x", windows_s=((0.0, 5.0), (10.0, 15.0)))
    assert decoding_check(info, track([*range(150), *range(300, 450)]), s)["complete"]
