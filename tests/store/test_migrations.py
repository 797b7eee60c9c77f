"""A data folder made by the first schema upgrades without losing anything."""
import sqlite3

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from chatapp.store import Store
from chatapp.store.db import DB_NAME, MIGRATIONS_DIR, SCHEMA_HEAD, migrate, open_engine


def test_schema_head_constant_matches_the_scripts():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_first_schema_database_upgrades_with_its_data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    engine = open_engine(folder / DB_NAME)
    migrate(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conversations (id, title, created_at, updated_at) "
            "VALUES (1, 'from version one', '2024-01-01 10:00:00', '2024-01-01 10:05:00')"))
        connection.execute(text(
            "INSERT INTO messages (id, conversation_id, role, text, created_at, sentiment_label, "
            "sentiment_probabilities) VALUES (1, 1, 'user', 'tell me about volcanoes', "
            "'2024-01-01 10:00:00', 'neutral', '{\"neutral\": 0.9}')"))
        connection.execute(text(
            "INSERT INTO messages (id, conversation_id, role, text, created_at) "
            "VALUES (2, 1, 'bot', 'they are hot', '2024-01-01 10:00:01')"))
        connection.execute(text(
            "INSERT INTO attachments (message_id, file_name, stored_path, sha256, size, mime_type) "
            "VALUES (1, 'v.png', 'attachments/ab/abc.png', 'abc', 3, 'image/png')"))
        connection.execute(text(
            "INSERT INTO corrections (message_id, text, created_at) "
            "VALUES (2, 'they erupt lava', '2024-01-01 10:01:00')"))
    engine.dispose()

    store = Store(folder)  # applies 0002 and 0003
    try:
        messages = store.messages(1)
        assert [(m.role, m.text) for m in messages] == [("user", "tell me about volcanoes"),
                                                        ("bot", "they are hot")]
        assert messages[0].sentiment_probabilities == {"neutral": 0.9}
        assert messages[0].attachments[0].file_name == "v.png"
        assert messages[1].correction == "they erupt lava"
        assert messages[1].model_version_id is None
        assert store.search("volcano")[0].message_id == 1  # old messages are indexed
        version = store.ensure_shipped_version("chat", tmp_path / "chat.safetensors")
        reply = store.add_message(1, "bot", "new reply", model_version_id=version)
        assert store.message(reply.id).model_version_id == version
        assert store.integrity_check() == "ok"
    finally:
        store.close()
    with sqlite3.connect(folder / DB_NAME) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def test_models_match_the_migrations(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from chatapp.store.models import Base

    store = Store(tmp_path / "data")
    try:
        with store._engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        store.close()
    # The full-text table and its shadow tables are made by raw SQL, outside the models.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("messages_fts"))]
    assert diff == []
