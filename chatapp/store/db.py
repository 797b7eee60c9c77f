"""Opening the SQLite database: checks, pragmas and migrations, with one clear error each.

A data folder that cannot be written, a file that is not a database, or a database from a newer
version of the app raises :class:`StoreError` with a one-line reason; nothing here ever deletes,
recreates or overwrites an existing database file.
"""
from __future__ import annotations

import errno
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DB_NAME = "chatapp.sqlite3"
# The newest migration; a database already there opens without importing Alembic (which costs
# a third of a second at start). tests/store checks that this matches the scripts.
SCHEMA_HEAD = "0004"


class StoreError(RuntimeError):
    """The data folder or its database cannot be used; the message says why, in one line."""


class StoreWriteError(StoreError):
    """A write was refused (a full disk, a read-only folder, a locked database) and rolled back:
    nothing of it was saved, and everything saved before is as it was."""


# What a failed write raises: the store's own error, or SQLAlchemy's and the file system's where a
# caller reaches past the store (the controller catches all three and keeps the user's input).
WRITE_ERRORS = (StoreError, DBAPIError, OSError)


def write_failure(error: BaseException, folder: Path | None = None) -> str:
    """Why a write failed, in words a user can act on (one line, no traceback)."""
    if isinstance(error, StoreWriteError):
        return str(error)
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    reason_text = reason[0] if reason else type(error).__name__
    low = reason_text.lower()
    where = f" ({folder})" if folder is not None else ""
    if "full" in low or getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding the data folder{where} is full; free some space and try again"
    if "readonly" in low or "read-only" in low or getattr(error, "errno", None) in (errno.EACCES, errno.EROFS):
        return f"the data folder{where} cannot be written"
    if "locked" in low or "busy" in low:
        return "the database is busy (is another chatapp open on the same data folder?)"
    return reason_text


@contextmanager
def write_session(make_session: Callable[[], Session], folder: Path) -> Iterator[Session]:
    """A session in one transaction, committed at the end; a write the database refuses is rolled
    back and raised as :class:`StoreWriteError` with :func:`write_failure`'s reason."""
    try:
        with make_session() as session, session.begin():
            yield session
    except OperationalError as error:
        raise StoreWriteError(write_failure(error, folder)) from error


class DatabaseDamaged(StoreError):
    """The database file exists but SQLite cannot read it; ``details`` holds SQLite's words."""

    def __init__(self, message: str, path: Path, details: str):
        super().__init__(message)
        self.path = path
        self.details = details


def check_writable(folder: Path) -> None:
    """Make ``folder`` (and its parents) and prove that a file can be written there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as error:
        raise StoreError(f"The data folder {folder} cannot be written: "
                         f"{error.strerror or error}.") from error


def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    # With WAL, NORMAL keeps the database consistent after a crash; only the last commits
    # before a power loss (not a killed process) can be lost.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def check_database(path: Path) -> None:
    """Refuse a file that exists but is not a healthy SQLite database, without touching it."""
    if not path.exists():
        return
    try:
        # Read-only: a broken file must stay exactly as it was.
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as connection:
            result = connection.execute("PRAGMA quick_check").fetchone()
        connection.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseDamaged(f"The database {path} is damaged and cannot be read; it was left as it is. "
                              "Move it away to start afresh, or start with another --data-dir.",
                              path, str(error)) from error
    if not result or result[0] != "ok":
        raise DatabaseDamaged(f"The database {path} is damaged and cannot be read; it was left as it is. "
                              "Move it away to start afresh.", path, result[0] if result else "no answer")


def open_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default) with the packaged migrations."""
    if revision == "head" and current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        current = current_revision(engine)
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        if current is not None and current not in known:
            raise StoreError(f"The database was written by a newer version of chatapp "
                             f"(schema {current}); update the app to open it.")
        # Batch migrations copy tables; with foreign keys on, dropping the old copy would
        # cascade into the rows that point at it.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StoreError(f"The migrated database has broken references: {problems[:3]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not _has_table(connection, "alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _has_table(connection, name: str) -> bool:
    return connection.execute(text(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=:name"), {"name": name}).first() is not None


def open_database(folder: Path) -> Engine:
    """Check the folder and the database, apply the migrations, and return the SQLAlchemy engine."""
    check_writable(folder)
    path = folder / DB_NAME
    check_database(path)
    engine = open_engine(path)
    try:
        migrate(engine)
    except StoreError:
        engine.dispose()
        raise
    except (DatabaseError, OperationalError) as error:
        engine.dispose()
        raise StoreError(f"The database {path} could not be prepared: {error.orig}; "
                         "it was left as it is.") from error
    return engine


def integrity_check(engine: Engine) -> str:
    """SQLite's full integrity check: "ok" for a healthy database."""
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA integrity_check").scalar()


def fts5_available() -> bool:
    with sqlite3.connect(":memory:") as connection:
        try:
            connection.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        except sqlite3.OperationalError:
            return False
    return True


__all__ = ["StoreError", "StoreWriteError", "DatabaseDamaged", "WRITE_ERRORS", "write_failure", "write_session",
           "open_database", "migrate", "integrity_check", "check_writable", "DB_NAME",
           "SCHEMA_HEAD", "current_revision"]
