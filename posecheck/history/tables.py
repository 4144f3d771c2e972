"""The history database's tables as they are at the newest migration (SQLAlchemy Core).

The schema itself is made and changed only by the migrations in ``migrations/versions``;
these definitions are what the queries use. The columns are written out again in the
migrations on purpose: a migration is a frozen record of one version and must not import
the current tables (the next change to them would rewrite history)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

riders = sa.Table(
    "riders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("profile", sa.String(500)),  # the rider profile file, when one was used
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

setups = sa.Table(
    "setups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("rider_id", sa.Integer, sa.ForeignKey("riders.id"), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),  # "saddle +20 mm", what changed
    sa.Column("bike", sa.String(200)),
    sa.Column("saddle_height_mm", sa.Float),
    sa.Column("saddle_setback_mm", sa.Float),
    sa.Column("bar_drop_mm", sa.Float),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("rider_id", "label", name="uq_setup_rider_label"),
)

rides = sa.Table(
    "rides",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("rider_id", sa.Integer, sa.ForeignKey("riders.id"), nullable=False),
    sa.Column("setup_id", sa.Integer, sa.ForeignKey("setups.id")),
    sa.Column("clip_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("clip_name", sa.String(500), nullable=False),
    sa.Column("folder", sa.String(1000), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True)),
    sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("duration_s", sa.Float, nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("profile", sa.String(500)),
    sa.Column("knee_bdc_deg", sa.Float),
    sa.Column("knee_tdc_deg", sa.Float),
    sa.Column("hip_closed_deg", sa.Float),
    sa.Column("back_deg", sa.Float),
    sa.Column("elbow_deg", sa.Float),
    sa.Column("cadence_rpm", sa.Float),
    sa.Column("tension_peak", sa.Float),
    sa.Column("collapse_peak", sa.Float),
    sa.Column("baselines", sa.JSON),  # metric -> baseline median
    sa.Column("findings", sa.JSON),  # [{metric, onset_s, change, change_unit}]
    sa.Column("ride_file", sa.JSON),  # offset, confidence, heart-rate drift
)
