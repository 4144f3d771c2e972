"""Ride-file figures beside posture: the file on the video's time axis, power, heart rate
and cadence at each finding's onset against the fresh baseline, and heart-rate drift."""

from __future__ import annotations

import numpy as np
import pandas as pd

from posecheck.ride.read import CHANNELS, Ride

ONSET_WINDOW_S = 30.0  # figures "at the onset": the mean over the 30 s centred on it
POWER_BIN_W = 20.0
MIN_MATCHED_S = 60.0  # seconds at matched power, in each third, for a drift figure
UNITS = {"power_w": "W", "heart_rate_bpm": "bpm", "cadence_rpm": "rpm"}
WORDS = {"power_w": "power", "heart_rate_bpm": "heart rate", "cadence_rpm": "cadence"}


def on_video_axis(ride: Ride, offset_s: float, step_s: float = 1.0) -> pd.DataFrame:
    """``ride.csv``: the whole file resampled to ``step_s``, with ``ride_s`` (the file's own
    elapsed seconds) and ``time_s`` (video seconds: negative before the video starts)."""
    rec = ride.records
    grid = np.arange(0.0, ride.duration_s + 1e-9, step_s)
    out = {"ride_s": grid, "time_s": grid - offset_s}
    for c in CHANNELS:
        ok = rec[c].notna().to_numpy()
        t, v = rec["elapsed_s"].to_numpy(float)[ok], rec[c].to_numpy(float)[ok]
        out[c] = (
            np.round(np.interp(grid, t, v, left=np.nan, right=np.nan), 1)
            if ok.sum() >= 2
            else np.full(len(grid), np.nan)
        )
    return pd.DataFrame(out)


def window_means(table: pd.DataFrame, start_s: float, end_s: float) -> dict[str, float | None]:
    sel = (table["time_s"] >= start_s) & (table["time_s"] <= end_s)
    return {
        c: (float(table.loc[sel, c].mean()) if table.loc[sel, c].notna().any() else None)
        for c in CHANNELS
    }


def finding_figures(table: pd.DataFrame, finding: dict, baseline: tuple[float, float]) -> dict:
    """Power, heart rate and cadence at a finding's onset and in the baseline window."""
    t = float(finding["onset_s"])
    at = window_means(table, t - ONSET_WINDOW_S / 2, t + ONSET_WINDOW_S / 2)
    base = window_means(table, *baseline)
    out = {}
    for c in CHANNELS:
        now, before = at[c], base[c]
        if now is None:
            continue
        entry = {"at_onset": round(now, 1)}
        if before is not None:
            entry["baseline"] = round(before, 1)
            entry["change"] = round(now - before, 1)
            if c == "power_w" and before > 0:
                entry["change_pct"] = round(100 * (now - before) / before, 1)
        out[c] = entry
    return out


def figures_sentence(fig: dict) -> str:
    """ "Power 212 W (-8% against the fresh minutes), heart rate 151 bpm (+10), cadence 86 rpm
    (-2)." """
    parts = []
    for c in CHANNELS:
        if c not in fig:
            continue
        e = fig[c]
        text = f"{WORDS[c]} {e['at_onset']:.0f} {UNITS[c]}"
        if "change_pct" in e:
            text += f" ({e['change_pct']:+.0f}% against the fresh minutes)"
        elif "change" in e:
            text += f" ({e['change']:+.0f})"
        parts.append(text)
    return ("At the onset: " + ", ".join(parts) + ".") if parts else ""


def heart_rate_drift(table: pd.DataFrame, duration_s: float) -> dict:
    """Heart rate at matched power, first third of the video against its last third: for
    each 20 W power band ridden at least a minute in both, the median heart rate's change,
    weighted by the time in the band. A fatigue marker independent of posture (cardiac
    drift), never a diagnosis."""
    if table["power_w"].notna().sum() == 0 or table["heart_rate_bpm"].notna().sum() == 0:
        return {"drift_bpm": None, "reason": "the ride file lacks power or heart rate"}
    third = duration_s / 3
    early = table[(table["time_s"] >= 0) & (table["time_s"] < third)]
    late = table[(table["time_s"] >= duration_s - third) & (table["time_s"] <= duration_s)]
    changes, weights = [], []
    for lo in np.arange(0, 2000, POWER_BIN_W):
        a = early[(early["power_w"] >= lo) & (early["power_w"] < lo + POWER_BIN_W)]
        b = late[(late["power_w"] >= lo) & (late["power_w"] < lo + POWER_BIN_W)]
        a, b = a["heart_rate_bpm"].dropna(), b["heart_rate_bpm"].dropna()
        if len(a) >= 10 and len(b) >= 10:
            changes.append(float(b.median() - a.median()))
            weights.append(min(len(a), len(b)))
    matched = float(sum(weights))
    if matched < MIN_MATCHED_S:
        return {
            "drift_bpm": None,
            "reason": f"only {matched:.0f} s at matched power in the first and last thirds "
            f"(needs {MIN_MATCHED_S:.0f} s)",
        }
    drift = float(np.average(changes, weights=weights))
    return {
        "drift_bpm": round(drift, 1),
        "matched_s": matched,
        "sentence": f"Heart rate at the same power was {abs(drift):.0f} bpm "
        f"{'higher' if drift >= 0 else 'lower'} in the last third of the video than in the "
        f"first (cardiac drift, {matched:.0f} s at matched power): a sign of fatigue or "
        "heat beside the posture signs, not a diagnosis.",
    }
