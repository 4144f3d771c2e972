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
