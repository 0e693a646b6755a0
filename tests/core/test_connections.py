"""PostgreSQL only: a pooled connection the server dropped while it sat idle costs no request an error.

SQLite has no server to drop a connection; the PostgreSQL pass of .ci/run (TEST_DATABASE_URL) runs these.
"""
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from lms.core.db import ping_idle_connections

from config import _database_url

URL = _database_url("", "TEST_DATABASE_URL")
pytestmark = [pytest.mark.postgresql,
              pytest.mark.skipif(not URL.startswith("postgresql"),
                                 reason="PostgreSQL only: run with TEST_DATABASE_URL, as .ci/run does")]


def pooled_engine(**ping):
    engine = create_engine(URL, pool_size=1, max_overflow=0)
    if ping:
        ping_idle_connections(engine, **ping)
    return engine


def drop_the_pooled_connection(engine) -> None:
    """Terminates, from another connection, the server process behind the pool's one idle connection."""
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    with create_engine(URL, poolclass=NullPool).connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(50):
            if not admin.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar():
                return
            time.sleep(0.05)


def test_an_idle_connection_the_server_dropped_is_replaced_before_use():
    engine = pooled_engine(idle_seconds=0)
    drop_the_pooled_connection(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_a_connection_in_steady_use_is_not_checked_and_one_error_renews_the_pool():
    engine = pooled_engine(idle_seconds=60)  # the connection was used a moment ago: no check
    drop_the_pooled_connection(engine)
    with pytest.raises(OperationalError), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    with engine.connect() as connection:  # the error invalidated the pool; the next request is served
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
