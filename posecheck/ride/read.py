"""Reading a rider's own ride file: FIT (through ``fitdecode``), TCX (XML) or CSV.

Every reader gives a :class:`Ride`: one row per record with ``elapsed_s`` (seconds from the
file's first record), and ``power_w``, ``heart_rate_bpm``, ``cadence_rpm`` where the file has
them (NaN where a record lacks one), plus the wall-clock time of the first record when the
file knows it. Any problem is a :class:`RideFileError` whose message names the file.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

CHANNELS = ("power_w", "heart_rate_bpm", "cadence_rpm")
#: CSV column names accepted for each channel (case and surrounding spaces ignored)
CSV_NAMES = {
    "elapsed_s": ("elapsed_s", "time_s", "seconds", "secs", "time", "elapsed", "timestamp"),
    "power_w": ("power_w", "power", "watts", "pwr"),
    "heart_rate_bpm": ("heart_rate_bpm", "heart_rate", "heartrate", "hr", "bpm"),
    "cadence_rpm": ("cadence_rpm", "cadence", "cad", "rpm"),
}


class RideFileError(ValueError):
    """The ride file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Ride:
    path: Path
    records: pd.DataFrame  # elapsed_s + CHANNELS, sorted by time, one row per record
    start_utc: dt.datetime | None  # wall-clock time of elapsed_s == 0, when the file says

    @property
    def duration_s(self) -> float:
        return float(self.records["elapsed_s"].iloc[-1]) if len(self.records) else 0.0

    def has(self, channel: str) -> bool:
        return bool(self.records[channel].notna().any())


def read_ride(path: str | Path) -> Ride:
    """Read a FIT, TCX or CSV ride file (by its extension)."""
    path = Path(path)
    if not path.is_file():
        raise RideFileError(f"{path}: no such ride file")
    kind = path.suffix.lower()
    readers = {".fit": _read_fit, ".tcx": _read_tcx, ".csv": _read_csv}
    if kind not in readers:
        raise RideFileError(f"{path}: not a ride file (expected .fit, .tcx or .csv)")
    times, rows, start = readers[kind](path)
    return _ride(path, times, rows, start)


def _ride(path: Path, times: list, rows: list[dict], start: dt.datetime | None) -> Ride:
    if not rows:
        raise RideFileError(f"{path}: no records with power, heart rate or cadence")
    df = pd.DataFrame(rows, columns=list(CHANNELS), dtype=float)
    if isinstance(times[0], dt.datetime):
        start = min(times) if start is None else start
        elapsed = [(t - start).total_seconds() for t in times]
    else:
        elapsed = [float(t) for t in times]
    df.insert(0, "elapsed_s", np.asarray(elapsed, float))
    df = df[np.isfinite(df["elapsed_s"])].sort_values("elapsed_s", kind="stable")
    df = df.drop_duplicates("elapsed_s", keep="last").reset_index(drop=True)
    if df[list(CHANNELS)].notna().sum().sum() == 0:
        raise RideFileError(f"{path}: no power, heart rate or cadence in any record")
    df["elapsed_s"] -= df["elapsed_s"].iloc[0]
    return Ride(path, df, start)


def _utc(t) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def _read_fit(path: Path):
    import fitdecode

    times, rows = [], []
    try:
        with fitdecode.FitReader(
            str(path),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as fit:
            for frame in fit:
                if not (isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record"):
                    continue
                ts = frame.get_value("timestamp", fallback=None)
                if not isinstance(ts, dt.datetime):  # missing, or garbled into a number
                    continue
                rows.append(
                    {
                        "power_w": _num(frame.get_value("power", fallback=None)),
                        "heart_rate_bpm": _num(frame.get_value("heart_rate", fallback=None)),
                        "cadence_rpm": _num(frame.get_value("cadence", fallback=None)),
                    }
                )
                times.append(_utc(ts))
    except fitdecode.FitEOFError:
        raise RideFileError(f"{path}: the FIT file is truncated (it ends mid-record)") from None
    except fitdecode.FitCRCError:
        raise RideFileError(f"{path}: the FIT file is corrupt (checksum mismatch)") from None
    except fitdecode.FitHeaderError:
        raise RideFileError(f"{path}: not a FIT file (no FIT header)") from None
    except fitdecode.FitError as exc:
        raise RideFileError(f"{path}: the FIT file cannot be read ({exc})") from None
    except Exception as exc:  # a parser meeting hostile bytes: one line, never a traceback
        raise RideFileError(
            f"{path}: the FIT file is corrupt ({type(exc).__name__} while decoding it)"
        ) from None
    return times, rows, None


def _num(v) -> float:
    try:
        return float(v) if v is not None else np.nan
    except (TypeError, ValueError):
        return np.nan


TCX_NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


def _read_tcx(path: Path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise RideFileError(f"{path}: not a readable TCX file ({exc})") from None
    times, rows = [], []
    for tp in root.iter(f"{TCX_NS}Trackpoint"):
        when = tp.findtext(f"{TCX_NS}Time")
        if not when:
            continue
        try:
            t = _utc(dt.datetime.fromisoformat(when.replace("Z", "+00:00")))
        except ValueError:
            raise RideFileError(f"{path}: a trackpoint has an unreadable time {when!r}") from None
        watts = None
        for el in tp.iter():
            if el.tag.endswith("}Watts") or el.tag == "Watts":
                watts = el.text
        rows.append(
            {
                "power_w": _num(watts),
                "heart_rate_bpm": _num(tp.findtext(f"{TCX_NS}HeartRateBpm/{TCX_NS}Value")),
                "cadence_rpm": _num(tp.findtext(f"{TCX_NS}Cadence")),
            }
        )
        times.append(t)
    return times, rows, None


def _read_csv(path: Path):
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RideFileError(f"{path}: not a readable CSV file ({exc})") from None
    found = {}
    names = {str(c).strip().lower(): c for c in df.columns}
    for channel, accepted in CSV_NAMES.items():
        col = next((names[a] for a in accepted if a in names), None)
        if col is not None:
            found[channel] = col
    if "elapsed_s" not in found:
        raise RideFileError(
            f"{path}: no time column (accepted names: {', '.join(CSV_NAMES['elapsed_s'])})"
        )
    if not any(c in found for c in CHANNELS):
        names_ok = "; ".join(f"{c}: {', '.join(CSV_NAMES[c])}" for c in CHANNELS)
        raise RideFileError(f"{path}: no power, heart rate or cadence column ({names_ok})")
    raw = df[found["elapsed_s"]]
    numeric = pd.to_numeric(raw, errors="coerce")
    start = None
    if numeric.notna().mean() > 0.9:
        times = list(numeric.to_numpy(float))
    else:
        stamps = pd.to_datetime(raw, errors="coerce", utc=True)
        if stamps.notna().mean() < 0.9:
            raise RideFileError(f"{path}: the time column {found['elapsed_s']!r} is unreadable")
        times = [t.to_pydatetime() for t in stamps]
        start = times[0]
    rows = [
        {c: _num(df[found[c]].iloc[i]) if c in found else np.nan for c in CHANNELS}
        for i in range(len(df))
    ]
    keep = [i for i, t in enumerate(times) if t is not None and t == t]
    return [times[i] for i in keep], [rows[i] for i in keep], start
