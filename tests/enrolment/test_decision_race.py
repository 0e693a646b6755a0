"""Approve and reject sent for one enrolment at the same moment: one wins, the other is refused, one mail goes out."""
import threading

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError

from lms.accounts.models import Role, User
from lms.audit.models import AuditEntry
from lms.enrolment.models import Enrolment, Intake
from lms.enrolment.operations import EnrolmentRefused, approve_enrolment, reject_enrolment
from lms.extensions import db
from lms.notifications.models import Notification, OutboxMail
from lms.programme.models import Programme
from tests.enrolment.helpers import requested, upcoming_intake
from tests.factories import make_programme, make_user

ROUNDS = 5


@pytest.mark.real_transactions
def test_simultaneous_approve_and_reject_do_not_both_succeed(app):
    with app.app_context():
        programme = make_programme()
        intake = upcoming_intake(programme, capacity=50)
        deciders = [make_user(Role.COUNTRY_COORDINATOR, country_code="TH"), make_user(Role.PROGRAMME_COORDINATOR)]
        enrolments = [requested(intake, "TH") for _ in range(ROUNDS)]
        db.session.commit()
        ids = {"programme": programme.id, "intake": intake.id, "enrolments": [e.id for e in enrolments],
               "users": [d.id for d in deciders] + [e.user_id for e in enrolments],
               "deciders": [d.id for d in deciders]}
        dialect = db.engine.dialect.name
        db.session.remove()
    try:
        for enrolment_id in ids["enrolments"]:
            outcomes = _decide_at_once(app, enrolment_id, ids["deciders"])
            assert "error" not in outcomes and outcomes.count("done") == 1, outcomes
            if dialect == "postgresql":
                assert sorted(outcomes) == ["done", "refused"]  # the row lock serves them one after the other
            with app.app_context():
                user_id = db.session.get(Enrolment, enrolment_id).user_id
                email = db.session.get(User, user_id).email
                assert db.session.scalar(select(func.count()).select_from(OutboxMail)
                                         .where(OutboxMail.to_address == email)) == 1
    finally:
        _clean_up(app, ids)


def _decide_at_once(app, enrolment_id: int, decider_ids: list[int]) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(operation, decider_id: int) -> None:
        with app.app_context():
            sqlite = db.engine.dialect.name == "sqlite"
            if sqlite:  # a writing transaction takes SQLite's write lock at BEGIN: both start at once
                barrier.wait(timeout=30)
            enrolment, decider = db.session.get(Enrolment, enrolment_id), db.session.get(User, decider_id)
            _ = enrolment.user.country, enrolment.intake.course, enrolment.state
            if not sqlite:
                barrier.wait(timeout=30)  # both have read "requested" before either decides
            try:
                operation(enrolment, decider, "Decided in the test")
                db.session.commit()
                outcomes.append("done")
            except EnrolmentRefused:
                db.session.rollback()
                outcomes.append("refused")
            except OperationalError:  # SQLite refuses the second simultaneous writer
                db.session.rollback()
                outcomes.append("busy")
            except Exception:  # noqa: BLE001 - recorded, and the test fails on it
                db.session.rollback()
                outcomes.append("error")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide, args=(approve_enrolment, decider_ids[0])),
               threading.Thread(target=decide, args=(reject_enrolment, decider_ids[1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _clean_up(app, ids) -> None:
    with app.app_context():
        emails = list(db.session.scalars(select(User.email).where(User.id.in_(ids["users"]))))
        db.session.execute(delete(AuditEntry).where(AuditEntry.object_type == "enrolment",
                                                    AuditEntry.object_id.in_(ids["enrolments"])))
        db.session.execute(delete(AuditEntry).where(AuditEntry.actor_id.in_(ids["users"])))
        db.session.execute(delete(Notification).where(Notification.user_id.in_(ids["users"])))
        db.session.execute(delete(OutboxMail).where(OutboxMail.to_address.in_(emails)))
        db.session.execute(delete(Enrolment).where(Enrolment.id.in_(ids["enrolments"])))
        db.session.execute(delete(Intake).where(Intake.id == ids["intake"]))
        db.session.delete(db.session.get(Programme, ids["programme"]))
        db.session.execute(delete(User).where(User.id.in_(ids["users"])))
        db.session.commit()
        db.session.remove()
