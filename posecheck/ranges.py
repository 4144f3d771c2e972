"""Published ranges (``calibration/ranges.toml``) and the in/below/above status of strokes."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RANGES_FILE = Path(__file__).resolve().parents[1] / "calibration" / "ranges.toml"
MIN_CONF = 0.5
#: riding position -> how a fitter says it; ranges are published for some of them only
POSITIONS = {
    "hoods": "road, hands on the hoods",
    "drops": "road, hands in the drops",
    "aero": "time trial or triathlon, on the aero bars",
}


@dataclass(frozen=True)
class FitRange:
    key: str
    column: str
    low: float
    high: float
    label: str
    convention: str
    source: str
    conf_column: str | None = None
    positions: tuple[str, ...] = tuple(POSITIONS)

    def status(self, value: float, conf: float = 1.0) -> str:
        if not np.isfinite(value) or (self.conf_column and not conf >= MIN_CONF):
            return "low confidence"
        return "below" if value < self.low else "above" if value > self.high else "in"


def load_ranges(path: str | Path = RANGES_FILE, position: str | None = "hoods") -> list[FitRange]:
    """The published ranges for a riding position (:data:`POSITIONS`; None: all of them)."""
    if position is not None and position not in POSITIONS:
        raise ValueError(f"unknown riding position {position!r}; allowed: {', '.join(POSITIONS)}")
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    out = []
    for k, v in data.items():
        r = FitRange(key=k, **{**v, "positions": tuple(v.get("positions", POSITIONS))})
        if position is None or position in r.positions:
            out.append(r)
    return out


def unjudged(position: str, path: str | Path = RANGES_FILE) -> list[str]:
    """Labels of the measures that have a range for some position but none for this one."""
    mine = {r.column for r in load_ranges(path, position)}
    return sorted({r.label for r in load_ranges(path, None) if r.column not in mine})


def with_status(strokes: pd.DataFrame, ranges: list[FitRange]) -> pd.DataFrame:
    """Add ``<column>_status`` for every range whose column the table has (and drop the
    statuses of columns these ranges do not judge: another position's verdicts)."""
    out = strokes.drop(columns=[c for c in strokes.columns if c.endswith("_status")])
    for r in ranges:
        if r.column not in out:
            continue
        conf = out[r.conf_column] if r.conf_column in out else pd.Series(1.0, index=out.index)
        out[f"{r.column}_status"] = [r.status(v, c) for v, c in zip(out[r.column], conf)]
    return out


def fit_position(summary: dict) -> str:
    """The riding position an analysis' verdicts are for (hoods before positions existed)."""
    return (summary.get("fit") or {}).get("position", "hoods")


def position_sentence(position: str) -> str:
    """Which ranges apply, in words: the position, and the measures it has no range for."""
    missing = unjudged(position)
    return f"Ranges for {POSITIONS[position]}." + (
        f" No published range for this position: {', '.join(missing).lower()} (not judged)."
        if missing
        else ""
    )


def range_summary(strokes: pd.DataFrame, ranges: list[FitRange]) -> list[dict]:
    """One row per range whose measure the strokes have: its median, the range, how many
    strokes fall in it, the commonest verdict, source and convention (the Fitter tab and the
    reports show these)."""
    rows = []
    for r in ranges:
        if r.column not in strokes or not strokes[r.column].notna().any():
            continue
        counts = strokes.get(f"{r.column}_status", pd.Series(dtype=str)).value_counts()
        rows.append(
            {
                "measure": r.label,
                "median": round(float(strokes[r.column].median()), 1),
                "published range": f"{r.low:g}–{r.high:g}",
                "strokes in range": f"{int(counts.get('in', 0))} of {len(strokes)}",
                "verdict": counts.index[0] if len(counts) else "",
                "source": r.source,
                "convention": r.convention,
            }
        )
    return rows
