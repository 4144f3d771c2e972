"""The Streamlit app's logic paths with streamlit.testing.v1.AppTest (no browser)."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


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


@pytest.mark.model
def test_analyse_a_sample_shows_results(app):
    fit = next(o for o in app.selectbox(key="sample").options if o.startswith("fit_check_side"))
    app.selectbox(key="sample").select(fit).run()
    app.button(key="analyse").click().run()
    assert not app.exception, app.exception
    assert not app.error
    labels = {m.label: m.value for m in app.metric}
    assert labels["Frames analysed"] == "600"
    assert labels["View"] == "side-right"
    assert any("Angles over time" in h.value for h in app.subheader)
