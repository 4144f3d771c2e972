"""The Streamlit app's logic paths with streamlit.testing.v1.AppTest (no browser).

The analysis itself runs once with the real model (session fixture); the app's own paths are
exercised on that analysis, on bad uploads and on clips with no rider."""

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from posecheck.ui import analysis_dir
from tests.conftest import ROOT, SAMPLES, make_test_clip


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("POSECHECK_DATA", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    return at.run()


def test_opens_with_a_bundled_sample_ready(app):
    assert not app.exception
    assert app.radio(key="source").value == "Bundled sample"
    sample = app.selectbox(key="sample")
    assert sample.value in sample.options and len(sample.options) >= 3  # preselected
    assert not app.button(key="analyse").disabled
    assert "Analyse" in app.info[0].value
    assert app.selectbox(key="profile").value == "default"


def _select_fit_check(app):
    fit = next(o for o in app.selectbox(key="sample").options if o.startswith("fit_check_side"))
    return app.selectbox(key="sample").select(fit).run()


def _seed_cache(tmp_path, fit_check_analysis):
    """Put the session's real-model pose track where the app looks for it (same key)."""
    dest = analysis_dir(SAMPLES / "fit_check_side.mp4")
    shutil.copytree(fit_check_analysis.outdir, dest, dirs_exist_ok=True)
    return dest


@pytest.mark.model
def test_analyse_a_sample_shows_verdict_charts_and_strokes(app, tmp_path, fit_check_analysis):
    _seed_cache(tmp_path, fit_check_analysis)
    _select_fit_check(app)
    app.button(key="analyse").click().run()
    assert not app.exception, app.exception
    assert not app.error
    texts = [m.value for m in app.success]
    assert any("pose from cache" in t for t in texts), texts
    # 20 s is a fit check: said in plain words, no timeline claimed (issue 21)
    infos = [m.value for m in app.info]
    assert any("clip is a fit check" in t for t in infos), infos
    assert not any("held steady" in t for t in texts + infos)
    assert [t.label for t in app.tabs][0] == "Fitter"  # opens on the fitter's view
    labels = {m.label: m.value for m in app.metric}
    assert labels["Frames analysed"] == "600"
    assert labels["View"] == "side-right"
    assert labels["Cadence"] == "88 rpm"
    tables = [d.value for d in app.dataframe]
    table = next(t for t in tables if "stroke" in t.columns)
    assert len(table) == len(fit_check_analysis.strokes)
    # measures named in words, not by column (issue 21)
    assert "Knee at bottom dead centre, while pedalling: verdict" in table.columns
    assert not [c for c in table.columns if "_" in c], list(table.columns)
    ranges = next(t for t in tables if "published range" in t.columns)
    assert ranges["source"].str.len().min() > 3
    # each range's convention in full beside the table, not in a column past the page's edge
    shown = " ".join(m.value for m in app.markdown)
    for measure in ranges["measure"]:
        assert f"**{measure}**: " in shown, measure
    assert len(app.get("vega_lite_chart")) >= 3  # distributions (no timeline on 20 s)
    assert any(b.label == "Download findings.json" for b in app.get("download_button"))


@pytest.mark.model
def test_earlier_analysis_reopens_without_the_model(app, tmp_path, fit_check_analysis):
    _seed_cache(tmp_path, fit_check_analysis)
    app.radio(key="source").set_value("Earlier analysis").run()
    assert app.selectbox(key="earlier").value.startswith("fit_check_side")
    app.button(key="open").click().run()
    assert not app.exception, app.exception
    assert {m.label: m.value for m in app.metric}["Frames analysed"] == "600"


def test_an_earlier_analysis_whose_clip_was_deleted_still_opens(app, tmp_path, fit_check_analysis):
    """Riders delete hour-long clips once analysed: the folder still opens with every figure,
    and the Video tab says why it shows no frame (it once failed: "file not found")."""
    import json

    _seed_cache(tmp_path, fit_check_analysis)
    summary_path = analysis_dir(SAMPLES / "fit_check_side.mp4") / "summary.json"
    summary = json.loads(summary_path.read_text())
    summary["video"]["path"] = str(tmp_path / "deleted.mp4")
    summary_path.write_text(json.dumps(summary))
    app.radio(key="source").set_value("Earlier analysis").run()
    app.button(key="open").click().run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    assert {m.label: m.value for m in app.metric}["Frames analysed"] == "600"
    assert any("no longer at" in i.value for i in app.info), [i.value for i in app.info]
    assert not app.get("imgs")  # no frame drawn


def test_bad_upload_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("POSECHECK_DATA", str(tmp_path))
    bad = tmp_path / "uploads" / "notes.mp4"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("this is not a video")
    # the app's clip list points at the bad file: run() takes the same path as for an upload
    monkeypatch.setattr("posecheck.ui.SAMPLES_DIR", bad.parent)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.button(key="analyse").click().run()
    assert not at.exception
    assert at.error and "notes.mp4" in at.error[0].value
    # the error stands alone: no "choose a clip" under it (issue 21)
    assert not any("Choose a clip" in m.value for m in at.info), [m.value for m in at.info]


def test_clip_with_no_rider_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("POSECHECK_DATA", str(tmp_path / "data"))
    clips = tmp_path / "clips"
    clips.mkdir()
    make_test_clip(clips / "empty_room.mp4", seconds=1.0)
    monkeypatch.setattr("posecheck.ui.SAMPLES_DIR", clips)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.button(key="analyse").click().run()
    assert not at.exception
    assert at.error and "no rider found" in at.error[0].value


@pytest.mark.model
def test_a_short_clip_without_strokes_claims_no_fit_angles(tmp_path, monkeypatch, footage):
    """A real rider filmed with the feet out of the picture (../shared/footage): no stroke is
    measured, so neither the headline nor the Rider tab may send the rider to stroke angles
    that do not exist (both once did: "the angles at the bottom and top of the stroke are
    valid", "The fit angles of this clip are in Fitter")."""
    monkeypatch.setenv("POSECHECK_DATA", str(tmp_path / "data"))
    clips = tmp_path / "clips"
    clips.mkdir()
    shutil.copyfile(footage / "accoumar_feet_cut_off_1080p.mp4", clips / "feet_cut_off.mp4")
    monkeypatch.setattr("posecheck.ui.SAMPLES_DIR", clips)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.button(key="analyse").click().run()
    assert not at.exception, at.exception
    texts = " ".join(i.value for i in at.info)
    assert "could not be measured" in " ".join(c.value for c in at.caption), texts
    assert "no pedal stroke was measured" in texts and "too short to show" in texts, texts
    assert "are valid" not in texts and "fit angles of this clip are in" not in texts, texts
    # nor is it a ride in the rider's history (its 0.0 peaks once read as a calm ride)
    assert "it is not a ride and is not recorded here" in texts, texts
    from posecheck import history

    engine = history.open_db()
    assert "feet_cut_off.mp4" not in set(history.rides_table(engine).get("clip_name", []))
    engine.dispose()


@pytest.mark.model
def test_coach_compares_early_and_late_of_the_ride(app, tmp_path, fit_check_analysis):
    _seed_cache(tmp_path, fit_check_analysis)
    _select_fit_check(app)
    app.button(key="analyse").click().run()
    assert app.selectbox(key="compare_with").value == "early vs late of this ride"
    app.button(key="compare").click().run()
    assert not app.exception, app.exception
    deltas = next(d.value for d in app.dataframe if "measurement noise" in d.value.columns)
    assert not [c for c in deltas.columns if "_" in c], list(deltas.columns)  # words
    assert set(deltas["verdict"]) <= {"real change", "within noise"}
    assert "knee at bottom dead centre" in " ".join(deltas["measure"]).lower()
    # a steady 20 s clip: its first and last thirds do not differ beyond noise
    assert (deltas["verdict"] == "within noise").all(), deltas
    assert any(b.label == "Download report.pdf" for b in app.get("download_button"))


@pytest.mark.model
def test_a_comparison_disappears_when_its_clip_is_no_longer_shown(
    app, tmp_path, fit_check_analysis
):
    """Analyse A, compare it, then analyse C: A's comparison must not be shown under C."""
    _seed_cache(tmp_path, fit_check_analysis)
    _select_fit_check(app)
    app.button(key="analyse").click().run()
    app.button(key="compare").click().run()
    assert any("measurement noise" in d.value.columns for d in app.dataframe)
    rear = next(o for o in app.selectbox(key="sample").options if o.startswith("rear_rocking"))
    app.selectbox(key="sample").select(rear).run()
    app.button(key="analyse").click().run()
    assert not app.exception, app.exception
    assert {m.label: m.value for m in app.metric}["View"] == "rear"
    assert not any("measurement noise" in d.value.columns for d in app.dataframe)


@pytest.mark.model
def test_results_are_shown_only_under_their_own_clip(app, tmp_path, fit_check_analysis):
    """Analyse A, then choose B: A's results leave the page until B is analysed, and the
    page names the clip its results belong to (issue 21)."""
    _seed_cache(tmp_path, fit_check_analysis)
    _select_fit_check(app)
    app.button(key="analyse").click().run()
    assert any(h.value.startswith("Results for fit_check_side") for h in app.subheader)
    rear = next(o for o in app.selectbox(key="sample").options if o.startswith("rear_rocking"))
    app.selectbox(key="sample").select(rear).run()
    assert not app.exception, app.exception
    assert not app.metric and not app.dataframe  # nothing of A's left
    assert any("rear_rocking" in m.value and "Analyse" in m.value for m in app.info)
    _select_fit_check(app)  # back to A: its results come back without a new analysis
    assert {m.label: m.value for m in app.metric}["Frames analysed"] == "600"


@pytest.mark.model
def test_calibrate_tab_saves_a_rider_profile(app, tmp_path, fit_check_analysis):
    _seed_cache(tmp_path, fit_check_analysis)
    _select_fit_check(app)
    app.button(key="analyse").click().run()
    app.text_input(key="rider_name").input("Anna K").run()
    app.button(key="save_profile").click().run()
    assert not app.exception, app.exception
    saved = tmp_path / "profiles" / "Anna_K.toml"
    assert saved.exists()
    assert any("Saved Anna_K.toml" in m.value for m in app.success)
    # in the sidebar's list at once, not after another rerun (issue 21)
    assert "Anna_K" in app.selectbox(key="profile").options


@pytest.mark.model
def test_fitter_reads_the_ranges_of_the_riding_position_and_remembers_it(
    app, tmp_path, fit_check_analysis
):
    """Issue 21: an aero rider is not judged on a road rider's torso range; the ranges that
    apply are said; a rider's profile remembers the position, and the next analysis with
    that profile reads its ranges."""
    _seed_cache(tmp_path, fit_check_analysis)
    _select_fit_check(app)
    app.button(key="analyse").click().run()
    key = next(s.key for s in app.selectbox if s.key and s.key.startswith("position-"))

    def range_measures():
        t = next(d.value for d in app.dataframe if "published range" in d.value.columns)
        return set(t["measure"])

    assert app.selectbox(key=key).value == "hoods"
    assert "Torso to horizontal, on the hoods, recreational" in range_measures()
    app.selectbox(key=key).select("aero").run()
    assert not app.exception, app.exception
    got = range_measures()
    assert not [m for m in got if m.startswith(("Torso", "Elbow", "Closed hip"))], got
    assert "Knee at bottom dead centre, while pedalling" in got
    captions = " ".join(c.value for c in app.caption)
    assert "Ranges for time trial or triathlon" in captions
    assert "torso to horizontal, on the hoods, recreational" in captions  # not judged
    # a rider's profile remembers it
    app.text_input(key="rider_name").input("Ana").run()
    app.button(key="save_profile").click().run()
    app.selectbox(key="profile").select("Ana").run()
    app.selectbox(key=key).select("aero").run()
    app.button(key="remember_position").click().run()
    assert not app.exception, app.exception
    assert 'position = "aero"' in (tmp_path / "profiles" / "Ana.toml").read_text()
    app.button(key="analyse").click().run()
    assert not app.exception, app.exception
    summary = (analysis_dir(SAMPLES / "fit_check_side.mp4") / "summary.json").read_text()
    assert '"position": "aero"' in summary


def test_a_bundled_sample_opens_ready_made_at_the_first_click(app, tmp_path):
    """Issue 20: the first click on a bundled sample with the default settings shows its
    ready-made analysis (no pose model, no metrics run); with the rider's own choice (here:
    the mode) Analyse analyses the clip."""
    from posecheck.ui.run import READY_NOTE

    fatigue = next(o for o in app.selectbox(key="sample").options if o.startswith("fatigue_side"))
    app.selectbox(key="sample").select(fatigue).run()
    app.button(key="analyse").click().run()
    assert not app.exception, app.exception
    assert [m.value for m in app.success] == [READY_NOTE]
    assert {m.label: m.value for m in app.metric}["Frames analysed"] == "5400"
    shown = [m.value for m in [*app.markdown, *app.info, *app.warning, *app.subheader]]
    assert any("shoulders began creeping up" in t for t in shown), shown
    folder = analysis_dir(SAMPLES / "fatigue_side.mp4")
    assert folder.is_relative_to(tmp_path) and (folder / "keypoints.npz").exists()
    app.selectbox(key="mode").select("full").run()
    app.button(key="analyse").click().run()
    assert not app.exception, app.exception
    assert any(m.value.startswith("Analysed in") for m in app.success), app.success
