"""A ride file beside a real-model analysis: the rendered ``ride_cadence`` clip (cadence in
steps, shoulders creeping up from 60 s) with FIT files whose records place the video at a
known second of the ride."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.cli import main
from posecheck.pipeline import analyze
from posecheck.samples import SCENARIOS
from tests.ridegen import series, write_fit, write_tcx

pytestmark = pytest.mark.model

SC = SCENARIOS["ride_cadence"]
OFFSET = 412.0  # the ride file's second at the video's first frame
ONE_STROKE_S = 60.0 / max(rpm for _, rpm in SC.cadence_profile)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("ridefiles")
    same = series(1200, SC.cadence_at, OFFSET, SC.duration_s, hr_drift_bpm=10.0)
    other = series(1200, lambda t: 84 + 5 * np.sin(t / 13.0), 300.0, SC.duration_s, seed=9)
    fit = write_fit(d / "ride.fit", *same)
    raw = fit.read_bytes()
    (d / "truncated.fit").write_bytes(raw[: len(raw) * 2 // 3])
    corrupt = bytearray(raw)
    corrupt[len(raw) // 2 : len(raw) // 2 + 64] = bytes(64)
    (d / "corrupt.fit").write_bytes(bytes(corrupt))
    return {
        "fit": fit,
        "tcx": write_tcx(d / "ride.tcx", *same),
        "other": write_fit(d / "other.fit", *other),
        "truncated": d / "truncated.fit",
        "corrupt": d / "corrupt.fit",
    }


@pytest.mark.parametrize("kind", ["fit", "tcx"])
def test_the_ride_file_is_placed_and_figured(scenario_clip, files, tmp_path, kind):
    a = analyze(scenario_clip("ride_cadence"), tmp_path / "a", ride=files[kind])
    ride = a.summary["ride"]
    print(f"{kind}: offset {ride['offset_s']} s (truth {OFFSET}), confidence {ride['confidence']}")
    assert abs(ride["offset_s"] - OFFSET) <= ONE_STROKE_S
    assert ride["method"] == "cadence" and ride["confidence"] >= 0.5
    # ride.csv: the whole file on the video's time axis
    assert a.ride is not None and len(a.ride) == 1200
    assert a.ride["time_s"].iloc[0] == pytest.approx(-ride["offset_s"])
    # every finding carries power, heart rate and cadence at its onset
    assert a.findings["findings"]
    for f in a.findings["findings"]:
        assert set(f["ride"]) == {"power_w", "heart_rate_bpm", "cadence_rpm"}
        assert f["ride_sentence"].startswith("At the onset: power ")
    html = (a.outdir / "report.html").read_text()
    assert "Ride data" in html and "first frame" in html
    assert 'alt="power, heart rate and cadence"' in html  # the chart under the posture
    import pypdfium2 as pdfium

    plain = analyze(scenario_clip("ride_cadence"), tmp_path / "plain")
    pages = len(pdfium.PdfDocument(str(a.outdir / "report.pdf")))
    assert pages == len(pdfium.PdfDocument(str(plain.outdir / "report.pdf"))) + 1


@pytest.mark.parametrize(
    "kind, words",
    [("other", "same ride"), ("truncated", "truncated"), ("corrupt", "corrupt")],
)
def test_a_ride_file_that_cannot_be_used_never_stops_the_analysis(
    scenario_clip, files, tmp_path, kind, words
):
    a = analyze(scenario_clip("ride_cadence"), tmp_path / "a", ride=files[kind], reports=False)
    error = a.summary["ride"]["error"]
    print(f"{kind}: {error}")
    assert error.startswith(str(files[kind])) and words in error and "\n" not in error
    assert a.findings["findings"] and not (a.outdir / "ride.csv").exists()
    assert all("ride" not in f for f in a.findings["findings"])


def test_the_cli_says_where_the_ride_file_sits_or_why_not(scenario_clip, files, tmp_path, capsys):
    clip = str(scenario_clip("ride_cadence"))
    assert main(["analyze", clip, "-o", str(tmp_path / "ok"), "--ride", str(files["fit"])]) == 0
    assert "is the video's first frame (by cadence" in capsys.readouterr().out
    out = str(tmp_path / "bad")
    assert main(["analyze", clip, "-o", out, "--ride", str(files["truncated"])]) == 0
    err = capsys.readouterr().err
    assert "ride file not used" in err and "truncated" in err
    code = main(["analyze", clip, "-o", out, "--ride", str(files["fit"]), "--ride-offset-s", "400"])
    assert code == 0 and "400.0 s is the video's first frame (by manual" in capsys.readouterr().out


def test_the_coach_comparison_shows_the_load_beside_the_posture(scenario_clip, files, tmp_path):
    """Early against late of a ride with its file: power and heart rate over the two windows
    join the table; power is what the file's generator put there (2.6 W per rpm of the
    scenario's cadence in each window)."""
    from posecheck.compare import compare_windows

    a = analyze(scenario_clip("ride_cadence"), tmp_path / "a", ride=files["fit"], reports=False)
    cmp = compare_windows(a, 50.0, 100.0)
    rows = cmp.deltas.set_index("measure")
    print(rows.loc[["power_w", "heart_rate_bpm"], ["before", "after", "change", "verdict"]])
    for window, col in (((0, 50), "before"), ((100, 150), "after")):
        cadence = np.mean([SC.cadence_at(t) for t in np.arange(*window, 0.5)])
        assert rows.loc["power_w", col] == pytest.approx(2.6 * cadence, abs=4.0)
    assert "heart_rate_bpm" in rows.index
    # without a ride file on the other side: posture only
    plain = analyze(scenario_clip("ride_cadence"), tmp_path / "b", reports=False)
    assert "power_w" not in set(compare_windows(plain, 50.0, 100.0).deltas["measure"])
