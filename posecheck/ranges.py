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

    def status(self, value: float, conf: float = 1.0) -> str:
        if not np.isfinite(value) or (self.conf_column and not conf >= MIN_CONF):
            return "low confidence"
        return "below" if value < self.low else "above" if value > self.high else "in"


def load_ranges(path: str | Path = RANGES_FILE) -> list[FitRange]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return [FitRange(key=k, **v) for k, v in data.items()]


def with_status(strokes: pd.DataFrame, ranges: list[FitRange]) -> pd.DataFrame:
    """Add ``<column>_status`` for every range whose column the table has."""
    out = strokes.copy()
    for r in ranges:
        if r.column not in out:
            continue
        conf = out[r.conf_column] if r.conf_column in out else pd.Series(1.0, index=out.index)
        out[f"{r.column}_status"] = [r.status(v, c) for v, c in zip(out[r.column], conf)]
    return out
