"""Throwaway databases of the kind the suite runs on, for tests that need a database of their own."""
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def throwaway_database(suite_url: str, suffix: str, folder: Path):
    """An empty database next to the suite's (an SQLite file in `folder`, or `<name>_<suffix>` on the
    same PostgreSQL server), dropped afterwards. Yields its URL."""
    if not suite_url.startswith("postgresql"):
        yield f"sqlite:///{folder / f'{suffix}.sqlite3'}"
        return
    parsed = make_url(suite_url)
    name = f"{parsed.database}_{suffix}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
