"""make bench-profile: where each main page's CPU goes, in-process, on PostgreSQL at ten times the programme's scale.

It fills a throwaway database as `make bench` does (benchmarks/fill.py), signs five accounts in per page
through the login form, and then requests each page in turn in rounds through Flask's test client, as the
production config serves it. It prints the worker's CPU time per request (the best of the rounds, so work
elsewhere on the machine weighs least) and its ratio to the bare endpoint's in the same run; with
PROFILE_TOP set, a cProfile of each page by CPU time, cumulative, restricted to the platform's own code and
templates (where a page's time goes). PostgreSQL's own CPU is not counted here; `make bench` counts it.

Settings (environment): PROFILE_SCALE (10), PROFILE_REQUESTS (requests per page per round, 40),
PROFILE_ROUNDS (7), PROFILE_PAGES (comma-separated words a page's name must contain; all by default),
PROFILE_TOP (lines of profile per page; none by default), BENCH_ADMIN_URL as for `make bench`.
"""
import cProfile
import io
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from benchmarks.pages import choose_pages, sign_in_test_client
from lms.extensions import db


def main() -> None:
    env = os.environ.get
    scale, requests, rounds = int(env("PROFILE_SCALE", "10")), int(env("PROFILE_REQUESTS", "40")), int(env("PROFILE_ROUNDS", "7"))
    wanted = [word for word in env("PROFILE_PAGES", "").split(",") if word]
    top = int(env("PROFILE_TOP", "0"))
    admin_url = env("BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    os.environ.setdefault("PUBLIC_BASE_URL", "https://training.example.org")
    os.environ.setdefault("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    from benchmarks.run import bench_app, prepare_database  # reads the settings above

    work_dir = Path(tempfile.mkdtemp(prefix="lms-profile-"))
    environment = {**os.environ, "LMS_ENV": "production", "TWO_FACTOR_REQUIRED": "0", "LMS_DATA_DIR": str(work_dir / "data")}
    name = f"lms_profile_{os.getpid()}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    app = None
    try:
        print(f"Filling {name} at {scale}x...", flush=True)
        print("  " + prepare_database(url, scale, environment), flush=True)
        app = bench_app(url, work_dir / "data")
        pages, _skipped = choose_pages(app, 10)
        prepared = []
        for page in pages:
            if wanted and page.name != pages[0].name and not any(word in page.name for word in wanted):
                continue
            clients = []
            for visit in page.visits[:5]:
                client = sign_in_test_client(app, visit.email) if visit.email else app.test_client()
                for _warm in range(2):
                    if client.get(visit.path).status_code != 200:
                        sys.exit(f"{visit.path} did not answer 200")
                clients.append((client, visit.path))
            prepared.append((page, clients))
        best: dict[str, float] = {}
        for _round in range(rounds):
            for page, clients in prepared:
                started = time.process_time()
                for number in range(requests):
                    client, path = clients[number % len(clients)]
                    client.get(path)
                best[page.name] = min(best.get(page.name, float("inf")), (time.process_time() - started) * 1000 / requests)
        bare = best[pages[0].name]
        print(f"\nWorker CPU per request, best of {rounds} rounds of {requests} requests:")
        for page, clients in prepared:
            print(f"  {page.name}: {best[page.name]:.2f} ms, {best[page.name] / bare:.1f}x the bare endpoint")
        for page, clients in prepared[1:] if top else ():
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for number in range(requests * 5):
                client, path = clients[number % len(clients)]
                client.get(path)
            profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
            stats.print_stats(r"(/lms/|/templates/|flask/templating|orm/session\.py.*execute_internal)", top)
            print(f"\n== {page.name} (cProfile by CPU, {requests * 5} requests)\n" + out.getvalue().split("\n\n", 1)[-1])
    finally:
        if app is not None:
            with app.app_context():
                db.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
