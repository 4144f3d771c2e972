"""The outline's back signs in the body's degrees: rides recorded before the outline gains
(``posecheck.metrics.bias.OUTLINE_GAIN``) hold upper-back rounding and pelvic tilt in the
outline's own degrees, about half the body's. Their baselines and findings' changes are
multiplied by the gains of that change (frozen here), so old and new rides of one rider sit
on one scale. Rides recorded afterwards come from analyses that already carry the gains.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

GAIN = {"thoracic_rounding_deg": 2.09, "pelvic_tilt_deg": 2.42}

rides = sa.table(
    "rides",
    sa.column("id", sa.Integer),
    sa.column("baselines", sa.JSON),
    sa.column("findings", sa.JSON),
)


def _scaled(baselines, findings, k: float):
    b = {m: (v * GAIN[m] ** k if m in GAIN and v is not None else v) for m, v in baselines.items()}
    f = [
        {**x, "change": x["change"] * GAIN[x["metric"]] ** k}
        if x.get("metric") in GAIN and x.get("change") is not None
        else x
        for x in findings
    ]
    return b, f


def _apply(k: float) -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.select(rides.c.id, rides.c.baselines, rides.c.findings)).all():
        b, f = _scaled(row.baselines or {}, row.findings or [], k)
        if b != (row.baselines or {}) or f != (row.findings or []):
            conn.execute(
                rides.update()
                .where(rides.c.id == row.id)
                .values(baselines=b if row.baselines is not None else None, findings=f)
            )


def upgrade() -> None:
    _apply(1.0)


def downgrade() -> None:
    _apply(-1.0)
