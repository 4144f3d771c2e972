"""Setups (what a fitter changed) and more figures per ride: top-of-stroke knee, closed hip,
back and elbow, the signs' baselines, tension and collapse peaks, the ride file.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "setups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rider_id", sa.Integer, sa.ForeignKey("riders.id"), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("bike", sa.String(200)),
        sa.Column("saddle_height_mm", sa.Float),
        sa.Column("saddle_setback_mm", sa.Float),
        sa.Column("bar_drop_mm", sa.Float),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("rider_id", "label", name="uq_setup_rider_label"),
    )
    with op.batch_alter_table("riders") as b:
        b.add_column(sa.Column("profile", sa.String(500)))
    with op.batch_alter_table("rides") as b:
        b.add_column(sa.Column("setup_id", sa.Integer))
        b.create_foreign_key("fk_rides_setup", "setups", ["setup_id"], ["id"])
        b.add_column(sa.Column("profile", sa.String(500)))
        for name in (
            "knee_tdc_deg",
            "hip_closed_deg",
            "back_deg",
            "elbow_deg",
            "tension_peak",
            "collapse_peak",
        ):
            b.add_column(sa.Column(name, sa.Float))
        b.add_column(sa.Column("baselines", sa.JSON))
        b.add_column(sa.Column("ride_file", sa.JSON))
