"""The words for each measure: one vocabulary for the app, the reports and the tables."""

from __future__ import annotations

LABELS = {
    "shrug_ratio": "Shoulder shrug (ear-to-shoulder / trunk)",
    "elbow_angle_deg": "Elbow angle (°, 180 = straight)",
    "neck_angle_deg": "Neck angle (°, head against trunk)",
    "thoracic_rounding_deg": "Upper-back rounding (°)",
    "back_angle_deg": "Back angle (° above horizontal)",
    "pelvic_tilt_deg": "Pelvic tilt proxy (°)",
    "hip_rocking_deg": "Hip rocking per stroke (°)",
    "hip_bounce_pct": "Hip bounce per stroke (% of thigh)",
}


def label(metric: str) -> str:
    """A measure's readable name (the column name when it has none)."""
    return LABELS.get(metric, metric)
