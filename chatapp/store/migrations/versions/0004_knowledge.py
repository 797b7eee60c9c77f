"""The knowledge store: (question, answer) pairs the user taught, added or imported.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_pairs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("question", sa.Text, nullable=False),
        # The question folded to lower case with single spaces: one pair per question, whatever
        # its case and spacing (engine.knowledge_files.question_key).
        sa.Column("question_key", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_knowledge_pairs_question_key", "knowledge_pairs", ["question_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_knowledge_pairs_question_key", "knowledge_pairs")
    op.drop_table("knowledge_pairs")
