"""The pages the load benchmark drives, who visits them, and the SQL queries one request of each runs.

Each page is visited by many different accounts (trainees, instructors, coordinators) on their own
objects, so no single row or cache flatters the numbers. Pages that other features add are found in
the app's URL map at run time and skipped, with a note, while they are not there.
"""
import random
import time
from dataclasses import dataclass, field

from flask import Flask, url_for
from sqlalchemy import event, select

from benchmarks.fill import BENCH_PASSWORD
from benchmarks.load import CSRF_PATTERN
from lms.accounts.models import Role, User
from lms.catalogue.models import Assessment, AssessmentKind, Lesson
from lms.certificates.models import Certificate
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState, Intake, intake_instructor
from lms.extensions import db

BARE = "bare endpoint (/healthz)"
CERTIFICATE_ENDPOINT = "certificates.verify_certificate"
EXPORT_SUFFIXES = (".pdf", ".csv", ".json")


@dataclass
class Visit:
    email: str | None  # None: the public, signed out
    path: str


@dataclass
class Page:
    name: str
    visits: list[Visit]
    queries: dict[str, list[int]] = field(default_factory=dict)  # by scale label: per-request counts
    work_ms: list[float] = field(default_factory=list)  # one request at a time, in-process, at 10x


def _sample(rng: random.Random, items: list, size: int) -> list:
    return rng.sample(items, min(size, len(items)))


def _trainee_visits(rng: random.Random, size: int) -> dict[str, list[Visit]]:
    """Trainees with an active enrolment in a running intake: their home, a lesson and a quiz of it."""
    rows = db.session.execute(
        select(User.email, Enrolment.id, Intake.course_id).join(Enrolment, Enrolment.user_id == User.id)
        .join(Intake, Enrolment.intake_id == Intake.id)
        .where(Enrolment.state == EnrolmentState.ACTIVE).order_by(Enrolment.id)).all()
    chosen, seen = [], set()
    for email, enrolment_id, course_id in _sample(rng, rows, len(rows)):
        if email not in seen:
            seen.add(email)
            chosen.append((email, enrolment_id, course_id))
        if len(chosen) == size:
            break
    lessons: dict[int, list[int]] = {}
    quizzes: dict[int, list[int]] = {}
    for lesson_id, course_id in db.session.execute(select(Lesson.id, Lesson.course_id)):
        lessons.setdefault(course_id, []).append(lesson_id)
    for quiz_id, course_id in db.session.execute(
            select(Assessment.id, Assessment.course_id).where(Assessment.kind == AssessmentKind.QUIZ)):
        quizzes.setdefault(course_id, []).append(quiz_id)
    visits: dict[str, list[Visit]] = {"home": [], "lesson": [], "quiz": []}
    for email, enrolment_id, course_id in chosen:
        visits["home"].append(Visit(email, "/"))
        visits["lesson"].append(Visit(email, f"/study/{enrolment_id}/lessons/{rng.choice(lessons[course_id])}"))
        visits["quiz"].append(Visit(email, f"/study/{enrolment_id}/quizzes/{rng.choice(quizzes[course_id])}"))
    return visits


def _gradebook_visits(rng: random.Random, size: int) -> list[Visit]:
    """Each instructor on the gradebook of one of their intakes that has started.

    Online and classroom intakes alternate (a classroom gradebook also counts attendance), so the
    first few visits, whose queries are counted, cover both at every scale.
    """
    taught: dict[str, dict[bool, list[int]]] = {}
    for email, intake_id, mode in db.session.execute(
            select(User.email, Intake.id, Intake.mode).join(intake_instructor, intake_instructor.c.user_id == User.id)
            .join(Intake, Intake.id == intake_instructor.c.intake_id)
            .where(Intake.starts_on <= db.func.current_date()).order_by(User.email, Intake.id)):
        taught.setdefault(email, {True: [], False: []})[mode is DeliveryMode.ONLINE].append(intake_id)
    visits = []
    for number, email in enumerate(_sample(rng, sorted(taught), size)):
        intakes = taught[email][number % 2 == 0] or taught[email][number % 2 == 1]
        visits.append(Visit(email, f"/teach/intakes/{rng.choice(intakes)}/gradebook"))
    return visits


def _accounts(role: Role) -> list[str]:
    return list(db.session.scalars(select(User.email).where(User.role == role).order_by(User.email)))


def _report_endpoint(app: Flask) -> str | None:
    """The quota dashboard: a page of the reports blueprint that needs no argument (not a download)."""
    candidates = sorted(
        (rule for rule in app.url_map.iter_rules()
         if rule.endpoint.startswith("reports.") and "GET" in rule.methods and not rule.arguments
         and not rule.rule.endswith(EXPORT_SUFFIXES)),
        key=lambda rule: ("quota" not in rule.endpoint, rule.rule))
    return candidates[0].endpoint if candidates else None


def _certificate_visits(app: Flask, rng: random.Random, size: int) -> list[Visit]:
    serials = list(db.session.scalars(select(Certificate.serial).order_by(Certificate.id)))
    with app.test_request_context(base_url="http://127.0.0.1"):  # a trusted host
        return [Visit(None, url_for(CERTIFICATE_ENDPOINT, serial=serial)) for serial in _sample(rng, serials, size)]


def choose_pages(app: Flask, size: int = 40, seed: int = 7) -> tuple[list[Page], list[str]]:
    """The benchmark's pages with `size` visits each, and a note for each page skipped."""
    # Bandit B311 does not apply: seeded so that both scales and every run pick alike.
    rng = random.Random(seed)  # nosec B311
    skipped = []
    with app.app_context():
        trainee = _trainee_visits(rng, size)
        pages = [
            Page(BARE, [Visit(None, "/healthz")]),
            Page("trainee home /", trainee["home"]),
            Page("lesson /study/<e>/lessons/<l>", trainee["lesson"]),
            Page("quiz /study/<e>/quizzes/<a>", trainee["quiz"]),
            Page("gradebook /teach/intakes/<i>/gradebook", _gradebook_visits(rng, size)),
        ]
        endpoint = _report_endpoint(app)
        if endpoint:
            with app.test_request_context(base_url="http://127.0.0.1"):  # a trusted host
                path = url_for(endpoint)
            pages.append(Page(f"quota dashboard {path}, programme",
                              [Visit(email, path) for email in _accounts(Role.PROGRAMME_COORDINATOR)]))
            pages.append(Page(f"quota dashboard {path}, country",
                              [Visit(email, path) for email in _accounts(Role.COUNTRY_COORDINATOR)]))
        else:
            skipped.append("quota dashboard: no page of the reports blueprint in the URL map yet")
        if CERTIFICATE_ENDPOINT in app.view_functions:
            rule = next(app.url_map.iter_rules(CERTIFICATE_ENDPOINT)).rule
            pages.append(Page(f"certificate verification {rule}", _certificate_visits(app, rng, size * 5)))
        else:
            skipped.append(f"certificate verification: no endpoint {CERTIFICATE_ENDPOINT} in the URL map yet")
    return pages, skipped


# Counting queries in-process: the same requests, through Flask's test client.

def sign_in_test_client(app: Flask, email: str):
    """A test client signed in through the real login form."""
    # HTTPS, as behind the production proxy: the session cookie is Secure and CSRF checks the referrer.
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/login"})
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    response = client.post("/login", data={"csrf_token": match.group(1) or match.group(2), "email": email,
                                           "password": BENCH_PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"signing in {email} failed with status {response.status_code}")
    return client


def count_queries(app: Flask, page: Page, accounts: int = 5) -> tuple[list[int], list[float]]:
    """SQL statements and milliseconds of one request for the first few visits, each on its second request.

    The first request of each visit warms up and may write (a lesson's first view, an enrolment
    activated when its intake has started); the second is the steady state that the load repeats.
    """
    counts, timings = [], []
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        for visit in page.visits[:accounts]:
            client = sign_in_test_client(app, visit.email) if visit.email else app.test_client()
            first = client.get(visit.path)
            if first.status_code != 200:
                raise RuntimeError(f"{visit.path} as {visit.email or 'the public'} answered {first.status_code}")
            statements.clear()
            started = time.perf_counter()
            client.get(visit.path)
            timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return counts, timings
