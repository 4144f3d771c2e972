"""Recording analyses in the history database, and what the history shows.

A ride is keyed by its clip's content hash: re-analysing a clip updates its row. The
analysis folder stays the source of truth (frames, curves, reports); a row holds the
figures a person compares across rides, and :func:`rebuild` makes every row again from the
folders."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from posecheck.history.tables import riders, rides, setups
from posecheck.io import strip_upload_hash
from posecheck.metrics.bias import landmarks_legacy, legacy_gain

UNNAMED = "Unnamed rider"
log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _median(strokes: pd.DataFrame, col: str) -> float | None:
    if col not in strokes or not strokes[col].notna().any():
        return None
    return round(float(np.nanmedian(strokes[col].to_numpy(float))), 2)


def _filmed(clip: Path) -> dt.datetime | None:
    """When the clip was filmed: its creation time (phones write it), else the file's
    modification time; None when the clip is gone."""
    from posecheck.video import video_creation_time

    if not clip.exists():
        return None
    return video_creation_time(clip) or dt.datetime.fromtimestamp(
        clip.stat().st_mtime, dt.timezone.utc
    )


def ride_figures(folder: Path) -> dict[str, Any]:
    """The figures of one analysis folder that a person compares across rides."""
    summary = json.loads((folder / "summary.json").read_text())
    findings = json.loads((folder / "findings.json").read_text())
    strokes = pd.read_csv(folder / "strokes.csv") if (folder / "strokes.csv").exists() else None
    if landmarks_legacy(summary) and (folder / "keypoints.npz").exists():
        # written before the landmark correction: its knee and hip measured again from its
        # own keypoints (``posecheck history --rebuild`` brings recorded rides to today's)
        from posecheck.measure import remeasure_folder  # scipy: only for such folders

        try:
            strokes = remeasure_folder(folder)[1]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning(
                "%s: written before the landmark correction and not measurable again (%s); "
                "its knee and hip are recorded as they were measured",
                folder,
                exc,
            )
    timeline = pd.read_csv(folder / "timeline.csv") if (folder / "timeline.csv").exists() else None
    seated = (
        strokes[~strokes["standing"].astype(bool)]
        if strokes is not None and "standing" in strokes
        else strokes
    )
    gain = legacy_gain(summary)  # written before the outline gains: today's units
    fig: dict[str, Any] = {
        "duration_s": float(summary["video"]["duration_s"]),
        "mode": summary.get("mode", "full"),
        "baselines": {
            m: v["median"] * gain.get(m, 1.0)
            for m, v in findings.get("baseline", {}).get("per_metric", {}).items()
        },
        "findings": [
            {
                **{k: f[k] for k in ("metric", "onset_s", "change_unit")},
                "change": f["change"] * gain.get(f["metric"], 1.0),
            }
            for f in findings.get("findings", [])
        ],
        "ride_file": {
            k: v
            for k, v in (summary.get("ride") or {}).items()
            if k in ("file", "offset_s", "confidence", "heart_rate_drift", "error")
        }
        or None,
    }
    for col, name in (
        ("knee_at_bdc_deg", "knee_bdc_deg"),
        ("knee_min_deg", "knee_tdc_deg"),
        ("hip_closed_deg", "hip_closed_deg"),
        ("back_mean_deg", "back_deg"),
        ("elbow_mean_deg", "elbow_deg"),
        ("cadence_rpm", "cadence_rpm"),
    ):
        fig[name] = _median(seated, col) if seated is not None else None
    for fam in ("tension", "collapse"):
        col = f"{fam}_score"
        fig[f"{fam}_peak"] = (
            round(float(timeline[col].max()), 3)
            if timeline is not None and col in timeline and len(timeline)
            else None
        )
    return fig


def _upsert(conn: Connection, table: sa.Table, values: dict, keys: list[str], update: dict):
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt: Any = dialect.insert(table).values(**values)
    stmt = (
        stmt.on_conflict_do_update(index_elements=keys, set_=update)
        if update
        else stmt.on_conflict_do_nothing(index_elements=keys)
    )
    conn.execute(stmt)


def rider_id(conn: Connection, name: str, profile: str | None = None) -> int:
    """The rider's id, made on first use."""
    _upsert(conn, riders, {"name": name, "created_at": _now(), "profile": profile}, ["name"], {})
    row = conn.execute(sa.select(riders.c.id, riders.c.profile).where(riders.c.name == name)).one()
    if profile and row.profile != profile:
        conn.execute(riders.update().where(riders.c.id == row.id).values(profile=profile))
    return int(row.id)


def setup_id(conn: Connection, rider: int, label: str, **fields) -> int:
    _upsert(
        conn,
        setups,
        {"rider_id": rider, "label": label, "created_at": _now(), **fields},
        ["rider_id", "label"],
        {k: v for k, v in fields.items() if v is not None},
    )
    return int(
        conn.execute(
            sa.select(setups.c.id).where(setups.c.rider_id == rider, setups.c.label == label)
        ).scalar_one()
    )


class NotARide(ValueError):
    """The analysis measured no pedal stroke (someone walking, the feet out of the picture):
    it is not a ride, and a history of rides does not take it."""


def is_ride(summary: dict) -> bool:
    """Whether an analysis's ``summary.json`` holds a ride: at least one pedal stroke was
    measured (summaries older than the pedalling statement count as rides)."""
    return int((summary.get("pedalling") or {}).get("strokes", 1)) > 0


def record_analysis(
    engine: Engine,
    folder: str | Path,
    rider: str | None = None,
    setup: str | None = None,
    profile: str | None = None,
    recorded_at: dt.datetime | None = None,
    setup_fields: dict | None = None,
) -> int:
    """Add or update the ride of the analysis in ``folder`` (keyed by its clip's content);
    returns its row id. ``rider`` defaults to the rider already recorded for the clip, else
    :data:`UNNAMED`. Raises :class:`NotARide` for an analysis without a pedal stroke (its
    empty figures would read as a ride with no tension at all)."""
    from posecheck.extract import video_fingerprint

    folder = Path(folder).resolve()
    summary = json.loads((folder / "summary.json").read_text())
    clip = Path(summary["video"]["path"])
    if not is_ride(summary):
        raise NotARide(
            f"{clip.name}: no pedal stroke was measured in this clip, so it is not a ride "
            "and is not recorded in the history"
        )
    # the clip's content hash (summary.json has it since 0.1; older folders: the clip, if it
    # is still there; else the folder stands for it)
    clip_hash = summary["video"].get("fingerprint") or (
        video_fingerprint(clip)
        if clip.exists()
        else "folder-" + hashlib.sha1(str(folder).encode()).hexdigest()[:40]
    )
    fig = ride_figures(folder)
    with engine.begin() as conn:
        known = conn.execute(
            sa.select(rides.c.rider_id, rides.c.setup_id, rides.c.recorded_at).where(
                rides.c.clip_hash == clip_hash
            )
        ).first()
        if rider:
            rid = rider_id(conn, rider, profile)
        elif known:
            rid = int(known.rider_id)
        else:
            rid = rider_id(conn, UNNAMED)
        sid = (
            setup_id(conn, rid, setup, **(setup_fields or {}))
            if setup
            else (known.setup_id if known and known.rider_id == rid else None)
        )
        values = {
            **fig,
            "rider_id": rid,
            "setup_id": sid,
            "clip_hash": clip_hash,
            "clip_name": strip_upload_hash(clip.name),  # the name the rider gave it
            "folder": str(folder),
            "recorded_at": recorded_at or (known.recorded_at if known else None) or _filmed(clip),
            "analysed_at": _now(),
            "profile": profile,
        }
        update = {k: v for k, v in values.items() if k != "clip_hash"}
        _upsert(conn, rides, values, ["clip_hash"], update)
        return int(
            conn.execute(sa.select(rides.c.id).where(rides.c.clip_hash == clip_hash)).scalar_one()
        )


def rides_table(engine: Engine, rider: str | None = None) -> pd.DataFrame:
    """Every ride (of ``rider``), oldest first, with its rider, setup and whether its
    analysis folder still exists."""
    q = (
        sa.select(
            rides,
            riders.c.name.label("rider"),
            setups.c.label.label("setup"),
            setups.c.bike,
            setups.c.saddle_height_mm,
            setups.c.saddle_setback_mm,
            setups.c.bar_drop_mm,
        )
        .join(riders, rides.c.rider_id == riders.c.id)
        .outerjoin(setups, rides.c.setup_id == setups.c.id)
        .order_by(sa.func.coalesce(rides.c.recorded_at, rides.c.analysed_at), rides.c.id)
    )
    if rider:
        q = q.where(riders.c.name == rider)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all())
    if len(df):
        df["folder_exists"] = [Path(f, "summary.json").exists() for f in df["folder"]]
    return df


def clients(engine: Engine) -> pd.DataFrame:
    """Every rider with the number of rides, the last ride and its setup."""
    df = rides_table(engine)
    with engine.connect() as conn:
        names = [r.name for r in conn.execute(sa.select(riders.c.name).order_by(riders.c.name))]
    rows = []
    for name in names:
        mine = df[df["rider"] == name] if len(df) else df
        last = mine.iloc[-1] if len(mine) else None
        rows.append(
            {
                "rider": name,
                "rides": len(mine),
                "last_ride": None if last is None else last["clip_name"],
                "last_date": None
                if last is None
                else (
                    last["recorded_at"] if pd.notna(last["recorded_at"]) else last["analysed_at"]
                ),
                "last_setup": None if last is None else last["setup"],
            }
        )
    return pd.DataFrame(rows)


def rename_rider(engine: Engine, old: str, new: str) -> None:
    with engine.begin() as conn:
        if conn.execute(sa.select(riders.c.id).where(riders.c.name == new)).first():
            raise ValueError(f"a rider named {new!r} exists already: merge instead")
        n = conn.execute(riders.update().where(riders.c.name == old).values(name=new)).rowcount
        if not n:
            raise ValueError(f"no rider named {old!r}")


def merge_riders(engine: Engine, source: str, into: str) -> None:
    """Move every ride and setup of ``source`` to ``into`` and remove ``source``."""
    with engine.begin() as conn:
        src = conn.execute(sa.select(riders.c.id).where(riders.c.name == source)).scalar()
        if src is None:
            raise ValueError(f"no rider named {source!r}")
        dst = rider_id(conn, into)
        for s in conn.execute(sa.select(setups).where(setups.c.rider_id == src)).mappings().all():
            same = conn.execute(
                sa.select(setups.c.id).where(setups.c.rider_id == dst, setups.c.label == s["label"])
            ).scalar()
            if same is None:
                conn.execute(setups.update().where(setups.c.id == s["id"]).values(rider_id=dst))
            else:
                conn.execute(
                    rides.update().where(rides.c.setup_id == s["id"]).values(setup_id=same)
                )
                conn.execute(setups.delete().where(setups.c.id == s["id"]))
        conn.execute(rides.update().where(rides.c.rider_id == src).values(rider_id=dst))
        conn.execute(riders.delete().where(riders.c.id == src))


def delete_ride(engine: Engine, ride_id: int, with_folder: bool = False) -> None:
    with engine.begin() as conn:
        folder = conn.execute(sa.select(rides.c.folder).where(rides.c.id == ride_id)).scalar()
        if folder is None:
            raise ValueError(f"no ride with id {ride_id}")
        conn.execute(rides.delete().where(rides.c.id == ride_id))
    if with_folder and Path(folder).is_dir() and (Path(folder) / "summary.json").exists():
        shutil.rmtree(folder)


def rebuild(engine: Engine, roots: Iterable[str | Path]) -> int:
    """Record every analysis folder under ``roots`` again (riders and setups kept for clips
    already known); a folder that holds no ride (:class:`NotARide`) loses the row an earlier
    version gave it. Returns the number of rides recorded."""
    n = 0
    for root in roots:
        for summary in sorted(Path(root).rglob("summary.json")):
            folder = summary.parent
            if not (folder / "findings.json").exists():
                continue
            try:
                record_analysis(engine, folder)
            except NotARide:  # recorded before rides were told apart: its row goes
                with engine.begin() as conn:
                    conn.execute(rides.delete().where(rides.c.folder == str(folder.resolve())))
                continue
            n += 1
    return n
