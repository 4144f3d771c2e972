"""The words for each measure: one vocabulary for the app, the reports and the tables."""

from __future__ import annotations

LABELS = {
    "shrug_ratio": "Shoulder shrug (ear-to-shoulder / trunk)",
    "elbow_angle_deg": "Elbow angle (°, 180 = straight)",
    "neck_angle_deg": "Neck angle (°, head against trunk)",
    "thoracic_rounding_deg": "Upper-back rounding (°)",
    "back_angle_deg": "Back angle (° above horizontal)",
    "pelvic_tilt_deg": "Pelvic tilt proxy (°)",
    "upper_bend_deg": "Upper-back bend (°)",
    "lumbar_bend_deg": "Lowest-back bend beyond the back's curve (°)",
    "hip_rocking_deg": "Hip rocking per stroke (°)",
    "hip_bounce_pct": "Hip bounce per stroke (% of thigh)",
    # the angles over the crank cycle (Coach) and the confidence table (Fitter)
    "knee_angle_deg": "Knee angle (°, 180 = straight)",
    "hip_angle_deg": "Hip angle (°)",
    "ankle_angle_deg": "Ankle angle (°)",
    "shoulder_angle_deg": "Shoulder angle (°, trunk to upper arm)",
    "pelvic_obliquity_deg": "Pelvic obliquity (°)",
    "shoulder_tilt_deg": "Shoulder tilt (°)",
}


def label(metric: str) -> str:
    """A measure's readable name (the column name when it has none)."""
    return LABELS.get(metric, metric)


def short_name(metric: str) -> str:
    """A measure's name in a sentence: "shoulder shrug", not the chart title."""
    return label(metric).split(" (")[0].lower() if metric in LABELS else metric


def not_assessed_sentence(items: list[dict]) -> str:
    """Signs the timeline could not watch, once each and in words, grouped by why:
    "Not assessed: shoulder shrug and elbow angle (too few usable strokes in the baseline
    window 0:01-0:05)." Empty when there are none."""
    import re

    groups: dict[str, list[str]] = {}
    for x in items:
        why = re.sub(r"^only \d+ usable strokes/bins", "too few usable strokes", x["reason"])
        groups.setdefault(why, []).append(short_name(x["metric"]))
    parts = []
    for why, names in groups.items():
        said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"{said} ({why})")
    return ("Not assessed: " + "; ".join(parts) + ".") if parts else ""


def explained_sentences(items: list[dict]) -> list[str]:
    """Changes the timeline saw but did not report as a sign because another sign explains
    them (``findings["explained"]``), in words: "Not reported as pelvic tilt proxy: ..."."""
    from posecheck.fatigue import mmss

    return [
        f"Not reported as {short_name(x['metric'])} (changed {x['change']:+.0f}° from "
        f"{mmss(x['onset_s'])}): {x['reason']}."
        for x in items
    ]
