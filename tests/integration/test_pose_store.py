"""The stored sample poses (``sample_videos/poses``, made by ``posecheck samples --poses``)
are what the real model gives today. The app's first analysis of a sample and most of this
suite's analyses read them instead of running the model, so each stored track is checked
here against the model itself: the clip it names still has the key it was stored under
(same bytes, decoder, model and extraction settings), and the model run afresh on a piece of
it (from a chunk's first frame, where extraction resets the estimator) gives the same
landmarks and trunk outline."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.extract import (
    BUNDLED_POSES,
    ExtractSettings,
    cache_key,
    extract_spans,
    plan_chunks,
    pose_stores,
)
from posecheck.pose import make_mediapipe
from posecheck.samples import BUNDLED, SCENARIOS
from posecheck.samples.poses import SCENARIO_PREFIX, sample_clips
from posecheck.track import PoseTrack
from posecheck.video import probe
from tests.conftest import SAMPLES

pytestmark = pytest.mark.model

ENTRIES = sorted(BUNDLED_POSES.glob("*.npz"))
#: frames run afresh per stored track (2-4 s of video)
PIECE = 45


def stored(path):
    return PoseTrack.load(path)


def test_every_sample_has_its_stored_poses():
    assert pose_stores() == [BUNDLED_POSES]  # what analyze searches by default
    samples = {stored(p).meta["sample"] for p in ENTRIES}
    wanted = set(sample_clips(SAMPLES)) | {
        SCENARIO_PREFIX + n for n in SCENARIOS if n not in BUNDLED
    }
    assert wanted <= samples, f"no stored poses for {sorted(wanted - samples)}: make samples"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda p: p.stem)
def test_a_stored_track_is_what_the_model_gives(entry, scenario_clip):
    track = stored(entry)
    m = track.meta
    sample = m["sample"]
    clip = (
        scenario_clip(sample.removeprefix(SCENARIO_PREFIX))
        if sample.startswith(SCENARIO_PREFIX)
        else SAMPLES / sample
    )
    settings = ExtractSettings(
        estimator=m["estimator"],
        stride=m["stride"],
        windows_s=tuple(tuple(w) for w in m["windows_s"]) if m["windows_s"] else None,
        chunk_s=m["chunk_s"],
        segmentation=m["segmentation"],
    )
    info = probe(clip)
    assert cache_key(info, settings) == m["cache_key"], f"{sample}: stale poses, make samples"
    spans = plan_chunks(info, settings)
    assert len(track) == sum(b - a for a, b in spans)
    start, stop = spans[len(spans) // 2]  # a chunk in the middle of the clip
    est = make_mediapipe(segmentation=settings.segmentation)
    try:
        assert est.name == settings.estimator
        _, fresh = next(extract_spans(clip, [(start, min(stop, start + PIECE))], est))
    finally:
        est.close()
    at = np.searchsorted(track.frame, fresh.frame)
    assert np.array_equal(track.frame[at], fresh.frame)
    old, new = track.xy_px[at], fresh.xy_px
    assert np.array_equal(np.isnan(old), np.isnan(new))
    err = np.nanmax(np.abs(old - new))
    print(f"\n{sample}: frames {start}-{start + len(fresh)}, largest difference {err:.2g} px")
    assert err < 0.05
    assert np.nanmax(np.abs(track.visibility[at] - fresh.visibility)) < 1e-3
    if track.outline is not None:  # the trunk outline, from the person mask
        o_old, o_new = track.outline[at], fresh.outline
        assert np.array_equal(np.isnan(o_old), np.isnan(o_new))
        both = np.isfinite(o_old)
        close = np.mean(np.abs(o_old - o_new)[both] <= 0.01) if both.any() else 1.0
        print(f"{sample}: trunk outline values within 0.01 chord lengths {close:.4f}")
        assert close > 0.98
