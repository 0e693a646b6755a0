"""Simultaneous approvals for the last places, each on its own connection, never break the quota.

On PostgreSQL the allocation row lock serves them one after another: exactly the allocation is
approved. SQLite serialises writers by refusing a second simultaneous writer, so there some
approvals are refused as busy (the person is asked to try again) and never more than the
allocation is approved either.
"""
import threading

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError

from lms.accounts.models import Role, User
from lms.audit.models import AuditEntry
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.enrolment.operations import QuotaFull, approve_enrolment
from lms.extensions import db
from lms.notifications.models import OutboxMail
from lms.programme.models import Programme
from tests.enrolment.helpers import requested, set_allocation, upcoming_intake
from tests.factories import make_programme, make_user

ALLOCATION = 3
REQUESTS = 10


@pytest.mark.real_transactions
def test_simultaneous_approvals_approve_exactly_the_allocation(app):
    with app.app_context():
        programme = make_programme()
        set_allocation(programme, "TH", ALLOCATION, db.session)
        # Two intakes, so only the country's allocation (not an intake's capacity) links the approvals.
        intakes = [upcoming_intake(programme, capacity=50), upcoming_intake(programme, capacity=50)]
        deciders = [make_user(Role.COUNTRY_COORDINATOR, country_code="TH"), make_user(Role.PROGRAMME_COORDINATOR)]
        enrolments = [requested(intakes[number % 2], "TH") for number in range(REQUESTS)]
        db.session.commit()
        ids = {"programme": programme.id, "intakes": [i.id for i in intakes], "enrolments": [e.id for e in enrolments],
               "users": [d.id for d in deciders] + [e.user_id for e in enrolments]}
        jobs = [(enrolment.id, deciders[number % 2].id) for number, enrolment in enumerate(enrolments)]
        db.session.remove()
    try:
        outcomes = _approve_all_at_once(app, jobs)
        with app.app_context():
            approved = db.session.scalar(select(func.count()).select_from(Enrolment).where(
                Enrolment.id.in_(ids["enrolments"]), Enrolment.state == EnrolmentState.APPROVED))
            dialect = db.engine.dialect.name
        assert outcomes.count("approved") == approved
        assert len(outcomes) == REQUESTS and "error" not in outcomes, outcomes
        if dialect == "postgresql":
            assert approved == ALLOCATION
            assert outcomes.count("quota") == REQUESTS - ALLOCATION
        else:
            assert 1 <= approved <= ALLOCATION
    finally:
        _clean_up(app, ids)


def _approve_all_at_once(app, jobs) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def approve(enrolment_id: int, decider_id: int) -> None:
        with app.app_context():
            enrolment, decider = db.session.get(Enrolment, enrolment_id), db.session.get(User, decider_id)
            _ = enrolment.user.country, enrolment.intake.course
            db.session.commit()  # end the read, so every approval starts its own transaction at the barrier
            barrier.wait(timeout=30)
            try:
                approve_enrolment(enrolment, decider)
                db.session.commit()
                outcomes.append("approved")
            except QuotaFull:
                db.session.rollback()
                outcomes.append("quota")
            except OperationalError:
                db.session.rollback()
                outcomes.append("busy")
            except Exception:  # noqa: BLE001 - recorded, and the test fails on it
                db.session.rollback()
                outcomes.append("error")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=job) for job in jobs]
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
        db.session.execute(delete(OutboxMail).where(OutboxMail.to_address.in_(emails)))
        db.session.execute(delete(Enrolment).where(Enrolment.id.in_(ids["enrolments"])))
        db.session.execute(delete(Intake).where(Intake.id.in_(ids["intakes"])))
        db.session.delete(db.session.get(Programme, ids["programme"]))
        db.session.execute(delete(User).where(User.id.in_(ids["users"])))
        db.session.commit()
        db.session.remove()
