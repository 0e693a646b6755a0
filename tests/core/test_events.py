"""Domains tell each other through signals, and only the app's own session is hooked."""
import ast
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import TestConfig
from lms import create_app
from lms.accounts.models import Role, User
from lms.certificates.models import Certificate
from lms.core.events import enrolment_completed
from lms.enrolment.models import DeliveryMode, EnrolmentState
from lms.extensions import db
from lms.grading.completion import evaluate_completion
from lms.reports.freshness import report_version
from tests.certificates.helpers import enrol, ready_to_complete
from tests.factories import make_intake, make_programme, make_user
from tests.job_runner import queued_names

GRADING = Path(__file__).resolve().parents[2] / "lms" / "grading"


def imported_modules(folder: Path) -> set[str]:
    """Every module the files of `folder` import, at the top or inside a function."""
    modules = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


@pytest.fixture
def ready(db_session):
    """An active enrolment that meets every completion condition, committed as it stands."""
    enrolment = ready_to_complete(enrol(make_intake(make_programme(), mode=DeliveryMode.FACE_TO_FACE),
                                        state=EnrolmentState.ACTIVE))
    db.session.commit()
    return enrolment


def certificates_of(enrolment) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.enrolment_id == enrolment.id)))


def test_grading_does_not_import_certificates():
    modules = imported_modules(GRADING)
    assert "lms.enrolment.models" in modules  # the walk read the package's imports
    assert not [module for module in modules if module == "lms.certificates" or module.startswith("lms.certificates.")]


def test_a_completion_is_told_once_with_who_completed_it(ready):
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    heard = []

    def listener(enrolment, **details):
        heard.append((enrolment, details))

    with enrolment_completed.connected_to(listener):
        assert evaluate_completion(ready, by=coordinator) is True
        assert evaluate_completion(ready, by=coordinator) is False  # completed already: nothing new to tell
    assert heard == [(ready, {"by": coordinator})]


def test_an_evaluation_that_does_not_complete_tells_nobody(db_session):
    active = enrol(make_intake(make_programme()), state=EnrolmentState.ACTIVE)  # nothing done yet
    heard = []
    with enrolment_completed.connected_to(lambda enrolment, **details: heard.append(enrolment)):
        assert evaluate_completion(active) is False
    assert heard == []


def test_the_certificate_comes_with_the_completion_and_its_pdf_after_the_commit(ready):
    evaluate_completion(ready)
    [certificate] = certificates_of(ready)
    assert certificate.is_valid and queued_names() == []  # the row in the completing transaction, no job yet
    db.session.commit()
    assert "produce_certificate" in queued_names()


def test_a_completion_rolled_back_leaves_no_certificate_and_no_job(ready):
    evaluate_completion(ready)
    assert certificates_of(ready)
    db.session.rollback()
    assert ready.state is EnrolmentState.ACTIVE and certificates_of(ready) == []
    db.session.commit()
    assert queued_names() == []


def test_only_the_apps_session_moves_the_report_version(db_session):
    trainee = make_user(Role.TRAINEE, full_name="Anong Rattanakul")
    db.session.commit()
    version = report_version()
    # A Session of its own on the same connection (so the test's transaction still rolls it back).
    with Session(bind=db.session.connection(), join_transaction_mode="create_savepoint") as elsewhere:
        elsewhere.get(User, trainee.id).full_name = "Anong Srisuk"
        elsewhere.commit()
    db.session.expire_all()
    assert trainee.full_name == "Anong Srisuk" and report_version() == version
    trainee.full_name = "Anong Chaiyaporn"
    db.session.commit()
    assert report_version() == version + 1


def hooks_on_the_apps_session() -> list[int]:
    made = db.session.session_factory()
    try:
        return [len(getattr(made.dispatch, name)) for name in (
            "before_flush", "before_commit", "after_commit", "after_soft_rollback", "after_rollback")]
    finally:
        made.close()


def test_building_another_app_connects_nothing_twice(tmp_path):
    receivers, hooks = len(enrolment_completed.receivers), hooks_on_the_apps_session()
    create_app(type("Another", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'another.sqlite3'}"}))
    assert receivers >= 1 and len(enrolment_completed.receivers) == receivers
    assert hooks_on_the_apps_session() == hooks
