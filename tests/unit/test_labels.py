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


def test_clips_are_named_as_the_rider_named_them(tmp_path):
    """Issue 21: no content hash in names. An upload is kept as <hash>-<name> and analysed
    into <that>-<fingerprint>: the history's clip name and the earlier-analysis label drop
    both; a name that merely has a dash keeps it."""
    from posecheck.io import strip_upload_hash
    from posecheck.ui import analysis_label

    assert strip_upload_hash("74a9ff6a1a70-nstallmann_ride.mp4") == "nstallmann_ride.mp4"
    assert strip_upload_hash("before-saddle.mp4") == "before-saddle.mp4"
    assert strip_upload_hash("74a9ff6a1a70-") == "74a9ff6a1a70-"
    folder = tmp_path / "74a9ff6a1a70-nstallmann_ride-0123456789ab"
    folder.mkdir()
    (folder / "summary.json").write_text("{}")
    assert analysis_label(folder).startswith("nstallmann_ride · ")
    live = tmp_path / "live-20261201-034957"
    live.mkdir()
    assert analysis_label(live) == "Live ride · 01 Dec 2026 03:49"
