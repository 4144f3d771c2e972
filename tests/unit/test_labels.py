"""Words shown to riders: measures by name, not column, each said once."""

from posecheck.labels import not_assessed_sentence


def test_not_assessed_is_said_once_in_words():
    why = "only 2 usable strokes/bins in the baseline window 0:01-0:05"
    items = [
        {"metric": "shrug_ratio", "reason": why},
        {"metric": "elbow_angle_deg", "reason": why.replace("2", "1", 1)},
        {"metric": "hip_bounce_pct", "reason": "not measured with confidence 0.5 or more"},
    ]
    text = not_assessed_sentence(items)
    print(text)
    assert text == (
        "Not assessed: shoulder shrug and elbow angle (too few usable strokes in the baseline "
        "window 0:01-0:05); hip bounce per stroke (not measured with confidence 0.5 or more)."
    )
    assert "_" not in text  # no column names
    assert not_assessed_sentence([]) == ""
