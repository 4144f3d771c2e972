"""The first schema: riders and their rides with the fit figures and findings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "riders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rider_id", sa.Integer, sa.ForeignKey("riders.id"), nullable=False),
        sa.Column("clip_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("clip_name", sa.String(500), nullable=False),
        sa.Column("folder", sa.String(1000), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True)),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("knee_bdc_deg", sa.Float),
        sa.Column("cadence_rpm", sa.Float),
        sa.Column("findings", sa.JSON),
    )
