"""One module per tab of the app. Each has ``show(result, marker_s)``: it draws its tab for a
loaded :class:`posecheck.pipeline.Analysis` at the time-slider position ``marker_s``. A new
tab is a new module here and one entry in :data:`TABS`, not lines in ``app.py``."""

from __future__ import annotations

from posecheck.ui.views import calibrate, coach, exports, fitter, history, ride, rider, video

TABS = {
    "Rider": rider.show,
    "Fitter": fitter.show,
    "Video": video.show,
    "Coach": coach.show,
    "Ride data": ride.show,
    "History": history.show,
    "Calibrate": calibrate.show,
    "Exports": exports.show,
}


def tabs_for(result) -> dict:
    """The tabs in the order this analysis is best read: a clip too short for a timeline
    (a fitter's side view) opens on Fitter."""
    if result.findings.get("too_short"):
        return {"Fitter": TABS["Fitter"], **{k: v for k, v in TABS.items() if k != "Fitter"}}
    return TABS
