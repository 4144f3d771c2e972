"""An analysis folder outlives its video: riders delete or move an hour-long clip once it is
analysed, and every figure lives in the folder. Reopening, reporting and comparing still
work; only pictures of the clip (a frame, the annotated video) say it is gone."""

import json
import shutil

import pytest

from posecheck.cli import main
from posecheck.pipeline import analyze, load_analysis
from posecheck.render import annotated_frame, write_annotated_video
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.model


@pytest.fixture
def orphan(tmp_path, fit_check_analysis):
    """A copy of the fit-check analysis whose clip has since been deleted."""
    folder = tmp_path / "ride_posecheck"
    shutil.copytree(fit_check_analysis.outdir, folder)
    summary = json.loads((folder / "summary.json").read_text())
    summary["video"]["path"] = str(tmp_path / "deleted" / "ride.mp4")
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def test_a_folder_whose_clip_is_gone_reopens_reports_and_compares(orphan, tmp_path, capsys):
    a = load_analysis(orphan)
    assert not a.video_available
    original = json.loads((orphan / "summary.json").read_text())["video"]
    assert (a.info.fps, a.info.n_frames, a.info.size_wh) == (
        original["fps"],
        original["n_frames"],
        (original["width"], original["height"]),
    )
    assert len(a.metrics) == 600 and len(a.strokes) > 20  # every figure is there
    assert main(["report", str(orphan), "-o", str(tmp_path / "report")]) == 0
    report = (tmp_path / "report" / "report.html").read_text()
    assert f"{len(a.strokes)} pedal strokes" in report and "Knee at bottom dead centre" in report
    assert main(["compare", str(orphan), str(orphan), "-o", str(tmp_path / "cmp")]) == 0
    assert (tmp_path / "cmp" / "comparison.csv").exists()
    assert "knee" in capsys.readouterr().out.lower()
    # pictures of the clip: none, and a clear reason where one is asked for
    assert annotated_frame(a, 5.0) is None
    with pytest.raises(FileNotFoundError, match="no longer there"):
        write_annotated_video(a, tmp_path / "annotated.mp4")


def test_the_folder_records_where_the_clip_is_from_anywhere(tmp_path, monkeypatch):
    """A clip named relative to the folder the analysis starts in is recorded absolute, so
    the folder reopens from any other folder (it once failed: "file not found")."""
    monkeypatch.chdir(ROOT)
    relative = (SAMPLES / "fit_check_side.mp4").relative_to(ROOT)
    analyze(relative, tmp_path / "a", reports=False, history=False)
    recorded = json.loads((tmp_path / "a" / "summary.json").read_text())["video"]["path"]
    assert recorded == str(SAMPLES / "fit_check_side.mp4")
    monkeypatch.chdir(tmp_path)
    assert load_analysis(tmp_path / "a").video_available
