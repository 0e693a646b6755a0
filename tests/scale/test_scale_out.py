"""Scale-out on PostgreSQL and Redis: two gunicorn app servers and two Huey workers on loopback.

Shows that a change made through one server is seen through the other, that rate limits are shared,
that each mail and each certificate is produced once however many workers run, and that a worker
killed in the middle of sending loses nothing: its claim lapses and another worker sends the mail.
The processes run for real, so this test waits for them (polling), unlike the unit tests.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from email import message_from_bytes
from email.policy import default
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import TestConfig
from lms import create_app
from lms.extensions import db
from tests.databases import throwaway_database
from tests.notifications.smtp_servers import Recorder, Server, free_port

pytestmark = [pytest.mark.postgresql, pytest.mark.redis, pytest.mark.real_transactions]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def wait_for(predicate, timeout: float = 60, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except OSError:  # a server still starting
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


class Browser:
    """A person's browser against one app server: cookies, CSRF tokens, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPCookieProcessor(CookieJar()), self._NoRedirect)

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict, form_path: str | None = None) -> tuple[int, str]:
        _status, page = self.get(form_path or path)
        match = CSRF.search(page)
        body = urllib.parse.urlencode({**data, "csrf_token": match.group(1) or match.group(2)}).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path}))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture
def scale_database(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: run with TEST_DATABASE_URL, as .ci/run does")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis does not answer at {REDIS_URL} (.ci/run starts it)")
    client.flushdb()  # this test's own database number
    with throwaway_database(database_url, "scale", tmp_path) as url:
        yield url
    client.flushdb()


@pytest.fixture
def cluster(app, scale_database, tmp_path):
    """The data prepared, the SMTP server, two app servers and two workers; stopped afterwards."""
    from flask_migrate import upgrade

    from lms.catalogue.course_files import read_tree
    from lms.catalogue.operations import import_courses
    from lms.credentials.keys import init_keys
    from lms.jobs.engine import configure_jobs
    from lms.programme.operations import ensure_countries

    data_dir = tmp_path / "data"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = scale_database
        JOBS_BROKER_URL = REDIS_URL
        DATA_DIR, UPLOAD_DIR, PDF_DIR = data_dir, data_dir / "uploads", data_dir / "pdf"
        KEYS_DIR = data_dir / "keys"  # where the servers, given LMS_DATA_DIR, look for them

    local = create_app(Config)  # the test's own view of the shared database and queue
    smtp = Server(Recorder(), "none").__enter__()
    environment = {**os.environ, "LMS_ENV": "development", "DATABASE_URL": scale_database,
                   "LMS_DATA_DIR": str(data_dir), "SECRET_KEY": "scale-out-" + "x" * 40,
                   "JOBS_BROKER_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL,
                   "MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": str(smtp.port), "MAIL_SMTP_SECURITY": "none",
                   "MAIL_CLAIM_LEASE_SECONDS": "2", "PUBLIC_BASE_URL": "http://127.0.0.1"}
    environment.pop("TEST_DATABASE_URL", None)
    processes: dict[str, subprocess.Popen] = {}
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, command: list[str]) -> subprocess.Popen:
        log = open(logs / f"{name}.log", "wb")
        processes[name] = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        return processes[name]

    def start_worker(name: str) -> subprocess.Popen:
        return start(name, [str(BIN / "huey_consumer"), "lms.worker.huey", "--workers", "2", "--worker-type",
                            "thread", "--delay", "0.1", "--max-delay", "0.5"])

    try:
        with local.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            ensure_countries()
            import_courses(read_tree(ROOT / "courses"))
            init_keys()  # as `flask keys init` does before a deployment issues certificates
            db.session.commit()
        ports = [free_port(), free_port()]
        for number, port in enumerate(ports, 1):
            start(f"app{number}", [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"])
        start_worker("worker1")
        start_worker("worker2")
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            wait_for(lambda: Browser(base).get("/healthz")[0] == 200, timeout=300, what=f"{base} to answer")
        yield {"local": local, "smtp": smtp, "bases": bases, "start_worker": start_worker,
               "processes": processes, "logs": logs}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.__exit__()
        with local.app_context():
            db.session.remove()
            db.engine.dispose()
        configure_jobs(app)  # the suite's own queue again


def mailed_path(smtp, address: str, prefix: str) -> str | None:
    """The path of the first link starting with `prefix` in a mail the SMTP server received for `address`."""
    for recipients, content in smtp.recorder.received:
        if address in recipients:
            body = message_from_bytes(content, policy=default).get_body(("plain",)).get_content()
            match = re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S+)", body)
            if match:
                return match.group(1)
    return None


def received_subjects(smtp) -> Counter:
    return Counter((tuple(recipients), message_from_bytes(content, policy=default)["Subject"])
                   for recipients, content in smtp.recorder.received)


def test_two_app_servers_and_two_workers_share_everything_and_lose_nothing(cluster):
    from lms.accounts.models import Role
    from lms.certificates.models import Certificate
    from lms.certificates.operations import issue_on_completion
    from lms.jobs.models import WorkerHeartbeat
    from lms.notifications.models import MailStatus, OutboxMail
    from tests.certificates.helpers import enrol
    from tests.factories import make_intake, make_user

    local, smtp, (first, second) = cluster["local"], cluster["smtp"], cluster["bases"]
    with local.app_context():
        wait_for(lambda: db.session.scalar(select(func.count()).select_from(WorkerHeartbeat)) >= 2, timeout=300,
                 what="both workers' heartbeats")
        db.session.remove()

    # A change made through one server is seen through the other: an account registered on the first,
    # confirmed from the mailed link on the second, signs in on the second.
    with local.app_context():
        from tests.factories import country

        thailand = str(country("TH").id)
        db.session.remove()
    status, _page = Browser(first).post("/register", {
        "email": "somchai@example.org", "full_name": "Somchai Wongsawat", "native_name": "", "country": thailand,
        "organisation": "NBTC", "position": "Engineer", "category": "technician", "gender": "",
        "password": PASSWORD, "confirm_password": PASSWORD})
    assert status == 302
    on_second = Browser(second)
    confirm_path = wait_for(lambda: mailed_path(smtp, "somchai@example.org", "/confirm/"),
                            what="the confirmation mail")
    assert on_second.post(confirm_path, {})[0] == 302
    assert on_second.post("/login", {"email": "somchai@example.org", "password": PASSWORD})[0] == 302
    assert "Somchai" in on_second.get("/profile")[1]

    # Rate limits are shared: five failed sign-ins for one account, split between the servers, lock it on both.
    with local.app_context():
        make_user(Role.TRAINEE, email="target@example.org", password=PASSWORD)
        db.session.commit()
        db.session.remove()
    for base in (first, second, first, second, first):
        assert Browser(base).post("/login", {"email": "target@example.org", "password": "wrong"})[0] != 429
    assert Browser(second).post("/login", {"email": "target@example.org", "password": "wrong"})[0] == 429

    # Each mail once: reset requests through both servers, delivered by both workers.
    with local.app_context():
        people = [make_user(Role.TRAINEE, email=f"reader{number}@example.org") for number in range(4)]
        db.session.commit()
        emails = [person.email for person in people]
        db.session.remove()
    for number, email in enumerate(emails):  # four: the form allows five an hour from one address
        status, page = Browser((first, second)[number % 2]).post("/forgot-password", {"email": email})
        assert status == 302, page
    def outbox_rows():
        with local.app_context():
            try:
                return [(mail.to_address, mail.status.value, mail.error) for mail in db.session.scalars(
                    select(OutboxMail).order_by(OutboxMail.id))]
            finally:
                db.session.remove()

    wait_for(lambda: sum(1 for (to, _subject) in received_subjects(smtp) if to[0] in emails) >= len(emails),
             what=lambda: f"the reset mails: {outbox_rows()} received {received_subjects(smtp)}")

    # Each certificate once, even when its job is queued twice (two schedulers, a reconciler).
    from lms.certificates.jobs import produce_certificate
    from lms.jobs.engine import queue

    with local.app_context():
        intake = make_intake()
        certificates = [issue_on_completion(enrol(intake, full_name=f"Trainee {number}", native_name=None))
                        for number in range(6)]
        for certificate in certificates:
            queue(produce_certificate, certificate.id)  # a second copy of the job the issue queued
        db.session.commit()
        trainees = [certificate.user.email for certificate in certificates]
        ids = [certificate.id for certificate in certificates]
        db.session.remove()

    def all_produced():
        with local.app_context():
            try:
                return db.session.scalar(select(func.count()).select_from(Certificate).where(
                    Certificate.id.in_(ids), Certificate.pdf_sha256.is_not(None),
                    Certificate.mailed_at.is_not(None))) == len(ids)
            finally:
                db.session.remove()

    wait_for(all_produced, what="the certificates")
    wait_for(lambda: sum(1 for (to, subject) in received_subjects(smtp) if to[0] in trainees) >= len(trainees),
             what="the certificate mails")

    # A worker killed in the middle of sending loses nothing: the mail it held is sent by another, once.
    cluster["processes"]["worker2"].send_signal(signal.SIGINT)  # one worker left, so we know who takes it
    cluster["processes"]["worker2"].wait(timeout=30)
    smtp.recorder.hold, smtp.recorder.hold_at = threading.Event(), "RCPT"
    with local.app_context():
        from lms.notifications.operations import send_mail

        send_mail("killed@example.org", "Sent despite a dead worker", "Body")
        db.session.commit()

        def claimed():
            db.session.expire_all()
            return db.session.scalar(select(OutboxMail.status).where(OutboxMail.to_address == "killed@example.org")) \
                is MailStatus.SENDING

        wait_for(claimed, what="the worker to claim the mail")
        db.session.remove()
    cluster["processes"]["worker1"].kill()  # SIGKILL, mid-conversation with the mail server
    cluster["processes"]["worker1"].wait(timeout=10)
    smtp.recorder.hold.set()
    smtp.recorder.hold = None
    cluster["start_worker"]("worker3")  # the service manager starts a worker again

    def sent_once():
        with local.app_context():
            db.session.remove()
            mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "killed@example.org"))
            return mail.status is MailStatus.SENT

    wait_for(sent_once, timeout=120, what="the lost mail to be sent by another worker")  # the minute's sweep

    counts = received_subjects(smtp)
    assert all(count == 1 for count in counts.values()), counts  # no mail twice
    assert sum(1 for (to, _subject) in counts if to[0] in emails) == len(emails)
    assert sum(1 for (to, subject) in counts if to[0] in trainees and "certificate" in subject.lower()) == len(trainees)
    assert counts[(("killed@example.org",), "Sent despite a dead worker")] == 1
    with local.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.id.in_(ids))) == 6
        db.session.remove()
