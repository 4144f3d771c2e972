"""Ride files: FIT (fitdecode), TCX and CSV read alike; bad files refused in one line naming
the file; the offset found from the video's cadence; heart-rate drift at matched power."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from posecheck.ride.figures import heart_rate_drift, on_video_axis
from posecheck.ride.read import RideFileError, read_ride
from posecheck.ride.sync import SyncError, synchronise
from posecheck.samples import SCENARIOS
from tests.ridegen import START, series, write_csv, write_fit, write_tcx

SC = SCENARIOS["ride_cadence"]
VIDEO_S = SC.duration_s


def strokes_of(sc, jitter_rpm=0.0, seed=0):
    """The strokes a perfect detector would find in the scenario: one per crank turn."""
    rng = np.random.default_rng(seed)
    turns = np.arange(0, int(sc.crank_turns(sc.duration_s)))
    grid = np.linspace(0, sc.duration_s, 20001)
    revs = np.array([sc.crank_turns(x) for x in grid])
    starts = np.interp(turns, revs, grid)
    rows = []
    for a, b in zip(starts[:-1], starts[1:]):
        rows.append((a, b, 60.0 / (b - a) + rng.normal(0, jitter_rpm), False))
    return pd.DataFrame(rows, columns=["start_s", "end_s", "cadence_rpm", "standing"])


@pytest.fixture(scope="module")
def ride_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("rides")
    data = series(900, SC.cadence_at, offset_s=312.0, video_s=VIDEO_S)
    return {
        "fit": write_fit(d / "ride.fit", *data),
        "tcx": write_tcx(d / "ride.tcx", *data),
        "csv": write_csv(d / "ride.csv", *data),
        "data": data,
        "dir": d,
    }


def test_fit_tcx_and_csv_read_the_same_records(ride_files):
    t, power, hr, cadence = ride_files["data"]
    rides = {k: read_ride(ride_files[k]) for k in ("fit", "tcx", "csv")}
    for kind, ride in rides.items():
        rec = ride.records
        assert len(rec) == len(t), kind
        np.testing.assert_array_equal(rec["elapsed_s"], t)
        np.testing.assert_array_equal(rec["power_w"], power)
        np.testing.assert_array_equal(rec["heart_rate_bpm"], hr)
        np.testing.assert_array_equal(rec["cadence_rpm"], cadence)
    assert rides["fit"].start_utc == rides["tcx"].start_utc == START
    assert rides["csv"].start_utc is None  # seconds only: no clock


@pytest.mark.parametrize(
    "names",
    [("time_s", "power_w", "heart_rate_bpm", "cadence_rpm"), ("Time", " Power", "HR", "RPM")],
)
def test_csv_column_names_are_accepted_in_their_common_spellings(tmp_path, names):
    data = series(60, lambda x: 90, 0, 0)
    ride = read_ride(write_csv(tmp_path / "r.csv", *data, names=names))
    assert ride.has("power_w") and ride.has("heart_rate_bpm") and ride.has("cadence_rpm")


def _damaged(src, dst, how):
    raw = bytearray(src.read_bytes())
    if how == "truncated":
        raw = raw[: len(raw) // 2]
    elif how == "corrupt":
        for i in range(len(raw) // 2, len(raw) // 2 + 40):
            raw[i] ^= 0x5A
    else:
        raw = bytearray(b"this is a text file renamed .fit\n" * 20)
    dst.write_bytes(bytes(raw))
    return dst


@pytest.mark.parametrize(
    "how, words", [("truncated", "truncated"), ("corrupt", "corrupt"), ("text", "not a FIT")]
)
def test_bad_fit_files_get_one_line_naming_the_file(ride_files, tmp_path, how, words):
    bad = _damaged(ride_files["fit"], tmp_path / f"{how}.fit", how)
    with pytest.raises(RideFileError) as e:
        read_ride(bad)
    msg = str(e.value)
    assert msg.startswith(str(bad)) and words in msg and "\n" not in msg


def test_other_bad_ride_files(tmp_path):
    (tmp_path / "notime.csv").write_text("watts,hr\n200,140\n")
    (tmp_path / "ride.gpx").write_text("<gpx/>")
    (tmp_path / "broken.tcx").write_text("<TrainingCenterDatabase><Activities>")
    for name, words in (
        ("notime.csv", "no time column"),
        ("ride.gpx", "expected .fit, .tcx or .csv"),
        ("broken.tcx", "not a readable TCX"),
        ("missing.fit", "no such ride file"),
    ):
        with pytest.raises(RideFileError, match=words) as e:
            read_ride(tmp_path / name)
        assert str(e.value).startswith(str(tmp_path / name))


@pytest.mark.parametrize("kind", ["fit", "csv"])
def test_the_offset_is_found_within_one_pedal_stroke(ride_files, kind):
    """No clock (CSV) or a clock that is 4 minutes off (FIT): the cadence pattern places the
    video at the file's 312 s."""
    import datetime as dt

    ride = read_ride(ride_files[kind])
    wrong_clock = START + dt.timedelta(seconds=312 + 240)
    sync = synchronise(ride, strokes_of(SC, jitter_rpm=0.7), VIDEO_S, wrong_clock)
    one_stroke = 60.0 / max(r for _, r in SC.cadence_profile)
    print(
        f"{kind}: offset {sync.offset_s:.1f} s (truth 312), r {sync.r:.2f}, "
        f"confidence {sync.confidence:.2f}"
    )
    assert abs(sync.offset_s - 312.0) <= one_stroke
    assert sync.method == "cadence" and sync.confidence >= 0.5


def test_power_is_used_when_the_file_has_no_cadence(ride_files, tmp_path):
    t, power, hr, _ = ride_files["data"]
    f = write_csv(
        tmp_path / "p.csv",
        t,
        power,
        hr,
        np.full(len(t), np.nan),
        names=("secs", "watts", "hr", "notes"),
    )
    sync = synchronise(read_ride(f), strokes_of(SC), VIDEO_S)
    assert sync.method == "power" and abs(sync.offset_s - 312.0) <= 1.0


def test_a_file_from_another_ride_is_refused(tmp_path):
    other = series(900, lambda x: 84 + 5 * np.sin(x / 13.0), 200.0, VIDEO_S, seed=4)
    ride = read_ride(write_csv(tmp_path / "other.csv", *other))
    with pytest.raises(SyncError, match="same ride"):
        synchronise(ride, strokes_of(SC), VIDEO_S)


def test_a_pattern_that_fits_at_several_places_is_not_guessed(tmp_path):
    """Intervals repeated every 50 s in the file: the video's steps fit about as well at
    several offsets, so no offset is claimed."""
    reps = series(900, lambda x: 80 + 8 * ((x // 25) % 2), 300.0, VIDEO_S, seed=9)
    with pytest.raises(SyncError, match="several places.*--ride-offset-s"):
        synchronise(read_ride(write_csv(tmp_path / "reps.csv", *reps)), strokes_of(SC), VIDEO_S)


def test_a_steady_cadence_cannot_be_matched_and_says_so(ride_files):
    flat = strokes_of(SCENARIOS["steady_side"])
    with pytest.raises(SyncError, match="barely changes.*--ride-offset-s"):
        synchronise(read_ride(ride_files["csv"]), flat, 150.0)
    sync = synchronise(read_ride(ride_files["csv"]), flat, 150.0, manual_offset_s=30.0)
    assert sync.offset_s == 30.0 and sync.method == "manual"
    with pytest.raises(SyncError, match="does not overlap"):
        synchronise(read_ride(ride_files["csv"]), flat, 150.0, manual_offset_s=5000.0)


def test_heart_rate_drift_at_matched_power(tmp_path):
    """Heart rate rises 12 bpm over a 900 s file at unchanged power: between the centres of
    the video's first and last thirds (900 s video, offset 0) that is 12 x 600 / 900 bpm."""
    data = series(900, lambda x: 88 + 4 * np.sin(x / 9.0), 0.0, 900.0, hr_drift_bpm=12.0)
    table = on_video_axis(read_ride(write_csv(tmp_path / "d.csv", *data)), 0.0)
    drift = heart_rate_drift(table, 900.0)
    print(drift)
    assert drift["drift_bpm"] == pytest.approx(12.0 * 600 / 900, abs=1.5)
    steady = series(900, lambda x: 88 + 4 * np.sin(x / 9.0), 0.0, 900.0, hr_drift_bpm=0.0)
    table = on_video_axis(read_ride(write_csv(tmp_path / "s.csv", *steady)), 0.0)
    assert abs(heart_rate_drift(table, 900.0)["drift_bpm"]) < 1.5


def test_garbled_fit_files_never_raise_anything_but_a_named_message(ride_files, tmp_path):
    """60 FIT files with bytes garbled or cut at random places: each is read or refused with
    a RideFileError naming it (a garbled timestamp once raised AttributeError)."""
    import random

    raw = ride_files["fit"].read_bytes()
    bad = tmp_path / "garbled.fit"
    for k in range(60):
        rnd = random.Random(k)
        b = bytearray(raw)
        i = rnd.randrange(len(b) - 64)
        for j in range(i, i + rnd.choice([1, 8, 64])):
            b[j] = rnd.randrange(256) if k % 2 else 0
        if k % 3 == 0:
            b = b[: rnd.randrange(len(b))]
        bad.write_bytes(bytes(b))
        try:
            read_ride(bad)
        except RideFileError as e:
            assert str(e).startswith(str(bad)) and "\n" not in str(e)


def test_the_video_creation_time_is_read_for_the_first_guess(tmp_path):
    """Phones write the recording's start into the container: it narrows the search."""
    import datetime as dt

    from posecheck.video import video_creation_time
    from tests.conftest import make_test_clip

    stamped = make_test_clip(
        tmp_path / "phone.mp4", extra=("-metadata", "creation_time=2026-11-30T17:05:12Z")
    )
    assert video_creation_time(stamped) == dt.datetime(
        2026, 11, 30, 17, 5, 12, tzinfo=dt.timezone.utc
    )
    assert video_creation_time(make_test_clip(tmp_path / "plain.mp4")) is None
    assert video_creation_time(tmp_path / "missing.mp4") is None
