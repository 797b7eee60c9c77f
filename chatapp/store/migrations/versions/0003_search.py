"""Full-text search over messages (SQLite FTS5), kept in step by triggers.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An external-content table: the text lives once, in messages; the index holds only terms.
    op.execute("CREATE VIRTUAL TABLE messages_fts USING fts5("
               "text, content='messages', content_rowid='id', "
               "tokenize='unicode61 remove_diacritics 2')")
    op.execute("CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
               "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END")
    op.execute("CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
               "INSERT INTO messages_fts(messages_fts, rowid, text) "
               "VALUES ('delete', old.id, old.text); END")
    op.execute("CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN "
               "INSERT INTO messages_fts(messages_fts, rowid, text) "
               "VALUES ('delete', old.id, old.text); "
               "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END")
    # Index the messages an older data folder already holds.
    op.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")


def downgrade() -> None:
    for trigger in ("messages_fts_insert", "messages_fts_delete", "messages_fts_update"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE messages_fts")
