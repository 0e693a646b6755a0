"""The demo programme: every role to try, trainees at every stage, quotas respected."""
import pytest
from sqlalchemy import distinct, func, select

from lms.accounts.models import Category, Gender, Role, User
from lms.accounts.passwords import check_password
from lms.demo.loader import DEMO_PASSWORD
from lms.enrolment.models import QUOTA_STATES, DeliveryMode, Enrolment, EnrolmentState, Intake
from lms.programme.models import CountryAllocation, Programme
from tests.conftest import post_form

DEMO_ACCOUNTS = {
    "admin@demo.test": Role.ADMIN,
    "coordinator@demo.test": Role.PROGRAMME_COORDINATOR,
    "th.coordinator@demo.test": Role.COUNTRY_COORDINATOR,
    "instructor@demo.test": Role.INSTRUCTOR,
    "trainee@demo.test": Role.TRAINEE,
}


@pytest.fixture(scope="module")
def demo_app(database_url, tmp_path_factory):
    """The demo programme, loaded once into a database of its own, with the jobs it queued run."""
    from config import TestConfig
    from lms import create_app
    from lms.extensions import db
    from lms.programme.operations import ensure_countries
    from tests.databases import throwaway_database
    from tests.job_runner import run_queued_jobs

    data_dir = tmp_path_factory.mktemp("demo-data")
    with throwaway_database(database_url, "demo", data_dir) as url:

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            DATA_DIR, UPLOAD_DIR, PDF_DIR = data_dir, data_dir / "uploads", data_dir / "pdf"
            KEYS_DIR = data_dir / "keys"

        demo_app = create_app(Config)
        with demo_app.app_context():
            db.create_all()
            ensure_countries()
            db.session.commit()
            keys = demo_app.test_cli_runner().invoke(args=["keys", "init"])  # as `make run` does first
            assert keys.exit_code == 0, keys.output
            result = demo_app.test_cli_runner().invoke(args=["demo", "load"])
            assert result.exit_code == 0, result.output
            demo_app.demo_output = result.output
            run_queued_jobs()  # as the worker beside the site does: the certificates' PDFs and mail
            db.session.remove()
        yield demo_app
        with demo_app.app_context():
            db.engine.dispose()


@pytest.fixture
def demo(demo_app, db_session):
    """The demo app's database session for one test (the suite's own app context stays outside)."""
    from lms.extensions import db

    with demo_app.app_context():
        yield demo_app
        db.session.remove()


@pytest.fixture
def demo_session(demo):
    from lms.extensions import db

    return db.session


def test_demo_load_reports_what_it_created(demo):
    assert "Demo programme loaded: 10 countries, 200 trainees" in demo.demo_output


def test_the_programme_has_its_target_dates_and_allocations(demo, demo_session):
    programme = demo_session.scalars(select(Programme)).one()
    assert programme.target == 500
    assert (programme.ends_on - programme.starts_on).days in range(5 * 365 - 1, 5 * 365 + 2)
    allocations = demo_session.scalars(select(CountryAllocation)).all()
    assert len(allocations) == 10 and sum(a.allocation for a in allocations) == 500


def test_the_named_accounts_exist_with_the_demo_password(demo, demo_session):
    for email, role in DEMO_ACCOUNTS.items():
        user = demo_session.scalar(select(User).where(User.email == email))
        assert user.role is role and check_password(user, DEMO_PASSWORD)
    th = demo_session.scalar(select(User).where(User.email == "th.coordinator@demo.test"))
    assert th.country.code == "TH"
    trainee = demo_session.scalar(select(User).where(User.email == "trainee@demo.test"))
    assert trainee.country.code == "VN" and trainee.native_name == "Nguyễn Thị Minh Anh"


@pytest.mark.parametrize("email", DEMO_ACCOUNTS)
def test_every_demo_account_signs_in_and_reaches_its_home_page(demo, email):
    from tests.conftest import FreshContextClient

    demo.test_client_class = FreshContextClient
    client = demo.test_client()
    response = post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_about_two_hundred_trainees_spread_over_countries_categories_and_genders(demo, demo_session):
    trainees = demo_session.scalars(select(User).where(User.role == Role.TRAINEE)).all()
    assert len(trainees) == 200
    assert len({t.country_id for t in trainees}) == 10
    assert {t.profile.category for t in trainees} == set(Category)
    assert {t.profile.gender for t in trainees} >= set(Gender) - {Gender.OTHER} | {None}
    names = "".join(t.native_name or "" for t in trainees)
    scripts = {"Thai": (0x0E00, 0x0E7F), "Lao": (0x0E80, 0x0EFF), "Khmer": (0x1780, 0x17FF),
               "Burmese": (0x1000, 0x109F), "Chinese": (0x4E00, 0x9FFF), "Vietnamese": (0x1EA0, 0x1EF9)}
    for script, (low, high) in scripts.items():
        assert any(low <= ord(ch) <= high for ch in names), f"no demo name in {script} script"


def test_enrolments_at_every_stage_in_every_mode(demo, demo_session):
    states = set(demo_session.scalars(select(distinct(Enrolment.state))))
    assert states == set(EnrolmentState)
    assert set(demo_session.scalars(select(distinct(Intake.mode)))) == set(DeliveryMode)
    completed = demo_session.scalars(select(Enrolment).where(Enrolment.state == EnrolmentState.COMPLETED)).all()
    assert all(e.completed_at and e.final_grade is not None for e in completed)


def test_no_country_exceeds_its_allocation(demo, demo_session):
    holding = dict(demo_session.execute(
        select(User.country_id, func.count(distinct(Enrolment.user_id))).join(Enrolment.user)
        .where(Enrolment.state.in_(QUOTA_STATES)).group_by(User.country_id)).all())
    for allocation in demo_session.scalars(select(CountryAllocation)):
        assert holding.get(allocation.country_id, 0) <= allocation.allocation


def test_the_roles_have_work_waiting(demo, demo_session):
    th = demo_session.scalar(select(User).where(User.email == "th.coordinator@demo.test"))
    waiting = demo_session.scalar(select(func.count()).select_from(Enrolment).join(Enrolment.user).where(
        User.country_id == th.country_id, Enrolment.state == EnrolmentState.REQUESTED))
    assert waiting >= 14  # the staff journey decides ten at once, the others decide some too
    instructor = demo_session.scalar(select(User).where(User.email == "instructor@demo.test"))
    assert instructor.taught_intakes
    trainee = demo_session.scalar(select(User).where(User.email == "trainee@demo.test"))
    states = set(demo_session.scalars(select(Enrolment.state).where(Enrolment.user_id == trainee.id)))
    assert EnrolmentState.ACTIVE in states and EnrolmentState.COMPLETED in states


def test_demo_load_refuses_a_database_that_has_data(demo):
    runner = demo.test_cli_runner()
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code != 0 and "The database is not empty" in again.output
    quiet = runner.invoke(args=["demo", "load", "--if-empty"])
    assert quiet.exit_code == 0 and "not loaded again" in quiet.output


def test_demo_data_is_refused_in_production(app, db_session):
    app.config["ALLOW_DEMO_DATA"] = False
    try:
        result = app.test_cli_runner().invoke(args=["demo", "load"])
    finally:
        app.config["ALLOW_DEMO_DATA"] = True
    assert result.exit_code != 0 and "never loaded in production" in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_nothing_in_the_demo_is_dated_in_the_future(demo, demo_session):
    from lms.core.db import utcnow
    from lms.enrolment.models import EnrolmentEvent

    now = utcnow()
    assert max(demo_session.scalars(select(Enrolment.requested_at))) < now
    assert max(demo_session.scalars(select(EnrolmentEvent.at))) < now
    intakes = demo_session.scalars(select(Intake)).all()
    assert any(i.starts_on <= now.date() <= i.ends_on for i in intakes)  # some run is under way today
    assert any(i.starts_on > now.date() for i in intakes)


def test_the_demo_has_work_for_every_role(demo, demo_session):
    from lms.assessments.models import Attempt, Submission, SubmissionState
    from lms.catalogue.models import AssessmentKind

    trainee = demo_session.scalar(select(User).where(User.email == "trainee@demo.test"))
    active = demo_session.scalars(select(Enrolment).where(Enrolment.user_id == trainee.id,
                                                       Enrolment.state == EnrolmentState.ACTIVE)).one()
    attempted = set(demo_session.scalars(select(Attempt.assessment_id).where(Attempt.enrolment_id == active.id)))
    quizzes = [a for a in active.intake.course.assessments if a.kind is AssessmentKind.QUIZ]
    assert any(quiz.id not in attempted for quiz in quizzes)  # a quiz to take
    assert demo_session.scalar(select(Submission).where(Submission.enrolment_id == active.id)) is None  # one to submit
    instructor = demo_session.scalar(select(User).where(User.email == "instructor@demo.test"))
    waiting = demo_session.scalars(select(Submission).join(Submission.enrolment).where(
        Submission.state == SubmissionState.SUBMITTED,
        Enrolment.intake_id.in_([intake.id for intake in instructor.taught_intakes]))).all()
    assert len(waiting) >= 3


def test_finished_demo_work_matches_the_recorded_grades(demo, demo_session):
    from lms.core.grades import kept
    from lms.grading.completion import standing

    for enrolment in demo_session.scalars(select(Enrolment).where(Enrolment.state == EnrolmentState.COMPLETED)).all()[:20]:
        current = standing(enrolment)
        assert kept(current.weighted_grade) == enrolment.final_grade
        assert current.meets_completion  # lessons, grade and, in classrooms, attendance


def test_every_completion_has_its_certificate_and_one_is_revoked(demo, demo_session):
    from lms.certificates.models import Certificate

    completions = demo_session.scalars(select(Enrolment).where(Enrolment.state == EnrolmentState.COMPLETED)).all()
    certificates = demo_session.scalars(select(Certificate)).all()
    assert {c.enrolment_id for c in certificates} == {e.id for e in completions}
    assert sum(c.is_revoked for c in certificates) == 1
    assert all(c.pdf_sha256 for c in certificates)
    countries = {c.user.country.code for c in certificates if c.is_valid}
    assert len(countries) >= 8


def test_a_demo_certificate_verifies_offline_and_the_revoked_one_reads_revoked(demo, demo_session, tmp_path):
    from lms.certificates.documents import stored_pdf
    from lms.certificates.models import Certificate
    from lms.credentials.keys import pdf_signer_files

    client = demo.test_client()
    (tmp_path / "did.json").write_bytes(client.get("/.well-known/did.json").data)
    (tmp_path / "status.json").write_bytes(client.get("/credentials/status/1").data)
    (tmp_path / "signer.pem").write_bytes(pdf_signer_files()[1].read_bytes())
    public = ["--did-document", str(tmp_path / "did.json"), "--pdf-certificate", str(tmp_path / "signer.pem"),
              "--status-list", str(tmp_path / "status.json")]
    certificates = demo_session.scalars(select(Certificate).order_by(Certificate.id)).all()
    for certificate in (next(c for c in certificates if c.is_valid), next(c for c in certificates if c.is_revoked)):
        (tmp_path / "certificate.pdf").write_bytes(stored_pdf(certificate))
        result = demo.test_cli_runner().invoke(args=["certificates", "verify", str(tmp_path / "certificate.pdf"),
                                                     *public])
        assert "PDF signature: valid" in result.output and "Credential proof (eddsa-rdfc-2022): valid" in result.output
        if certificate.is_valid:
            assert result.exit_code == 0 and "Status: not revoked" in result.output, result.output
        else:
            assert result.exit_code == 1 and "Status: REVOKED" in result.output, result.output


# Last: it loads the demo programme again.
def test_demo_load_reset_starts_over(demo, demo_session):
    result = demo.test_cli_runner().invoke(args=["demo", "load", "--reset"])
    assert result.exit_code == 0, result.output
    assert demo_session.scalar(select(func.count()).select_from(Programme)) == 1
    assert demo_session.scalar(select(func.count()).select_from(User).where(User.role == Role.TRAINEE)) == 200
