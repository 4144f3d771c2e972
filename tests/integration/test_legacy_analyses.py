"""Analyses written by an earlier version (before the landmark correction, before the outline
gains) meet today's: Coach and the history measure them again from their own keypoints, so a
before/after or a rider's history never shows a change that only the software made. The
fixture, ``tests/data/legacy_fit_check``, is the bundled fit-check analysis as commit 0fa066d
wrote it (the knee's 3.1 deg constant, the hip uncorrected), with the real model's keypoints
of the same clip from this session."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from posecheck.compare import compare, compare_analyses
from posecheck.history.record import ride_figures
from posecheck.metrics.bias import landmarks_legacy, rescale_table
from posecheck.pipeline import load_analysis
from tests.conftest import SAMPLES

pytestmark = pytest.mark.model


def _row(cmp, measure):
    return cmp.deltas.set_index("measure").loc[measure]


LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy_fit_check"


def _legacy(fit_check_analysis, folder: Path, before_gains: bool = False):
    """The committed legacy analysis with today's keypoints of the same clip; with
    ``before_gains`` also as a version before the outline gains wrote it (outline columns in
    the outline's own degrees, no ``outline_gain``)."""
    shutil.copytree(LEGACY, folder)
    shutil.copyfile(fit_check_analysis.outdir / "keypoints.npz", folder / "keypoints.npz")
    summary = json.loads((folder / "summary.json").read_text())
    summary["video"]["path"] = str(SAMPLES / "fit_check_side.mp4")
    if before_gains:
        inverse = {k: 1 / g for k, g in summary.pop("outline_gain").items()}
        for name in ("metrics.csv", "strokes.csv"):
            table = pd.read_csv(folder / name)
            rescale_table(table, inverse)
            table.to_csv(folder / name, index=False)
    (folder / "summary.json").write_text(json.dumps(summary))
    return load_analysis(folder)


def test_an_analysis_from_before_the_landmark_correction_is_measured_again(
    fit_check_analysis, tmp_path
):
    """Against today's analysis of the same clip Coach must show no change: read as written,
    the closed hip differs by 1.3 deg and the knee at the top of the stroke by 1.2 deg,
    changes no rider made. It is measured again from its keypoints."""
    old = _legacy(fit_check_analysis, tmp_path / "legacy")
    assert landmarks_legacy(old.summary) and not landmarks_legacy(fit_check_analysis.summary)
    new = fit_check_analysis
    as_written = compare(old.metrics, old.strokes, new.metrics, new.strokes)
    cmp = compare_analyses(old, new)
    for measure in ("knee_at_bdc_deg", "knee_min_deg", "hip_closed_deg"):
        written, now = _row(as_written, measure)["change"], _row(cmp, measure)["change"]
        print(f"{measure}: as written {written:+.2f}, measured again {now:+.2f}")
        assert abs(now) < 0.3, (measure, now)
    assert abs(_row(as_written, "hip_closed_deg")["change"]) > 1.0  # the fixture is old


def test_an_analysis_from_before_the_outline_gains_is_compared_in_todays_units(
    fit_check_analysis, tmp_path
):
    """Upper-back rounding read the outline's own degrees before the gains: an old 'before'
    against a new 'after' of the same back would show a false change. Measured again, it
    reads today's units."""
    old = _legacy(fit_check_analysis, tmp_path / "legacy", before_gains=True)
    new = fit_check_analysis
    as_written = compare(old.metrics, old.strokes, new.metrics, new.strokes)
    cmp = compare_analyses(old, new)
    written = _row(as_written, "thoracic_mean_deg")["change"]
    now = _row(cmp, "thoracic_mean_deg")
    print(f"thoracic_mean_deg: as written {written:+.2f}, measured again {now['change']:+.2f}")
    assert abs(now["change"]) < 0.3 and now["verdict"] == "within noise", now
    assert abs(written) > 1.0  # the fixture reads the outline's own degrees


def test_the_history_records_an_old_analysis_in_todays_units(fit_check_analysis, tmp_path):
    """``posecheck history --rebuild`` records folders again through ``ride_figures``: an old
    folder's knee and hip come out as today's analysis of the same clip has them."""
    old = _legacy(fit_check_analysis, tmp_path / "legacy")
    fig_old, fig_new = ride_figures(old.outdir), ride_figures(fit_check_analysis.outdir)
    written = pd.read_csv(old.outdir / "strokes.csv")["hip_closed_deg"].median()
    for key in ("knee_bdc_deg", "knee_tdc_deg", "hip_closed_deg"):
        print(f"{key}: recorded {fig_old[key]:.2f}, today's analysis {fig_new[key]:.2f}")
        assert fig_old[key] == pytest.approx(fig_new[key], abs=0.05), key
    assert abs(written - fig_new["hip_closed_deg"]) > 1.0  # as written it was not today's


def test_an_old_folder_whose_keypoints_are_broken_is_recorded_as_written(
    fit_check_analysis, tmp_path, caplog
):
    """Bad input never a traceback: an old folder whose keypoints cannot be read is recorded
    with its figures as written, and the log names the folder and why."""
    old = _legacy(fit_check_analysis, tmp_path / "legacy")
    (old.outdir / "keypoints.npz").write_bytes(b"not a numpy archive")
    with caplog.at_level("WARNING"):
        fig = ride_figures(old.outdir)
    written = pd.read_csv(old.outdir / "strokes.csv")["hip_closed_deg"].median()
    assert fig["hip_closed_deg"] == pytest.approx(written, abs=0.05)
    assert str(old.outdir) in caplog.text and "not measurable again" in caplog.text
