"""Opening the history database: SQLite in the data folder by default (nothing to install),
or any SQLAlchemy URL in ``POSECHECK_DB`` (a studio's PostgreSQL:
``postgresql+psycopg://user:password@host/dbname``).

Opening upgrades the schema to the newest migration (Alembic; one process at a time: a file
lock for SQLite, an advisory lock for PostgreSQL). SQLite runs in WAL mode with a 30 s busy
timeout, so the app, the CLI and batch workers can write at once. A file that is not a
SQLite database, or a database that is not posecheck's, is refused with a message and never
touched.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from posecheck.io import data_root

DB_ENV = "POSECHECK_DB"
MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 30_000
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_LOCK_KEY = 7_041_977  # advisory lock held while migrating
#: the newest migration in ``migrations/versions``: a database already there is opened
#: without importing Alembic (0.5 s of every analysis that records a ride); a test checks it
#: against Alembic's own reading of the migrations, so a new migration cannot be forgotten here
HEAD_REVISION = "0003"


class HistoryError(RuntimeError):
    """The history database cannot be used; the message says which and why."""


def default_url() -> str:
    """``POSECHECK_DB``, or SQLite at ``<data folder>/history.sqlite``."""
    return os.environ.get(DB_ENV) or f"sqlite:///{data_root() / 'history.sqlite'}"


def _where(url: str) -> str:
    """The database named for a message, without a password."""
    return sa.make_url(url).render_as_string(hide_password=True)


def open_db(url: str | None = None) -> Engine:
    """An engine on the history database at ``url`` (default :func:`default_url`), its schema
    upgraded to the newest migration. Raises :class:`HistoryError`."""
    url = url or default_url()
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise HistoryError(f"{url}: not a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    else:
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    try:
        _upgrade(engine)
    except HistoryError:
        engine.dispose()
        raise
    except sa.exc.DBAPIError as exc:  # unreachable server, refused login, no permission
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise HistoryError(f"{_where(url)}: cannot open the history database ({reason})") from None
    return engine


def _sqlite_engine(parsed: sa.URL) -> Engine:
    path = Path(parsed.database or "")
    if str(path) in ("", ":memory:"):
        raise HistoryError("the history database needs a file, not an in-memory SQLite")
    if path.exists() and path.stat().st_size > 0:
        _check_sqlite_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # every connection: WAL, waits instead of failing
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def _check_sqlite_file(path: Path) -> None:
    """Refuse, without writing a byte (read-only, before WAL mode is set), a file that is not
    a SQLite database or a database that is not posecheck's."""
    import sqlite3

    leave = "posecheck leaves it as it is: move it away or set POSECHECK_DB"
    with open(path, "rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise HistoryError(
                f"{path}: not a SQLite database (corrupt, or another kind of file); {leave}"
            )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"{path}: not a readable SQLite database ({exc}); {leave}") from None
    if tables and "alembic_version" not in tables:
        raise HistoryError(
            f"{path}: holds tables ({', '.join(sorted(tables)[:4])}) but is not a posecheck "
            f"history database; {leave}"
        )


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


def _current_revision(conn) -> str | None:
    """The migration the database is at (Alembic's own table), or None when it has none."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(engine: Engine) -> None:
    """Upgrade to the newest schema, one process at a time; refuse a foreign database."""
    sqlite = engine.dialect.name == "sqlite"
    lock = None
    if sqlite:
        from filelock import FileLock

        lock = FileLock(str(engine.url.database) + ".migrate.lock")
        lock.acquire()
    try:
        with engine.begin() as conn:
            if not sqlite and engine.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
            current = _current_revision(conn)
            if current == HEAD_REVISION:
                return
            from alembic import command

            tables = set(sa.inspect(conn).get_table_names())
            if current is None and tables:
                raise HistoryError(
                    f"{_where(str(engine.url))}: holds tables ({', '.join(sorted(tables)[:4])}"
                    "...) but is not a posecheck history database; posecheck leaves it as it "
                    "is: choose another with POSECHECK_DB"
                )
            command.upgrade(_alembic_config(conn), "head")
    except sa.exc.DatabaseError as exc:
        if "file is not a database" in str(exc):
            raise HistoryError(
                f"{engine.url.database}: not a SQLite database (corrupt); posecheck leaves it "
                "as it is"
            ) from None
        raise
    finally:
        if lock is not None:
            lock.release()
