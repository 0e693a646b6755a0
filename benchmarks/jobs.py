"""How long each periodic job takes on PostgreSQL filled at ten times the programme's scale.

    python -m benchmarks.jobs          (make bench-jobs)

Fills a throwaway database with benchmarks.fill --scale 10, then runs the body of each periodic job
three times in a transaction that is rolled back (the first run does the work there is; the next
ones find it done, as the job's next tick would), and prints the times beside a bare `SELECT 1`.
Mail is sent to a loopback aiosmtpd server, so the delivery job does real SMTP.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def timed(function, runs: int = 3) -> list[float]:
    from lms.extensions import db

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        db.session.flush()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    name = f"lms_bench_jobs_{os.getpid()}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    data_dir = Path(tempfile.mkdtemp(prefix="lms-bench-jobs-"))
    env = {**os.environ, "DATABASE_URL": url, "LMS_DATA_DIR": str(data_dir)}
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        for step in (["-m", "flask", "--app", "wsgi", "db", "upgrade"], ["-m", "flask", "--app", "wsgi", "courses", "import"],
                     ["-m", "benchmarks.fill", "--scale", "10"]):
            subprocess.run([sys.executable, *step], cwd=ROOT, env=env, check=True, capture_output=True)
        os.environ.update(env)
        measure(url, data_dir)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(url: str, data_dir: Path) -> None:
    from aiosmtpd.controller import Controller

    from config import Config
    from lms import create_app
    from lms.core import clock
    from lms.enrolment import lifecycle
    from lms.extensions import db
    from lms.jobs.engine import RECONCILERS
    from lms.notifications import delivery, reminders
    from tests.notifications.smtp_servers import Recorder, free_port

    port = free_port()
    smtp = Controller(Recorder(), hostname="127.0.0.1", port=port)
    smtp.start()

    class BenchConfig(Config):
        SECRET_KEY = "benchmark-only-" + "x" * 40  # nosec B105 - a throwaway database's
        SQLALCHEMY_DATABASE_URI = url
        DATA_DIR, UPLOAD_DIR, PDF_DIR = data_dir, data_dir / "uploads", data_dir / "pdf"
        JOBS_BROKER_URL = "memory://"
        MAIL_SMTP_HOST, MAIL_SMTP_PORT, MAIL_SMTP_SECURITY = "127.0.0.1", port, "none"

    app = create_app(BenchConfig)
    today = clock.today()
    # The at-risk digest goes out on Mondays from 07:00 in the programme's zone: time it on this week's.
    monday_morning = datetime.combine(today - timedelta(days=today.weekday()), clock_time(8),
                                      tzinfo=clock.programme_zone())

    def report_schedule_run() -> None:
        """A schedule due now, to the programme coordinators and every country's coordinators: claimed and run,
        its reports rendered, stored and queued as mail (one fresh schedule a call, so each call does it all)."""
        from datetime import time as time_of_day

        from lms.accounts.models import Role, User
        from lms.programme.queries import all_countries, current_programme
        from lms.reports import operations, scheduled
        from lms.reports.models import Frequency, WhenUnchanged

        by = db.session.scalar(db.select(User).where(User.role == Role.PROGRAMME_COORDINATOR).limit(1))
        schedule = operations.create_schedule(current_programme(), by, operations.ScheduleSettings(
            name="Benchmark", frequency=Frequency.MONTHLY, day_of_month=1, weekday=None,
            time_of_day=time_of_day(8), formats=["pdf", "csv"], when_unchanged=WhenUnchanged.SEND,
            to_programme_coordinators=True, countries=all_countries()))
        schedule.next_run_at = clock.now()
        for run_id in operations.claim_due_runs():
            scheduled.run_schedule(run_id)
    jobs = {
        "bare SELECT 1": lambda: db.session.execute(text("SELECT 1")),
        "move_enrolments_on_the_calendar (every 15 min)": lambda: lifecycle.move_on_the_calendar(today),
        "deliver_due_mail (every minute)": delivery.deliver_due,
        "send_reminders_and_digests: work due (hourly)": lambda: reminders.remind_work_due(today),
        "send_reminders_and_digests: intakes starting (hourly)": lambda: reminders.remind_intakes_starting(today),
        "send_reminders_and_digests: grading digests (hourly)": lambda: reminders.send_grading_digests(today),
        "send_reminders_and_digests: trainees at risk (hourly; sends on Monday mornings)":
            lambda: reminders.send_at_risk_digests(monday_morning),
        "reconcile (every 10 min)": lambda: [reconciler() for reconciler in RECONCILERS],
        "send_due_report_schedules + the run (hourly; PDF and CSV to every coordinator)": report_schedule_run,
    }
    rows = []
    with app.app_context():
        from lms.notifications.models import OutboxMail

        pending = db.session.query(OutboxMail).filter(OutboxMail.sent_at.is_(None)).count()
        for label, function in jobs.items():
            times = timed(function)
            rows.append((label, times))
            db.session.rollback()
    smtp.stop()
    print(f"PostgreSQL at 10x scale; {pending} unsent mails in the fill; today {today} (programme's zone)")
    print("| job | first run (ms) | next runs (ms, median) |\n| --- | ---: | ---: |")
    for label, times in rows:
        print(f"| {label} | {times[0]:.1f} | {statistics.median(times[1:]):.1f} |")


if __name__ == "__main__":
    main()
