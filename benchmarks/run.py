"""make bench: the load benchmark at ten times the programme's scale, on PostgreSQL behind gunicorn, driven by wrk.

It creates two throwaway PostgreSQL databases, migrates them, imports the courses and fills one at the
programme's own scale (1x) and one at ten times it (10x); counts the SQL queries one request of each
page runs at both scales; serves the 10x database with gunicorn as the README deploys it (see serve.py); signs the
benchmark's accounts in through the login form; drives each page with wrk from a second process;
prints the table and writes it into docs/benchmarks.md; and drops the databases.

Settings (environment): BENCH_WORKERS (gunicorn sync workers, default 2, which served the most on this
two-core machine; see docs/benchmarks.md), BENCH_CONNECTIONS (20), BENCH_THREADS (wrk threads, 1),
BENCH_SECONDS (per page, 15), BENCH_WARMUP_SECONDS (3), BENCH_VISITS (accounts per page, 40),
BENCH_ADMIN_URL (a PostgreSQL URL allowed to create databases,
postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from benchmarks.load import ROOT, CpuMeter, LoadResult, MemorySampler, Server, run_wrk, wrk_command
from benchmarks.pages import BARE, Page, choose_pages, count_queries
from config import ProductionConfig
from lms import create_app
from lms.extensions import db

DOCS = ROOT / "docs" / "benchmarks.md"
START_MARK, END_MARK = "<!-- bench:start -->", "<!-- bench:end -->"
SCALES = (1, 10)
# Goals
MAX_P95_MS = 100
MIN_SHARE_OF_BARE = 0.25


@dataclass
class Settings:
    workers: int
    connections: int
    threads: int
    seconds: int
    warmup_seconds: int
    visits: int
    admin_url: str

    @classmethod
    def from_environment(cls) -> "Settings":
        env = os.environ.get
        return cls(workers=int(env("BENCH_WORKERS", "2")), connections=int(env("BENCH_CONNECTIONS", "20")),
                   threads=int(env("BENCH_THREADS", "1")), seconds=int(env("BENCH_SECONDS", "15")),
                   warmup_seconds=int(env("BENCH_WARMUP_SECONDS", "3")), visits=int(env("BENCH_VISITS", "40")),
                   admin_url=env("BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))


def say(message: str) -> None:
    print(message, flush=True)


def prepare_database(url: str, scale: int, environment: dict[str, str]) -> str:
    """Migrate, import the courses and fill; returns the filler's summary line."""
    env = {**environment, "DATABASE_URL": url}
    steps = [[sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
             [sys.executable, "-m", "flask", "--app", "wsgi", "courses", "import"],
             [sys.executable, "-m", "benchmarks.fill", "--scale", str(scale)]]
    for step in steps:
        finished = subprocess.run(step, cwd=ROOT, env=env, capture_output=True, text=True)
        if finished.returncode:
            raise RuntimeError(f"{' '.join(step[1:])} failed:\n{finished.stdout}\n{finished.stderr}")
    return finished.stderr.strip().splitlines()[-1]


def bench_app(url: str, data_dir: Path):
    """The app as gunicorn serves it (production settings), in this process, to count queries."""
    class BenchConfig(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = os.environ["SECRET_KEY"]
        PUBLIC_BASE_URL = os.environ["PUBLIC_BASE_URL"]
        TRUSTED_HOSTS = ["127.0.0.1", "localhost"]  # the test client asks for localhost
        RATELIMIT_STORAGE_URI = os.environ["RATELIMIT_STORAGE_URI"]
        TWO_FACTOR_REQUIRED = False
        DATA_DIR = data_dir
        UPLOAD_DIR = data_dir / "uploads"
        PDF_DIR = data_dir / "pdf"

    return create_app(BenchConfig)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory_kib = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.MULTILINE).group(1))
    return (f"{model.group(1) if model else platform.processor()}, {os.cpu_count()} cores, "
            f"{memory_kib / 1024 / 1024:.1f} GiB memory, {platform.system()} {platform.release()}")


def query_range(counts: list[int]) -> str:
    if not counts:
        return "–"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}–{high}"


def missed_goals(page: Page, result: LoadResult, bare: LoadResult) -> list[str]:
    missed = []
    if result.errors:
        missed.append("errors")
    if result.p95_ms >= MAX_P95_MS:
        missed.append(f"p95 ≥ {MAX_P95_MS} ms")
    if result.per_second < MIN_SHARE_OF_BARE * bare.per_second:
        missed.append(f"< {MIN_SHARE_OF_BARE:g} of bare")
    if query_range(page.queries.get("1x", [])) != query_range(page.queries.get("10x", [])):
        missed.append("queries differ at 1× and 10×")
    return missed


def legend(connections: int) -> str:
    return (
        f"Requests/s and latencies with {connections} connections sending their next request as soon as the last "
        "is answered; errors are non-2xx answers plus socket errors; × bare is the page's throughput over the bare "
        "endpoint's. SQL/request counts the statements of one request in-process (min–max over five accounts) on the "
        "1× and on the 10× database. Ms alone is the median time of one request in-process at 10×, with nothing else "
        "of the benchmark running: the work a request costs before any queueing. CPU ms/request is the CPU time the "
        "gunicorn workers and their PostgreSQL backends spent per answered request during the loaded run; it moves "
        "much less than throughput when other work shares the machine, and two dedicated cores serve at most about "
        "2,000 / CPU ms requests a second. "
        f"Goals: no errors, p95 under {MAX_P95_MS} ms, at least {MIN_SHARE_OF_BARE:g} of the bare "
        "throughput, the same queries at 1× and 10×."
    )


def table(pages: list[Page], results: dict[str, LoadResult]) -> str:
    bare = results[BARE]
    lines = ["| page | requests/s | p50 ms | p95 ms | errors | × bare | SQL/request 1× | SQL/request 10× "
             "| ms alone | CPU ms/request | goals |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for page in pages:
        result = results[page.name]
        goals = "–" if page.name == BARE else ", ".join(missed_goals(page, result, bare)) or "met"
        lines.append(
            f"| {page.name} | {result.per_second:,.0f} | {result.p50_ms:.1f} | {result.p95_ms:.1f} | {result.errors} | "
            f"{result.per_second / bare.per_second:.2f} | {query_range(page.queries.get('1x', []))} | "
            f"{query_range(page.queries.get('10x', []))} | {statistics.median(page.work_ms):.1f} | "
            f"{result.cpu_ms_per_request:.1f} | {goals} |")
    return "\n".join(lines)


def write_docs(section: str) -> None:
    """Replace the generated section of docs/benchmarks.md, keeping what is written around it."""
    current = DOCS.read_text() if DOCS.exists() else "# Load benchmark\n\n"
    block = f"{START_MARK}\n{section}\n{END_MARK}"
    if START_MARK in current and END_MARK in current:
        before, rest = current.split(START_MARK, 1)
        updated = before + block + rest.split(END_MARK, 1)[1]
    else:
        updated = current.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(updated)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def count_all_queries(apps: dict, visits: int) -> tuple[list[Page], list[str]]:
    """The pages at 10x with their queries per request counted at both scales, and the pages skipped."""
    chosen, skipped = choose_pages(apps[10], visits)
    pages_1x = {page.name: page for page in choose_pages(apps[1], visits)[0]}
    pages = []
    for page in chosen:
        try:
            page.queries["10x"], page.work_ms = count_queries(apps[10], page)
            if page.name in pages_1x:
                page.queries["1x"], _timings = count_queries(apps[1], pages_1x[page.name])
        except RuntimeError as refused:  # a page still being built may not answer yet
            skipped.append(f"{page.name}: {refused}")
            continue
        pages.append(page)
    return pages, skipped


def sign_in_everyone(server: Server, pages: list[Page], workers: int) -> dict[str, str]:
    """Session cookies by e-mail; warns about visits that do not answer 200 before any load."""
    emails = sorted({visit.email for page in pages for visit in page.visits if visit.email})
    with ThreadPoolExecutor(max_workers=workers) as pool:
        cookies = dict(zip(emails, pool.map(server.sign_in, emails)))
    for page in pages:
        refused = [visit.path for visit in page.visits if server.get(visit.path, cookies.get(visit.email))[0] != 200]
        if refused:
            say(f"  warning: {len(refused)} of {len(page.visits)} visits of {page.name} do not answer 200, "
                f"e.g. {refused[0]}")
    return cookies


def load_pages(server: Server, database: str, pages: list[Page], cookies: dict[str, str], settings: Settings,
               work_dir: Path) -> tuple[dict[str, LoadResult], MemorySampler]:
    """Each page in turn: a warm-up, then the measured run, each followed by the queue draining."""
    results: dict[str, LoadResult] = {}
    sampler = MemorySampler(server)
    sampler.start()
    cpu = CpuMeter(server, database)
    for number, page in enumerate(pages):
        visits_file = work_dir / f"visits-{number}.tsv"
        visits_file.write_text("".join(f"{cookies.get(visit.email, '')}\t{visit.path}\n" for visit in page.visits))
        options = dict(connections=settings.connections, threads=settings.threads)
        run_wrk(wrk_command(server.base_url, visits_file, seconds=settings.warmup_seconds, **options))
        server.wait_until_idle()
        cpu.start()
        result = run_wrk(wrk_command(server.base_url, visits_file, seconds=settings.seconds, **options))
        result.cpu_seconds = cpu.stop()
        server.wait_until_idle()
        results[page.name] = result
        say(f"  {page.name}: {result.per_second:,.0f} requests/s")
    sampler.stop()
    return results, sampler


def describe_run(settings: Settings, server: Server, postgres_version: str, fills: dict[int, str],
                 busy_before: str, report: str) -> str:
    wrk = wrk_command("http://127.0.0.1:PORT", Path("visits.tsv"), seconds=settings.seconds,
                      connections=settings.connections, threads=settings.threads)
    wrk[wrk.index(next(part for part in wrk if part.startswith("--script=")))] = "--script=benchmarks/visits.lua"
    return "\n".join([
        f"## Latest run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {machine()}; PostgreSQL {postgres_version} on the same machine; Python "
        f"{platform.python_version()}. Load average before the run started (other work on the machine): "
        f"{busy_before}.",
        f"- Command: `make bench` (BENCH_WORKERS={settings.workers}, BENCH_CONNECTIONS={settings.connections}, "
        f"BENCH_SECONDS={settings.seconds}), which serves the 10× database with",
        f"  `LMS_ENV=production TWO_FACTOR_REQUIRED=0 SECRET_KEY=… DATABASE_URL=… gunicorn --workers {settings.workers} "
        f"--bind 127.0.0.1:PORT {server.command[-1]}`",
        f"  and drives each page with `{' '.join(wrk)}` after a {settings.warmup_seconds} s warm-up.",
        *[f"- Data at {scale}×, {fills[scale]}." for scale in SCALES],
        f"- Each page is requested in turn by up to {settings.visits} different accounts, each on their own objects "
        "(certificate verification: five times as many serials); the bare endpoint is `GET /healthz`.",
        "",
        report,
    ])


def main() -> None:
    settings = Settings.from_environment()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed; as root: apt-get install -y wrk")
    busy_before, started = load_average(), time.monotonic()
    secret = secrets.token_hex(32)
    os.environ["SECRET_KEY"] = secret  # the production config refuses to start without one
    # ... nor without an https public address and shared rate-limit counters; the bench is reached as 127.0.0.1.
    os.environ.setdefault("PUBLIC_BASE_URL", "https://training.example.org")
    os.environ.setdefault("TRUSTED_HOSTS", "127.0.0.1")
    os.environ.setdefault("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    work_dir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    environment = {**os.environ, "LMS_ENV": "production", "SECRET_KEY": secret, "TWO_FACTOR_REQUIRED": "0",
                   "LMS_DATA_DIR": str(work_dir / "data")}
    admin = create_engine(settings.admin_url, isolation_level="AUTOCOMMIT")
    names = {scale: f"lms_bench_{os.getpid()}_{scale}x" for scale in SCALES}
    urls = {scale: make_url(settings.admin_url).set(database=name).render_as_string(hide_password=False)
            for scale, name in names.items()}
    created: list[str] = []
    apps = {}
    server = None
    try:
        with admin.connect() as connection:
            postgres_version = connection.scalar(text("SHOW server_version"))
            for name in names.values():
                connection.execute(text(f'CREATE DATABASE "{name}"'))
                created.append(name)
        fills = {}
        for scale in SCALES:
            say(f"Preparing the {scale}x database {names[scale]} (migrate, import courses, fill)...")
            fills[scale] = prepare_database(urls[scale], scale, environment)
            say(f"  {fills[scale]}")

        say("Counting SQL queries per request in-process at 1x and 10x...")
        apps = {scale: bench_app(urls[scale], work_dir / "data") for scale in SCALES}
        pages, skipped = count_all_queries(apps, settings.visits)

        server = Server(str(Path(sys.executable).parent / "gunicorn"), {**environment, "DATABASE_URL": urls[10]},
                        settings.workers, work_dir / "gunicorn.log")
        server.start()
        say(f"gunicorn with {settings.workers} sync workers on {server.base_url}; signing accounts in...")
        cookies = sign_in_everyone(server, pages, settings.workers)
        results, sampler = load_pages(server, names[10], pages, cookies, settings, work_dir)

        memory = (f"Workers' peak memory: {sampler.peak_worker_kib / 1024:.0f} MiB resident in the largest of the "
                  f"{settings.workers} workers, {sampler.peak_total_kib / 1024:.0f} MiB for all of them together "
                  "(from /proc, sampled every 0.2 s during the runs).")
        notes = [f"Skipped: {note}. Run `make bench` again once the page is in place." for note in skipped]
        report = "\n\n".join([table(pages, results), legend(settings.connections), memory, *notes])
        say("\n" + report + "\n")
        write_docs(describe_run(settings, server, postgres_version, fills, busy_before, report))
        say(f"Written to {DOCS.relative_to(ROOT)}; the whole run took {time.monotonic() - started:.0f} s.")
    finally:
        if server is not None:
            server.stop()
        for app in apps.values():
            with app.app_context():
                db.engine.dispose()
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
