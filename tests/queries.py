"""Counting the SQL statements a piece of work runs: the one query counter of the suite."""
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def counted_queries():
    """Yields the list of SQL statements run inside the block, on any engine or connection."""
    statements: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", remember)


def selects(statements: list[str]) -> list[str]:
    return [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
