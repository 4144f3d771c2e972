"""Ride files with known power, heart rate and cadence, written the way head units and
trainer apps write them: FIT through ``fit-tool`` (a FIT writer; posecheck reads FIT with
``fitdecode``, so the two never share code), TCX and CSV by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

START = dt.datetime(2026, 11, 30, 17, 0, 0, tzinfo=dt.timezone.utc)


def series(
    length_s: int,
    video_cadence,
    offset_s: float,
    video_s: float,
    seed: int = 0,
    hr_drift_bpm: float = 0.0,
):
    """1 Hz records: inside the video's span (file time offset_s .. offset_s + video_s) the
    cadence is the video's own (``video_cadence(t_video)``); outside it, a different pattern.
    Power follows cadence; heart rate follows power, plus ``hr_drift_bpm`` spread over the
    file (cardiac drift)."""
    rng = np.random.default_rng(seed)
    t = np.arange(length_s, dtype=float)
    cadence = 85 + 6 * np.sin(2 * np.pi * t / 97.0) + rng.normal(0, 0.8, length_s)
    inside = (t >= offset_s) & (t <= offset_s + video_s)
    cadence[inside] = [video_cadence(x - offset_s) for x in t[inside]]
    cadence += rng.normal(0, 0.5, length_s)
    power = 2.6 * cadence + rng.normal(0, 6, length_s)
    hr = 95 + 0.25 * power + hr_drift_bpm * t / length_s + rng.normal(0, 1.0, length_s)
    return t, np.round(power), np.round(hr), np.round(cadence)


def write_fit(path: Path, t, power, hr, cadence, start: dt.datetime = START) -> Path:
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer

    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    fid = FileIdMessage()
    fid.type = FileType.ACTIVITY
    fid.manufacturer = Manufacturer.DEVELOPMENT.value
    fid.product = 0
    fid.time_created = round(start.timestamp() * 1000)
    fid.serial_number = 0x12345678
    builder.add(fid)
    records = []
    for i in range(len(t)):
        r = RecordMessage()
        r.timestamp = round((start.timestamp() + float(t[i])) * 1000)
        r.power = int(power[i])
        r.heart_rate = int(hr[i])
        r.cadence = int(cadence[i])
        records.append(r)
    builder.add_all(records)
    builder.build().to_file(str(path))
    return path


def write_tcx(path: Path, t, power, hr, cadence, start: dt.datetime = START) -> Path:
    ns = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    ext = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
    points = "".join(
        f"<Trackpoint><Time>{(start + dt.timedelta(seconds=float(x))).isoformat()}</Time>"
        f"<HeartRateBpm><Value>{int(h)}</Value></HeartRateBpm><Cadence>{int(c)}</Cadence>"
        f"<Extensions><ns3:TPX><ns3:Watts>{int(p)}</ns3:Watts></ns3:TPX></Extensions>"
        "</Trackpoint>"
        for x, p, h, c in zip(t, power, hr, cadence)
    )
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase xmlns="{ns}" '
        f'xmlns:ns3="{ext}"><Activities><Activity Sport="Biking"><Id>{start.isoformat()}</Id>'
        f'<Lap StartTime="{start.isoformat()}"><Track>{points}</Track></Lap></Activity>'
        "</Activities></TrainingCenterDatabase>"
    )
    return path


def write_csv(path: Path, t, power, hr, cadence, names=("secs", "watts", "hr", "cad")) -> Path:
    rows = [",".join(names)] + [
        f"{x:.0f},{p:.0f},{h:.0f},{c:.0f}" for x, p, h, c in zip(t, power, hr, cadence)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path
