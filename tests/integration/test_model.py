"""The real MediaPipe full model: golden landmarks, empty frames, the rendered samples."""

import json

import numpy as np
import pytest

from posecheck.landmarks import Landmark as L
from posecheck.pose import MediaPipePose
from posecheck.samples import load_truth
from posecheck.samples.accuracy import after_tdc, agreement_table, format_rows
from tests.conftest import FOOTAGE, SAMPLES

pytestmark = pytest.mark.model


def test_golden_landmarks_within_mediapipe_margin(footage):
    import cv2

    gold = footage / "mediapipe_golden"
    if not gold.is_dir():
        pytest.skip(f"{gold} absent")
    expected = np.array(
        json.loads((gold / "expected_landmarks.json").read_text())["expected"]["full"]
    )
    img = cv2.imread(str(gold / "test_image.jpg"))
    est = MediaPipePose()
    try:
        r = est.process(img)
    finally:
        est.close()
    h, w = img.shape[:2]
    got = r.xy_px / [w, h]
    err = np.abs(got - expected[:, :2]).max()
    print(f"golden image: max normalised x/y error {err:.4f} (margin 0.03)")
    assert err < 0.03


def test_frame_without_person_is_empty_not_an_error():
    est = MediaPipePose(segmentation=True)
    try:
        r = est.process(np.full((480, 640, 3), 180, np.uint8))
    finally:
        est.close()
    assert not r.found
    assert np.isnan(r.xy_px).all() and np.isnan(r.visibility).all()
    assert r.mask is None or np.asarray(r.mask).max() < 0.5  # no person: none, or empty


def _near_side_error(track, truth, side):
    joints = [L[f"{side}_{j}"] for j in ("SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE")]
    err = np.linalg.norm(
        track.xy_px[:, joints] - truth["landmarks_px"][track.frame][:, joints], axis=-1
    )
    return {j.name: float(np.nanmedian(e)) for j, e in zip(joints, err.T)}


def test_fit_check_detection_and_landmark_error(fit_check_analysis):
    a = fit_check_analysis
    truth = load_truth(SAMPLES / "fit_check_side.mp4")
    errs = _near_side_error(a.track, truth, "RIGHT")
    print(
        f"fit check: detection {a.track.detection_rate:.1%}; median near-side error px "
        + ", ".join(f"{k} {v:.1f}" for k, v in errs.items())
    )
    assert a.track.detection_rate >= 0.95
    # 640x480 clip, about 250 px per metre: 20 px is 8 cm, a joint-centre ambiguity.
    assert max(errs.values()) < 20, errs


def test_fit_check_angles_against_truth(fit_check_raw_analysis):
    a = fit_check_raw_analysis
    truth = load_truth(SAMPLES / "fit_check_side.mp4")
    # MediaPipe against digitised markers: 3-9 deg typical (Bini et al. 2023); the ankle is
    # poor there and here (median 23 deg on this render), so it is not held to a tolerance.
    tol = {
        "knee_angle_deg": 6.0,
        "hip_angle_deg": 8.0,
        "elbow_angle_deg": 5.0,
        "shoulder_angle_deg": 6.0,
        "back_angle_deg": 5.0,
        "shrug_ratio": 0.08,
    }
    lines = []
    for col, t in tol.items():
        err = a.metrics[col].to_numpy() - truth[f"truth_{col}"][a.track.frame]
        med, bias = float(np.nanmedian(np.abs(err))), float(np.nanmedian(err))
        lines.append(f"{col}: median |error| {med:.2f} (bias {bias:+.2f}, tolerance {t})")
        assert med < t, lines[-1]
    print("fit check angles vs truth (cleaned track):\n  " + "\n  ".join(lines))


def test_fit_check_agreement_statistics(fit_check_raw_analysis):
    """The cartoon fit check as an instrument check: knee, hip, elbow and back. The weakest
    evidence there is (our own renderer's bodies), reported so that the human renders and
    real clips can be put beside it in the same terms."""
    a = fit_check_raw_analysis
    truth = load_truth(SAMPLES / "fit_check_side.mp4")
    phase = after_tdc(truth["param_crank_deg"][a.track.frame])
    lines = []
    for col in ("knee_angle_deg", "hip_angle_deg", "elbow_angle_deg", "back_angle_deg"):
        rows = agreement_table(
            a.metrics[col].to_numpy(), truth[f"truth_{col}"][a.track.frame], phase, 10.0
        )
        lines += format_rows(col, rows, 10.0)
        n, bias, lo, hi, icc, big = rows["all"]
        assert abs(bias) < 8.0 and big < 0.25 and hi - lo < 25.0, lines[-5]
    print("fit check agreement (poseaudit):\n  " + "\n  ".join(lines))


def test_fit_check_strokes_against_truth(fit_check_raw_analysis):
    """Cadence, bottom-dead-centre timing and knee angle at BDC against the renderer's crank."""
    a = fit_check_raw_analysis
    truth = load_truth(SAMPLES / "fit_check_side.mp4")
    s = a.strokes
    crank = np.degrees(np.unwrap(np.radians(truth["param_crank_deg"].astype(float))))
    targets = 90.0 + 360.0 * np.arange(-1, 60)  # renderer: 90 deg = pedal at 6 o'clock
    targets = targets[(targets > crank[0]) & (targets < crank[-1])]
    bdc_truth = np.interp(targets, crank, truth["t_s"])
    bdc = s["bdc_s"].dropna().to_numpy()
    err_ms = 1000 * np.abs(bdc[:, None] - bdc_truth[None]).min(axis=1)
    knee_truth = np.interp(bdc, truth["t_s"], truth["truth_knee_angle_deg"])
    knee_err = s["knee_at_bdc_deg"].dropna().to_numpy() - knee_truth
    print(
        f"fit check strokes: {len(s)} of {len(bdc_truth)} true BDCs, cadence median "
        f"{s['cadence_rpm'].median():.2f} rpm (truth 88), BDC timing error median "
        f"{np.median(err_ms):.1f} ms, max {err_ms.max():.1f} ms; knee at BDC error mean "
        f"{knee_err.mean():+.1f} deg, max |{np.abs(knee_err).max():.1f}|"
    )
    assert len(s) >= len(bdc_truth) - 3
    assert s["cadence_rpm"].median() == pytest.approx(88.0, abs=0.5)
    assert (s["cadence_rpm"] - 88.0).abs().max() < 3.0
    assert np.median(err_ms) < 20 and err_ms.max() < 50  # 1.5 frames at 30 fps
    assert np.abs(knee_err).max() < 6.0
    assert (s["max_extension_s"] - s["bdc_s"]).abs().max() < 0.25


@pytest.mark.parametrize("name", ["fit_check_side", "rear_rocking", "fatigue_side"])
def test_every_sample_is_detected(tmp_path_factory, name, fit_check_analysis, fatigue_analysis):
    from posecheck.pipeline import analyze

    a = {"fit_check_side": fit_check_analysis, "fatigue_side": fatigue_analysis}.get(
        name
    ) or analyze(SAMPLES / f"{name}.mp4", tmp_path_factory.mktemp(name))
    print(
        f"{name}: rider found in {a.track.detection_rate:.1%} of {len(a.track)} frames, "
        f"view {a.view.view}"
    )
    assert a.track.detection_rate >= 0.95
    expected_view = json.loads((SAMPLES / f"{name}.json").read_text())["view"]
    assert a.view.view == expected_view


def test_reset_gives_the_landmarks_of_a_fresh_estimator():
    """Chunks rely on reset() for independence (resume, parallel workers): after running on
    other frames and resetting, the same frames must give exactly a new estimator's output,
    landmarks and mask."""
    from posecheck.video import iter_frames

    clip = SAMPLES / "fit_check_side.mp4"
    frames = [f.image for f in iter_frames(clip, start_frame=60, stop_frame=80)]
    other = [f.image for f in iter_frames(clip, start_frame=0, stop_frame=15)]

    def run(est, imgs):
        rs = [est.process(im) for im in imgs]
        return np.array([r.xy_px for r in rs]), np.array([np.asarray(r.mask) for r in rs])

    fresh = MediaPipePose(segmentation=True)
    used = MediaPipePose(segmentation=True)
    try:
        want_xy, want_mask = run(fresh, frames)
        run(used, other)  # tracking and smoothing state from other frames
        carried_xy, _ = run(used, frames)
        used.reset()
        got_xy, got_mask = run(used, frames)
    finally:
        fresh.close()
        used.close()
    assert np.isfinite(want_xy).all()
    assert not np.array_equal(carried_xy, want_xy)  # the state does change the output
    np.testing.assert_array_equal(got_xy, want_xy)
    np.testing.assert_array_equal(got_mask, want_mask)


def test_the_crop_mask_is_the_stock_graphs_picture_mask():
    """posecheck reads the person mask in the model's crop (posecheck.cropmask) instead of the
    whole-picture mask MediaPipe's stock pose graph warps it into: the same landmarks, and
    the same mask at every pixel of the picture, bit for bit, so the same trunk outline.
    The stock graph is the oracle; a real clip when ../shared is there, else a sample."""
    import mediapipe as mp

    from posecheck.extract import trunk_outline
    from posecheck.pose import PoseResult
    from posecheck.video import iter_frames

    real = FOOTAGE / "nstallmann_trainer_side_right.mp4"
    clip = real if real.is_file() else SAMPLES / "fit_check_side.mp4"
    ours = MediaPipePose(segmentation=True)
    stock = mp.solutions.pose.Pose(
        static_image_mode=False, model_complexity=1, enable_segmentation=True
    )
    frames = 0
    try:
        for fr in iter_frames(clip, start_frame=30, stop_frame=75):
            inp = ours.prepare(fr)
            r = ours.process(inp)
            s = stock.process(inp.image)
            assert r.found and s.pose_landmarks is not None
            h, w = inp.image.shape[:2]
            xy = np.array([[p.x * w, p.y * h] for p in s.pose_landmarks.landmark])
            np.testing.assert_array_equal(r.xy_px * [w / fr.size_wh[0], h / fr.size_wh[1]], xy)
            want = s.segmentation_mask.copy()  # a view of the graph's buffer until copied
            np.testing.assert_array_equal(np.asarray(r.mask), want)
            as_stock = PoseResult(r.xy_px, r.world_m, r.visibility, want)
            np.testing.assert_array_equal(
                trunk_outline(r, fr.size_wh[0]), trunk_outline(as_stock, fr.size_wh[0])
            )
            frames += 1
    finally:
        ours.close()
        stock.close()
    print(f"\n{clip.name}: {frames} frames, mask and trunk outline bit-identical to the stock")
