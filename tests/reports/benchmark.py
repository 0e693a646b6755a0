"""Quota report benchmark (not a test): the dashboard and the PDF at the programme's scale and at ten times it.

    .venv/bin/python -m tests.reports.benchmark                       # SQLite, in a temporary file
    .venv/bin/python -m tests.reports.benchmark postgresql+psycopg://postgres@127.0.0.1/lms_bench

The database named is emptied first. Prints the SQL query count, the dashboard's median time and the
PDF's median time for each scale.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from config import TestConfig
from lms import create_app
from lms.accounts.models import Role
from lms.catalogue.course_files import read_tree
from lms.catalogue.operations import import_courses
from lms.extensions import db
from lms.programme.operations import ensure_countries
from tests.conftest import COURSES_DIR, sign_in
from tests.factories import make_user
from tests.reports.scale import benchmark_programme, fill
from tests.reports.test_query_count import counted_queries


def _timed(client, path: str, runs: int) -> tuple[float, float, int]:
    """Median seconds of a GET (wall clock, and this process's CPU), and the SQL statements it ran.

    The CPU time tells the page's own cost when other work shares the machine.
    """
    wall, cpu = [], []
    for _run in range(runs):
        with counted_queries() as statements:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(wall), statistics.median(cpu), len(statements)


def main(database_url: str) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        COURSES_DIR = COURSES_DIR

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_countries()
        import_courses(read_tree(COURSES_DIR))
        programme = benchmark_programme()
        coordinator = make_user(Role.PROGRAMME_COORDINATOR, email="bench@example.org")
        db.session.commit()
        client = app.test_client()
        sign_in(client, coordinator)
        client.get("/reports/quota.pdf")  # fonts loaded once, as in a running server
        filled: dict[str, int] = {"trainees": 0, "enrolments": 0, "certificates": 0}
        for scale in (1, 10):
            while filled["trainees"] < 500 * scale:
                added = fill(programme, scale=1, seed=filled["trainees"])
                filled = {key: filled[key] + added[key] for key in filled}
                db.session.commit()
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("ANALYZE"))  # the planner statistics autovacuum keeps in production
                db.session.commit()
            dashboard, dashboard_cpu, dashboard_queries = _timed(client, "/reports/quota", 9)
            pdf, pdf_cpu, pdf_queries = _timed(client, "/reports/quota.pdf", 3)
            print(f"{db.engine.dialect.name} ×{scale}: {filled['trainees']} trainees, {filled['enrolments']} "
                  f"enrolments, {filled['certificates']} certificates | dashboard {dashboard * 1000:.0f} ms "
                  f"(CPU {dashboard_cpu * 1000:.0f} ms), {dashboard_queries} queries | PDF {pdf:.2f} s "
                  f"(CPU {pdf_cpu:.2f} s), {pdf_queries} queries | load {os.getloadavg()[0]:.1f}")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(f"sqlite:///{Path(folder) / 'benchmark.sqlite3'}")
