"""make faults: the platform under faults, on loopback, against servers this run starts and stops itself.

PostgreSQL is a throwaway cluster (initdb under a temporary folder, its own port; the only cluster ever
stopped or restarted), served by gunicorn (2 sync workers, 30 s timeout) behind Debian's nginx running
deploy/nginx.conf, with a 48 MB tmpfs as the data folder. The cases: slow clients behind nginx, a
database restart under load, kill -9 during uploads and during quiz submissions, a full disk, two clicks
at once, and the embedded SQLite default under concurrent use. Afterwards the database and the files are
checked; the table of what people saw, bare errors, anything lost and anything left behind is printed and
written into docs/faults.md. Needs root (for the tmpfs) and the nginx package.
"""
import hashlib
import http.client
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from config import ProductionConfig
from faults.client import Answer, Browser, is_bare_error, seen
from faults.fill import Filled, Trainee, fill
from faults.services import ROOT, Gunicorn, Nginx, PostgresCluster, RedisServer, SmallDisk
from lms import create_app
from lms.assessments.models import Attempt, Submission
from lms.assessments.sweep import sweep_orphan_files
from lms.catalogue.models import Assessment
from lms.core import clock
from lms.extensions import db

DOCS = ROOT / "docs" / "faults.md"
START_MARK, END_MARK = "<!-- faults:start -->", "<!-- faults:end -->"
DISK_MB = 48
MB = 1024 * 1024


def pdf_bytes(size: int) -> bytes:
    head = b"%PDF-1.4\n"
    return head + secrets.token_bytes(size - len(head) - 6) + b"\n%%EOF"


def say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Row:
    case: str
    sent: int
    saw: str
    bare: int  # gunicorn's or nginx's own error page, or no answer at all
    lost: int  # acknowledged work missing, or half-written
    left: int  # files without their row, partial files
    note: str = ""


def summary(answers: list[Answer]) -> str:
    return ", ".join(f"{what} ×{count}" for what, count in Counter(seen(a) for a in answers).most_common())


def in_parallel(jobs) -> list:
    results = [None] * len(jobs)

    def run(index, job):
        results[index] = job()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def production_environment(redis_url: str, **settings: str) -> dict[str, str]:
    """What production requires (lms/__init__.py refuses to start without it), pointed at our own servers."""
    return {**os.environ, "LMS_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "PUBLIC_BASE_URL": "https://training.example.org", "TRUSTED_HOSTS": "127.0.0.1,localhost",
            "RATELIMIT_STORAGE_URI": redis_url, "TWO_FACTOR_REQUIRED": "0", "PYTHONUNBUFFERED": "1", **settings}


class Suite:
    def __init__(self, folder: Path, redis_url: str):
        self.folder = folder
        self.cluster = PostgresCluster(folder / "pg")
        self.disk = SmallDisk(folder / "data", DISK_MB)
        self.environment = production_environment(
            redis_url, DATABASE_URL=self.cluster.url, LMS_DATA_DIR=str(self.disk.path))
        self.gunicorn = Gunicorn(self.environment, folder / "gunicorn.log")
        self.nginx: Nginx | None = None
        self.app = None
        self.filled: Filled | None = None
        self.next_trainee = 0
        self.rows: list[Row] = []

    # Setting up

    def start(self) -> None:
        say(f"PostgreSQL cluster of our own on port {self.cluster.port}; tmpfs of {DISK_MB} MB as the data folder")
        self.cluster.create()
        self.disk.mount()
        migrate(self.environment)
        self.app = check_app(self.cluster.url, self.disk.path, self.environment["RATELIMIT_STORAGE_URI"])
        with self.app.app_context():
            self.filled = fill(120, clock.today())
        self.gunicorn.start()
        self.nginx = Nginx(self.folder / "nginx", self.gunicorn.port)
        self.nginx.start()
        say(f"gunicorn on {self.gunicorn.port}, nginx on {self.nginx.port}")

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        self.gunicorn.stop()
        if self.app:
            with self.app.app_context():
                db.engine.dispose()
        self.cluster.stop()
        self.disk.unmount()

    def trainees(self, count: int) -> list[Trainee]:
        chosen = self.filled.trainees[self.next_trainee:self.next_trainee + count]
        if len(chosen) < count:
            raise RuntimeError("the fault suite ran out of trainees; fill more")
        self.next_trainee += count
        return chosen

    def browser(self, trainee: Trainee) -> Browser:
        browser = Browser(self.nginx.port)
        browser.sign_in(trainee.email)
        return browser

    def start_attempt(self, browser: Browser, trainee: Trainee) -> str:
        path = self.filled.quiz_path(trainee)
        answer = browser.post(path + "/start", {}, form_path=path)
        if answer.status != 302 or "/attempts/" not in answer.location:
            raise RuntimeError(f"starting an attempt failed: {answer.status} {answer.location}")
        return "/study/attempts/" + answer.location.rsplit("/attempts/", 1)[1]

    def workers_back(self) -> None:
        self.gunicorn.wait_for_workers(2)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Browser(self.gunicorn.port, 5).get("/healthz").status != 200:
            time.sleep(0.2)

    def files_check(self) -> tuple[int, int]:
        """(rows whose file is missing or of the wrong size, files no row names)."""
        folder = self.disk.path / "uploads"
        from lms.assessments.models import SubmissionFile
        with self.app.app_context():
            rows = list(db.session.scalars(select(SubmissionFile)))
            db.session.remove()
        by_name = {row.stored_name: row for row in rows}
        broken = sum(1 for row in rows if not (folder / row.stored_name).is_file()
                     or (folder / row.stored_name).stat().st_size != row.size)
        orphans = sum(1 for path in folder.iterdir() if path.name not in by_name) if folder.is_dir() else 0
        return broken, orphans

    def sweep(self) -> int:
        with self.app.app_context():
            removed = len(sweep_orphan_files(grace=timedelta(0)).removed)  # no request is in flight now
            db.session.remove()
        return removed

    def submission(self, trainee: Trainee) -> Submission | None:
        with self.app.app_context():
            found = db.session.scalar(select(Submission).where(Submission.enrolment_id == trainee.enrolment_id))
            if found is not None:
                _ = found.files
                db.session.expunge_all()
            db.session.remove()
        return found

    def attempt(self, attempt_path: str) -> Attempt:
        with self.app.app_context():
            found = db.session.get(Attempt, int(attempt_path.rsplit("/", 1)[1]))
            db.session.expunge_all()
            db.session.remove()
        return found

    # The cases

    def slow_clients(self) -> None:
        say("Slow clients: 4 connections sending headers at 1 byte/s, and a 10 MB file at 1 Mbit/s, behind nginx")
        trainee = self.trainees(1)[0]
        browser = self.browser(trainee)
        path = self.filled.assignment_path(trainee)
        token = browser.token(path)
        data = pdf_bytes(10 * MB - 4096)
        text = "Upload over a rural link: the plan for the three northern districts."
        probes: list[Answer] = []
        done = threading.Event()

        def upload() -> Answer:
            try:
                return browser.post(path, {"text": text, "save_draft": "1"}, files=[("files", "plan.pdf", data)],
                                    token=token, bytes_per_second=125_000)
            finally:
                done.set()

        def slow_headers() -> None:
            import socket
            with socket.create_connection(("127.0.0.1", self.nginx.port), timeout=60) as sock:
                request = b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
                try:
                    for byte in request[:25]:
                        sock.sendall(bytes([byte]))
                        if done.wait(1):
                            return
                except OSError:
                    return  # nginx dropped the connection after its client_header_timeout

        def probe() -> None:
            while not done.is_set():
                probes.append(Browser(self.nginx.port, 10).get("/login"))
                done.wait(1)

        results = in_parallel([upload, probe] + [slow_headers] * 4)
        answer: Answer = results[0]
        stored = self.submission(trainee)
        file_ok = bool(stored and stored.files and stored.files[-1].size == len(data)
                       and stored.files[-1].sha256 == hashlib.sha256(data).hexdigest())
        lost = 0 if (answer.status == 302 and stored and stored.text == text and file_ok) else 1
        slowest = max((p.seconds for p in probes), default=0)
        self.rows.append(Row(
            "Slow clients behind nginx (4 × headers at 1 byte/s; 10 MB upload at 1 Mbit/s)", len(probes) + 1,
            f"upload: {seen(answer)} after {answer.seconds:.0f} s; other people: {summary(probes)}",
            sum(map(is_bare_error, [answer, *probes])), lost, 0,
            f"slowest other page {slowest * 1000:.0f} ms"))
        self.rows[-1].note += "; " + static_check(self.nginx.port)

    def database_restart(self) -> None:
        say("Database restart under load: 6 trainees saving a quiz answer about twice a second")
        trainees = self.trainees(6)
        browsers = [self.browser(trainee) for trainee in trainees]
        attempts = [self.start_attempt(browser, trainee) for browser, trainee in zip(browsers, trainees)]
        tokens = [browser.token(path) for browser, path in zip(browsers, attempts)]
        field = f"q{self.filled.numeric_question_id}"
        answers: list[Answer] = []
        acknowledged: list[int] = [0] * len(trainees)
        log_before = len(self.gunicorn.log_text())
        stop_at = time.monotonic() + 16
        back_at: list[float] = []
        first_ok_after: list[float] = []
        typed_back: list[Answer] = []

        def saver(index: int) -> None:
            value = 0
            while time.monotonic() < stop_at:
                value += 1
                answer = browsers[index].post(attempts[index], {"action": "save", field: str(value)},
                                              token=tokens[index])
                answers.append(answer)
                if answer.status == 302 and answer.location.endswith(attempts[index]):
                    acknowledged[index] = value
                    if back_at and not first_ok_after:
                        first_ok_after.append(time.monotonic() - back_at[0])
                time.sleep(0.5)

        def restart() -> None:
            time.sleep(4)
            self.cluster.stop("fast")
            time.sleep(1)
            typed = "Typed while the database was away: keep this paragraph."
            trainee = trainees[0]
            typed_back.append(browsers[0].post(self.filled.assignment_path(trainee), {"text": typed, "submit": "1"},
                                               token=tokens[0]))
            time.sleep(3)
            self.cluster.start()
            back_at.append(time.monotonic())

        in_parallel([restart] + [lambda i=i: saver(i) for i in range(len(trainees))])
        with self.app.app_context():
            db.engine.dispose()  # the check app's pooled connections died with the server
        lost = 0
        for index, path in enumerate(attempts):
            stored = (self.attempt(path).answers or {}).get(str(self.filled.numeric_question_id))
            if acknowledged[index] and (stored is None or float(stored) < acknowledged[index]):
                lost += 1
        log = self.gunicorn.log_text()[log_before:]
        unavailable = sum(1 for a in answers + typed_back if a.status == 503)
        logged = log.count("Database unavailable for")
        tracebacks = log.count("Traceback")
        text_back = bool(typed_back) and "keep this paragraph" in typed_back[0].body
        self.rows.append(Row(
            "PostgreSQL stopped for 4 s under load, then started", len(answers) + 1, summary(answers + typed_back),
            sum(map(is_bare_error, answers + typed_back)), lost, 0,
            f"{unavailable} answers 503, {logged} log lines, {tracebacks} tracebacks; form posted meanwhile shown "
            f"back: {'yes' if text_back else 'NO'}; first save {first_ok_after[0] if first_ok_after else -1:.1f} s "
            "after the restart"))

    def kill_during_uploads(self, rounds: int = 6) -> None:
        say(f"kill -9 of the workers during {rounds} uploads")
        trainees = self.trainees(rounds)
        answers, acknowledged_lost = [], 0
        for trainee in trainees:
            browser = self.browser(trainee)
            path = self.filled.assignment_path(trainee)
            token = browser.token(path)
            data = pdf_bytes(3 * MB)
            killer = threading.Timer(random.uniform(0.05, 0.4), self.gunicorn.kill_workers)  # nosec B311
            killer.start()
            answer = browser.post(path, {"text": "Sent as the server died.", "save_draft": "1"},
                                  files=[("files", "plan.pdf", data)], token=token)
            killer.join()
            answers.append(answer)
            self.workers_back()
            stored = self.submission(trainee)
            if answer.status == 302 and not (stored and stored.files):
                acknowledged_lost += 1
        broken, orphans = self.files_check()
        removed = self.sweep()
        broken_after, orphans_after = self.files_check()
        self.rows.append(Row(
            f"kill -9 of every worker during an upload ({rounds} rounds)", len(answers), summary(answers),
            sum(map(is_bare_error, answers)), acknowledged_lost + broken + broken_after, orphans_after,
            f"{orphans} file(s) without a row after the kills, removed by the sweeper ({removed}); "
            f"rows without their file: {broken}"))

    def kill_during_submits(self, rounds: int = 6) -> None:
        say(f"kill -9 of the workers during {rounds} quiz submissions")
        trainees = self.trainees(rounds)
        field = f"q{self.filled.numeric_question_id}"
        answers, lost, half = [], 0, 0
        for trainee in trainees:
            browser = self.browser(trainee)
            path = self.start_attempt(browser, trainee)
            token = browser.token(path)
            browser.post(path, {"action": "save", field: "2.5"}, token=token)
            killer = threading.Timer(random.uniform(0.0, 0.15), self.gunicorn.kill_workers)  # nosec B311
            killer.start()
            answer = browser.post(path, {"action": "submit", field: "2.5"}, token=token)
            killer.join()
            answers.append(answer)
            self.workers_back()
            stored = self.attempt(path)
            is_submitted = stored.submitted_at is not None
            if is_submitted != (stored.score is not None and stored.results is not None):
                half += 1
            if answer.status == 302 and "/result" in answer.location and not is_submitted:
                lost += 1
            if not is_submitted:  # the person sends it again, as the page asked
                browser.post(path, {"action": "submit", field: "2.5"}, token=token)
                stored = self.attempt(path)
                if stored.submitted_at is None or (stored.answers or {}).get(str(self.filled.numeric_question_id)) \
                        not in (2.5, "2.5"):
                    lost += 1
        self.rows.append(Row(
            f"kill -9 of every worker during a quiz submission ({rounds} rounds)", len(answers), summary(answers),
            sum(map(is_bare_error, answers)), lost + half, 0,
            f"{half} half-written attempts; each attempt submitted once sent again, its saved answer kept"))

    def full_disk(self) -> None:
        say("A full disk: the data folder's tmpfs filled to 2 MB free, then a 4 MB file and a 1 MB file")
        trainee = self.trainees(1)[0]
        browser = self.browser(trainee)
        path = self.filled.assignment_path(trainee)
        token = browser.token(path)
        ballast = self.disk.path / "ballast"
        free = shutil.disk_usage(self.disk.path).free
        with open(ballast, "wb") as out:
            out.write(b"\0" * max(0, free - 2 * MB))
        free_before = shutil.disk_usage(self.disk.path).free
        text = "My analysis survives a full disk."
        too_big = browser.post(path, {"text": text, "save_draft": "1"}, files=[("files", "big.pdf", pdf_bytes(4 * MB))],
                               token=token)
        free_after = shutil.disk_usage(self.disk.path).free
        stored = self.submission(trainee)
        small = browser.post(path, {"text": text, "save_draft": "1"}, files=[("files", "small.pdf", pdf_bytes(MB))],
                             token=token)
        stored_after = self.submission(trainee)
        ballast.unlink()
        broken, orphans = self.files_check()
        lost = 0 if stored and stored.text == text and len(stored_after.files) == 1 else 1
        shown = "could not be stored" in too_big.body and "Your text is saved" in too_big.body
        self.rows.append(Row(
            "Full disk (tmpfs) during a 4 MB upload, then a 1 MB one", 2,
            f"4 MB: {seen(too_big)}; 1 MB: {seen(small)}", sum(map(is_bare_error, [too_big, small])),
            lost + broken + (0 if shown else 1), orphans,
            f"free space before and after the failed upload differs by {(free_before - free_after) // 1024} KB; "
            f"the page says the file was not stored and the text kept: {'yes' if shown else 'NO'}"))

    def two_clicks(self, rounds: int = 10) -> None:
        say(f"Two clicks at once: {rounds} rounds each of a quiz submit, a submit-once assignment, a resubmission")
        field = f"q{self.filled.numeric_question_id}"
        quiz_answers, quiz_bad = [], 0
        for trainee in self.trainees(rounds):
            windows = [self.browser(trainee), self.browser(trainee)]
            path = self.start_attempt(windows[0], trainee)
            tokens = [window.token(path) for window in windows]
            barrier = threading.Barrier(2)

            def click(index: int, value: str) -> Answer:
                barrier.wait(10)
                return windows[index].post(path, {"action": "submit", field: value}, token=tokens[index])

            pair = in_parallel([lambda: click(0, "1"), lambda: click(1, "2")])
            results = [windows[i].get(pair[i].location).body for i in range(2)]
            quiz_answers += pair
            succeeded = sum("Your attempt has been submitted." in page for page in results)
            refused = sum("already been submitted" in page for page in results)
            stored = self.attempt(path).answers.get(str(self.filled.numeric_question_id))
            winner = "1" if "Your attempt has been submitted." in results[0] else "2"
            if (succeeded, refused) != (1, 1) or str(stored) not in (winner, winner + ".0"):
                quiz_bad += 1

        self.set_resubmission(False)
        once_answers, once_bad = [], 0
        for trainee in self.trainees(rounds):
            windows = [self.browser(trainee), self.browser(trainee)]
            path = self.filled.assignment_path(trainee)
            tokens = [window.token(path) for window in windows]
            barrier = threading.Barrier(2)
            texts = ["Window one text.", "Window two text."]

            def send(index: int) -> Answer:
                barrier.wait(10)
                return windows[index].post(path, {"text": texts[index], "submit": "1"}, token=tokens[index])

            pair = in_parallel([lambda: send(0), lambda: send(1)])
            once_answers += pair
            stored = self.submission(trainee)
            statuses = sorted(answer.status for answer in pair)
            winner = 0 if pair[0].status == 302 else 1
            if statuses != [302, 409] or stored.times_submitted != 1 or stored.text != texts[winner]:
                once_bad += 1
        self.set_resubmission(True)

        trainee = self.trainees(1)[0]
        windows = [self.browser(trainee) for _ in range(3)]
        path = self.filled.assignment_path(trainee)
        tokens = [window.token(path) for window in windows]
        counted_answers = []
        for round_number in range(rounds):
            barrier = threading.Barrier(3)

            def resend(index: int) -> Answer:
                barrier.wait(10)
                return windows[index].post(path, {"text": f"Round {round_number} window {index}", "submit": "1"},
                                           token=tokens[index])

            counted_answers += in_parallel([lambda i=i: resend(i) for i in range(3)])
        acknowledged = sum(answer.status == 302 for answer in counted_answers)
        counted = self.submission(trainee).times_submitted
        self.rows.append(Row(f"Two windows submit one quiz attempt at once ({rounds} rounds)", len(quiz_answers),
                             summary(quiz_answers), sum(map(is_bare_error, quiz_answers)), quiz_bad, 0,
                             f"exactly one submitted and one told so in {rounds - quiz_bad} of {rounds} rounds"))
        self.rows.append(Row(f"Two windows submit a submit-once assignment at once ({rounds} rounds)",
                             len(once_answers), summary(once_answers), sum(map(is_bare_error, once_answers)),
                             once_bad, 0,
                             f"one accepted, one refused with its text shown back, in {rounds - once_bad} of {rounds}"))
        self.rows.append(Row(f"Three windows resubmit one assignment at once ({rounds} rounds)", len(counted_answers),
                             summary(counted_answers), sum(map(is_bare_error, counted_answers)),
                             abs(acknowledged - counted), 0, f"{acknowledged} acknowledged, {counted} counted"))

    def set_resubmission(self, allowed: bool) -> None:
        with self.app.app_context():
            db.session.get(Assessment, self.filled.assignment_id).allow_resubmission = allowed
            db.session.commit()
            db.session.remove()


def static_check(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return (f"static files: {response.getheader('Content-Encoding') or 'not compressed'}, "
            f"{response.getheader('Cache-Control')}")


def migrate(environment: dict[str, str]) -> None:
    step = [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"]
    done = subprocess.run(step, cwd=ROOT, env=environment, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"migrating failed:\n{done.stdout}\n{done.stderr}")


def check_app(url: str, data_dir: Path, redis_url: str):
    """The app in this process, to fill the database and to check it afterwards."""
    class CheckConfig(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = url
        DATA_DIR = data_dir
        UPLOAD_DIR = data_dir / "uploads"
        PDF_DIR = data_dir / "pdf"
        TWO_FACTOR_REQUIRED = False
        SECRET_KEY = secrets.token_hex(32)
        PUBLIC_BASE_URL = "https://training.example.org"
        RATELIMIT_STORAGE_URI = redis_url

    return create_app(CheckConfig)


# SQLite, the embedded default

def sqlite_under_load(folder: Path, redis_url: str) -> list[Row]:
    """gunicorn on the embedded SQLite file: trainees saving a quiz answer once a second each, and twelve
    simultaneous sign-ins; then more trainees, to find how many it serves."""
    say("SQLite under concurrent use: 10 trainees saving once a second and 12 simultaneous sign-ins, then more")
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'lms.sqlite3'}"
    environment = production_environment(redis_url, DATABASE_URL=url, LMS_DATA_DIR=str(folder / "data"))
    migrate(environment)
    app = check_app(url, folder / "data", redis_url)
    with app.app_context():
        filled = fill(200, clock.today())
        db.engine.dispose()
    server = Gunicorn(environment, folder / "gunicorn-sqlite.log")
    server.start()
    rows: list[Row] = []
    try:
        pool = iter(filled.trainees)
        field = f"q{filled.numeric_question_id}"

        def prepare(count: int):
            people = []
            for trainee in [next(pool) for _ in range(count)]:
                browser = Browser(server.port, 30)
                browser.sign_in(trainee.email)
                path = filled.quiz_path(trainee)
                start = browser.post(path + "/start", {}, form_path=path)
                attempt = "/study/attempts/" + start.location.rsplit("/attempts/", 1)[1]
                people.append((browser, attempt, browser.token(attempt)))
            return people

        def load(people, seconds: float, extra=None) -> list[Answer]:
            answers: list[Answer] = []
            stop_at = time.monotonic() + seconds

            def saver(browser, attempt, token) -> None:
                time.sleep(random.uniform(0, 1))  # nosec B311 - spread the first saves over a second
                value = 0
                while time.monotonic() < stop_at:
                    value += 1
                    started = time.monotonic()
                    answers.append(browser.post(attempt, {"action": "save", field: str(value)}, token=token))
                    time.sleep(max(0.0, 1 - (time.monotonic() - started)))

            in_parallel([lambda p=p: saver(*p) for p in people] + ([extra] if extra else []))
            return answers

        sign_ins: list[Answer] = []

        def simultaneous_sign_ins() -> None:
            time.sleep(5)
            people = [next(pool) for _ in range(12)]
            browsers = [Browser(server.port, 30) for _ in people]
            tokens = [browser.token("/login") for browser in browsers]
            barrier = threading.Barrier(len(people))

            def sign_in(index: int) -> Answer:
                barrier.wait(10)
                return browsers[index].post("/login", {"email": people[index].email,
                                                       "password": "faults-password-not-secret"}, token=tokens[index])

            sign_ins.extend(in_parallel([lambda i=i: sign_in(i) for i in range(len(people))]))

        answers = load(prepare(10), 20, simultaneous_sign_ins)  # these ten sign in again below, as others
        failed_saves = sum(answer.status != 302 for answer in answers)
        failed_sign_ins = sum(answer.status != 302 for answer in sign_ins)
        rows.append(Row("SQLite: 10 trainees × 1 save/s for 20 s, 12 simultaneous sign-ins",
                        len(answers) + len(sign_ins),
                        f"saves: {summary(answers)}; sign-ins: {summary(sign_ins)}",
                        sum(map(is_bare_error, answers + sign_ins)), failed_saves + failed_sign_ins, 0,
                        f"{failed_saves} failed saves, {failed_sign_ins} failed sign-ins; "
                        f"save p95 {p95_ms(answers):.0f} ms"))
        people = prepare(10)
        for count in (10, 20, 40, 80):
            people += prepare(count - len(people))  # the same people, and more
            answers = load(people, 15)
            rows.append(Row(f"SQLite: {count} trainees × 1 save/s for 15 s", len(answers), summary(answers),
                            sum(map(is_bare_error, answers)), 0, 0,
                            f"{sum(a.status != 302 for a in answers)} failed; {len(answers) / 15:.1f} saves/s; "
                            f"p95 {p95_ms(answers):.0f} ms"))
    finally:
        server.stop()
    return rows


def p95_ms(answers: list[Answer]) -> float:
    times = sorted(answer.seconds for answer in answers)
    return 1000 * (statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else (times[-1] if times else 0))


def table(rows: list[Row]) -> str:
    lines = ["| case | requests | what people saw | bare errors | lost | left behind | checked |",
             "| --- | ---: | --- | ---: | ---: | --- | --- |"]
    for row in rows:
        lines.append(f"| {row.case} | {row.sent} | {row.saw} | {row.bare} | {row.lost} | {row.left} | {row.note} |")
    return "\n".join(lines)


def write_docs(text: str) -> None:
    if not DOCS.exists():
        return
    page = DOCS.read_text()
    if START_MARK in page and END_MARK in page:
        before, rest = page.split(START_MARK, 1)
        after = rest.split(END_MARK, 1)[1]
        DOCS.write_text(f"{before}{START_MARK}\n{text}\n{END_MARK}{after}")


CASES = ("slow_clients", "database_restart", "kill_during_uploads", "kill_during_submits", "full_disk", "two_clicks")


def main(chosen: list[str]) -> int:
    """Runs every case, or those named on the command line (a case's name, or "sqlite")."""
    if shutil.which("nginx") is None:
        say("nginx is missing: scripts/ensure-system-packages nginx")
        return 2
    unknown = set(chosen) - set(CASES) - {"sqlite"}
    if unknown:
        say(f"unknown case(s): {', '.join(sorted(unknown))}; the cases: {', '.join(CASES)}, sqlite")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="lms-faults-"))
    os.chmod(folder, 0o755)
    started = time.monotonic()
    rows: list[Row] = []
    redis = RedisServer(folder / "redis")
    redis.start()
    try:
        cases = [case for case in CASES if not chosen or case in chosen]
        if cases:
            suite = Suite(folder, redis.url)
            try:
                suite.start()
                for case in cases:
                    getattr(suite, case)()
                    say(table(suite.rows[-1:]).splitlines()[-1])
            finally:
                suite.stop()
                rows += suite.rows
        if not chosen or "sqlite" in chosen:
            rows += sqlite_under_load(folder / "sqlite", redis.url)
    finally:
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)
    text = (f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {time.monotonic() - started:.0f} s.\n\n"
            + table(rows))
    say("\n" + text)
    if not chosen:
        write_docs(text)
    failed = [row.case for row in rows if row.bare or row.lost or row.left]
    if failed:
        say("\nNOT HELD: " + "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
