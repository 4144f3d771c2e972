"""The reports' stacked charts are placed with fixed margins (``report.stack_margins``), not
matplotlib's tight_layout (a third of a report's time). What tight_layout guaranteed is
checked on the bundled fatigue sample's timeline, drawn as the PDF draws it (the findings'
words above) and as the HTML does: no title runs into the chart above it, nothing is drawn
in the page's outer quarter inch, and the words above keep their room."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from posecheck.report import _mpl, stack_margins, timeline_figure
from tests.conftest import SAMPLES

READY = SAMPLES / "analyses" / "fatigue_side"


@pytest.fixture(scope="module")
def analysis():
    return SimpleNamespace(
        timeline=pd.read_csv(READY / "timeline.csv"),
        findings=json.loads((READY / "findings.json").read_text()),
    )


def _boxes(fig):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    page = fig.bbox
    charts = [ax for ax in fig.axes if ax.get_visible()]
    return r, page, charts


@pytest.mark.parametrize("heading", ["", "Posture over the ride"])
def test_charts_do_not_overlap_and_stay_on_the_page(analysis, heading):
    lines = [analysis.findings["headline"]] * (6 if heading else 0)
    fig = timeline_figure(analysis, heading, lines)
    r, page, charts = _boxes(fig)
    assert len(charts) >= 8  # the scores and seven signs: a tall stack
    for upper, lower in zip(charts, charts[1:]):
        title = lower.title.get_window_extent(r)
        assert title.y1 < upper.get_window_extent(r).y0, lower.get_title()
    margin = 0.25 * fig.dpi  # a printable margin: nothing in the outer quarter inch
    for ax in charts:
        box = ax.get_tightbbox(r)
        assert page.x0 + margin < box.x0 - 2 and box.x1 + 2 < page.x1 - margin, ax.get_title()
        assert page.y0 <= box.y0, ax.get_title()
    top = charts[0].get_tightbbox(r).y1
    words = [t.get_window_extent(r) for t in fig.texts]
    if heading:
        assert words and min(w.y0 for w in words) > top  # the words stay above the charts
    else:
        assert top <= page.y1
    _mpl().close(fig)


def test_the_charts_fill_the_page_between_the_margins(analysis):
    """Not squeezed: each chart keeps most of its 1.7 inches (a margin counted per chart
    instead of once would shrink them)."""
    fig = timeline_figure(analysis)
    r, _page, charts = _boxes(fig)
    dpi = fig.dpi
    heights = [ax.get_window_extent(r).height / dpi for ax in charts]
    assert min(heights) > 1.2, heights
    _mpl().close(fig)


def test_stack_margins_keeps_the_space_asked_for_above():
    plt = _mpl()
    fig, axes = plt.subplots(3, 1, figsize=(8, 6))
    stack_margins(fig, 3, top_in=2.0)
    r = fig.canvas.get_renderer()
    fig.canvas.draw()
    assert axes[0].get_window_extent(r).y1 / fig.dpi <= 6 - 2.0
    plt.close(fig)
