"""Rider history: every analysis recorded in a database (SQLite by default, PostgreSQL for a
studio), riders, setups and rides over weeks. See :mod:`posecheck.history.db` and
:mod:`posecheck.history.record`."""

from __future__ import annotations

from posecheck.history.db import HistoryError, default_url, open_db
from posecheck.history.record import (
    UNNAMED,
    NotARide,
    clients,
    delete_ride,
    is_ride,
    merge_riders,
    record_analysis,
    rename_rider,
    rides_table,
)

__all__ = [
    "UNNAMED",
    "HistoryError",
    "NotARide",
    "clients",
    "default_url",
    "delete_ride",
    "is_ride",
    "merge_riders",
    "open_db",
    "record_analysis",
    "rename_rider",
    "rides_table",
]
