"""The sample renderer: its ground truth is self-consistent and its scenarios do what they say."""

import numpy as np
import pytest

from posecheck.metrics.angles import side_angles
from posecheck.samples import (
    SCENARIOS,
    TEST_SCENARIOS,
    committed_scenario,
    is_render_of,
    ramp,
    render_clip,
    render_frame,
    window,
)
from posecheck.samples.rider import Posture, thoracic_rounding_deg
from posecheck.samples.scene import render_side
from posecheck.video import probe


@pytest.mark.parametrize("facing,side", [(1, "right"), (-1, "left")])
@pytest.mark.parametrize("crank", [0.0, 90.0, 181.0, 275.0])
def test_metric_code_matches_world_truth(facing, side, crank):
    """Angles measured on the projected pixels equal the angles of the 3D-free world model."""
    p = Posture(crank_deg=crank, shrug_m=0.02, elbow_deg=163.0, back_deg=37.0)
    _, lm, truth = render_side(p, facing=facing)
    got = side_angles(lm[None], side, facing)
    for col in (
        "knee_angle_deg",
        "hip_angle_deg",
        "elbow_angle_deg",
        "shoulder_angle_deg",
        "ankle_angle_deg",
        "back_angle_deg",
        "shrug_ratio",
    ):
        assert got[col][0] == pytest.approx(truth[col], abs=1e-6), col
    assert truth["elbow_angle_deg"] == pytest.approx(163.0, abs=1e-6)
    assert truth["back_angle_deg"] == pytest.approx(37.0, abs=1e-6)


def test_knee_points_forward_and_bdc_range():
    _, lm, truth = render_side(Posture(crank_deg=90.0))  # pedal at 6 o'clock
    # Rider faces image-right: the knee lies in front of (right of) the hip-ankle line.
    from posecheck.landmarks import Landmark as L

    hip, knee, ankle = lm[L.RIGHT_HIP], lm[L.RIGHT_KNEE], lm[L.RIGHT_ANKLE]
    cross = (ankle - hip)[0] * (knee - hip)[1] - (ankle - hip)[1] * (knee - hip)[0]
    assert cross < 0
    assert 137 < truth["knee_angle_deg"] < 150  # dynamic BDC range 137-147 (Millour 2019)


def test_schedules():
    assert ramp(5, 10, 20) == 0 and ramp(15, 10, 20) == 0.5 and ramp(25, 10, 20) == 1
    assert window(50, 40, 60) == 1 and window(30, 40, 60) == 0
    fat = SCENARIOS["fatigue_side"]
    before, after = fat.posture(60.0), fat.posture(170.0)
    assert after.shrug_m - before.shrug_m == pytest.approx(0.035, abs=0.005)
    assert after.elbow_deg - before.elbow_deg == pytest.approx(14.0)
    assert (
        thoracic_rounding_deg(after.thoracic_bulge)
        > thoracic_rounding_deg(before.thoracic_bulge) + 10
    )


def test_render_clip_writes_video_and_truth(tmp_path):
    from dataclasses import replace

    sc = replace(SCENARIOS["fit_check_side"], name="short", duration_s=1.0)
    clip = render_clip(sc, tmp_path)
    info = probe(clip)
    assert (info.n_frames, info.width, info.height, info.fps) == (30, 640, 480, 30.0)
    with np.load(tmp_path / "short.truth.npz") as z:
        assert z["landmarks_px"].shape == (30, 33, 2)
        img, lm, truth, _ = render_frame(sc, 10 / 30)
        np.testing.assert_allclose(z["landmarks_px"][10], lm, atol=1e-3)
        assert z["truth_knee_angle_deg"][10] == pytest.approx(truth["knee_angle_deg"], abs=1e-3)


def test_a_render_is_the_same_bytes_on_any_cpu(tmp_path, monkeypatch):
    """The scenario clips the tests render must be byte-identical on every machine: their
    stored poses are keyed by the clip's content. x264 chooses algorithms by CPU (AVX-512 or
    not) unless told not to; its plain C code (``asm=0``) is what any CPU would give."""
    import hashlib
    from dataclasses import replace

    import imageio_ffmpeg

    sc = replace(SCENARIOS["fit_check_side"], name="short", duration_s=2.0)
    plain = hashlib.sha1(render_clip(sc, tmp_path / "a").read_bytes()).hexdigest()
    write = imageio_ffmpeg.write_frames

    def without_asm(*args, **kwargs):
        kwargs["output_params"] = [*kwargs["output_params"], "-x264-params", "asm=0"]
        return write(*args, **kwargs)

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", without_asm)
    c_only = hashlib.sha1(render_clip(sc, tmp_path / "b").read_bytes()).hexdigest()
    assert plain == c_only


@pytest.mark.parametrize("name", TEST_SCENARIOS)
def test_each_committed_scenario_is_its_scenario_today(name):
    """The tests read the committed renders of their scenarios: each must describe today's
    scenario (a changed scenario, not re-rendered, fails here: make samples)."""
    clip = committed_scenario(name)
    assert clip.exists(), f"{clip}: not rendered (make samples)"
    sc = SCENARIOS[name]
    assert is_render_of(clip, sc), f"{name}: stale render (make samples)"
    info = probe(clip)
    assert (info.width, info.height, info.fps) == (*sc.size_wh, sc.fps)
    assert info.n_frames == round(sc.duration_s * sc.fps)


def test_a_committed_scenario_is_what_the_renderer_draws_today(tmp_path):
    """One committed scenario rendered afresh, byte for byte, truth and all (the shortest:
    rendering each took a quarter of the suite's time, which is why they are committed)."""
    name = "after_bars_down"
    clip = render_clip(SCENARIOS[name], tmp_path)
    committed = committed_scenario(name)
    assert clip.read_bytes() == committed.read_bytes()
    with (
        np.load(clip.with_suffix(".truth.npz")) as new,
        np.load(committed.with_suffix(".truth.npz")) as old,
    ):
        assert sorted(new.files) == sorted(old.files)
        for k in new.files:
            np.testing.assert_array_equal(new[k], old[k], err_msg=k)
