"""Before/after on rendered clips with known differences, and the reports, with the real model."""

import re

import numpy as np
import pytest

from posecheck.cli import main
from posecheck.compare import compare_analyses, side_by_side
from posecheck.report import write_reports
from tests.conftest import Lazy

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def afters(scenario_analysis):
    """name -> analysis of a rendered 'after' clip, analysed on first use."""

    return Lazy(scenario_analysis)


def _row(cmp, measure):
    return cmp.deltas.set_index("measure").loc[measure]


def test_comparing_an_analysis_with_itself(fit_check_analysis):
    cmp = compare_analyses(fit_check_analysis, fit_check_analysis)
    assert len(cmp.deltas) >= 8
    assert (cmp.deltas["change"] == 0).all()
    assert (cmp.deltas["verdict"] == "within noise").all()


@pytest.mark.parametrize(
    "name,measure,truth",
    [
        ("after_saddle_up", "knee_at_bdc_deg", 5.9),
        ("after_bars_down", "back_mean_deg", -8.0),
    ],
)
def test_known_fit_changes_are_recovered(fit_check_analysis, afters, name, measure, truth):
    cmp = compare_analyses(fit_check_analysis, afters[name])
    r = _row(cmp, measure)
    print(
        f"{name}: {measure} {r.before:.2f} -> {r.after:.2f}, change {r.change:+.2f} "
        f"(truth {truth:+.1f}, tolerance 2.0), spread {r.stroke_spread:.2f}: {r.verdict}"
    )
    assert r.change == pytest.approx(truth, abs=2.0)
    assert r.verdict == "real change"


def test_one_degree_is_within_noise(fit_check_analysis, afters):
    cmp = compare_analyses(fit_check_analysis, afters["after_saddle_1deg"])
    r = _row(cmp, "knee_at_bdc_deg")
    print(f"saddle +2 mm: knee at BDC change {r.change:+.2f} (truth about +1): {r.verdict}")
    assert abs(r.change) < 2.0
    assert r.verdict == "within noise"


def test_side_by_side_and_compare_command(fit_check_analysis, afters, tmp_path):
    img = side_by_side(fit_check_analysis, afters["after_saddle_up"])
    assert img is not None and img.shape == (480, 2 * 640 + 8, 3)
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(fit_check_analysis.outdir),
            str(afters["after_saddle_up"].outdir),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    for f in (
        "comparison.csv",
        "comparison.json",
        "phase_curves.csv",
        "side_by_side_bdc.png",
        "report.html",
        "report.pdf",
    ):
        assert (out / f).stat().st_size > 0, f
    assert "Comparison:" in (out / "report.html").read_text()


def test_early_against_late_of_one_ride(fatigue_analysis, tmp_path):
    """The fatigue sample: elbows 14 deg straighter and shoulders up late in the ride."""
    out = tmp_path / "early_late"
    assert main(["compare", str(fatigue_analysis.outdir), "-o", str(out)]) == 0
    import pandas as pd

    d = pd.read_csv(out / "comparison.csv").set_index("measure")
    print("fatigue early vs late:", d[["change", "verdict"]].to_dict("index"))
    assert d.loc["elbow_mean_deg", "verdict"] == "real change"
    assert d.loc["elbow_mean_deg", "change"] > 8
    assert d.loc["knee_at_bdc_deg", "verdict"] == "within noise"  # the legs did not change


def test_reports_are_self_contained_and_render(fatigue_analysis, tmp_path):
    import pypdfium2 as pdfium

    html_path, pdf_path = write_reports(fatigue_analysis, tmp_path)
    doc = html_path.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", doc), "external reference"
    assert "http://" not in doc and "https://" not in doc
    for text in (
        "Fit angles per stroke",
        "Bottom dead centre",
        "Your elbows began locking out",
        "What helps",
        "Millour",
    ):
        assert text in doc, text
    assert doc.count("data:image/png;base64,") >= 2
    pdf = pdfium.PdfDocument(str(pdf_path))
    assert len(pdf) >= 2  # the fit page, then the findings in words above the timeline
    assert "Posture over the ride" in pdf[1].get_textpage().get_text_range()
    for i in range(len(pdf)):
        page = pdf[i].render(scale=0.4).to_numpy()
        ink = (page.mean(axis=2) < 200).mean()
        print(f"report.pdf page {i + 1}: {ink:.1%} of the page inked")
        # no page of a few lines alone (the findings' text once had a page to itself: 3%)
        assert ink > 0.05, f"page {i + 1} is nearly empty ({ink:.1%})"
        # nothing drawn in the outer quarter inch (the fit table once ran off the page's edge)
        full = pdf[i].render(scale=1).to_numpy().mean(axis=2)
        edge = np.concatenate([full[:, :18], full[:, -18:]], axis=1)
        assert (edge < 200).sum() == 0, f"page {i + 1}: drawn into the margin"
        # every letter inside the page with that margin
        text, width = pdf[i].get_textpage(), pdf[i].get_width()
        boxes = [text.get_charbox(k) for k in range(text.count_chars())]
        if boxes:
            right = max(b[2] for b in boxes)
            print(
                f"report.pdf page {i + 1}: text from x {min(b[0] for b in boxes):.0f} to "
                f"{right:.0f} of {width:.0f} pt"
            )
            assert min(b[0] for b in boxes) >= 18 and right <= width - 18, (i + 1, right)


def test_report_command_on_an_analysis_folder(fit_check_analysis, tmp_path, capsys):
    assert main(["report", str(fit_check_analysis.outdir), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "report.pdf").exists()
    assert main(["report", str(tmp_path / "nothing_here")]) == 2
    assert "no summary.json" in capsys.readouterr().err
    # a folder that does not exist yet is made (it raised a traceback); a file in the way
    # is named in one line
    new = tmp_path / "new" / "reports"
    assert main(["report", str(fit_check_analysis.outdir), "-o", str(new)]) == 0
    assert (new / "report.pdf").exists() and (new / "report.html").exists()
    # a 20 s clip is a fit check: no timeline drawn (its strokes would only look like one),
    # its sentence on the fit page, no page of a line alone
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(new / "report.pdf"))
    assert len(pdf) == 1 and "is a fit check" in pdf[0].get_textpage().get_text_range()
    pdf.close()
    assert 'alt="fatigue timeline"' not in (new / "report.html").read_text()
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    assert main(["report", str(fit_check_analysis.outdir), "-o", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"posecheck: {blocker}") and "cannot write the reports" in err
    assert "Traceback" not in err
