"""Model versions and training runs; each message remembers the model version that wrote it.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The two tables point at each other; SQLite resolves foreign keys when rows are written,
    # so creating one before the other is fine.
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("curves", sa.JSON, nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("base_version_id", sa.Integer,
                  sa.ForeignKey("model_versions.id", ondelete="SET NULL")),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("training_run_id", sa.Integer,
                  sa.ForeignKey("training_runs.id", ondelete="SET NULL")),
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("model_version_id", sa.Integer))
        batch.create_foreign_key("fk_messages_model_version_id", "model_versions",
                                 ["model_version_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("fk_messages_model_version_id", type_="foreignkey")
        batch.drop_column("model_version_id")
    op.drop_table("model_versions")
    op.drop_table("training_runs")
