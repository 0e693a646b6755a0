"""Two workers given the same run of a report schedule at the same moment: one sends it, the other finds it done."""
import threading
from datetime import datetime, time, timezone

import pytest
import time_machine
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError

from lms.accounts.models import Role, User
from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.notifications.models import OutboxMail
from lms.programme.models import Programme
from lms.reports.jobs import run_report_schedule
from lms.reports.models import Frequency, ReportSchedule, ReportScheduleRun, RunStatus, WhenUnchanged
from lms.reports.operations import ScheduleSettings, claim_due_runs, create_schedule
from tests.factories import make_programme, make_user

DUE = datetime(2027, 4, 1, 1, 0, tzinfo=timezone.utc)


@pytest.mark.real_transactions
def test_two_workers_running_the_same_run_send_it_once(app):
    with app.app_context(), time_machine.travel(DUE, tick=False):
        programme = make_programme()
        coordinator = make_user(Role.PROGRAMME_COORDINATOR)
        schedule = create_schedule(programme, coordinator, ScheduleSettings(
            name="Race", frequency=Frequency.MONTHLY, day_of_month=1, weekday=None, time_of_day=time(8),
            formats=["csv"], when_unchanged=WhenUnchanged.SEND, to_programme_coordinators=True))
        schedule.next_run_at = DUE
        db.session.flush()
        [run_id] = claim_due_runs(DUE)
        assert claim_due_runs(DUE) == []  # the same due time is not claimed twice
        db.session.commit()
        ids = {"programme": programme.id, "user": coordinator.id, "schedule": schedule.id, "email": coordinator.email}
        db.session.remove()
    try:
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def work() -> None:
            barrier.wait(timeout=30)
            try:
                with app.app_context(), time_machine.travel(DUE, tick=False):
                    run_report_schedule.call_local(run_id)
                outcomes.append("done")
            except OperationalError:  # SQLite: the second writer gave up waiting; the engine retries it
                outcomes.append("busy")
            except Exception as error:  # noqa: BLE001 - recorded, and the test fails on it
                outcomes.append(f"error: {error}")

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not [outcome for outcome in outcomes if outcome.startswith("error")], outcomes
        with app.app_context():
            run = db.session.get(ReportScheduleRun, run_id)
            assert run.status is RunStatus.SENT and run.attempts == 1
            count = db.session.scalar(select(func.count()).select_from(OutboxMail)
                                      .where(OutboxMail.to_address == ids["email"]))
            assert count == 1
            db.session.remove()
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMail).where(OutboxMail.to_address == ids["email"]))
            db.session.execute(delete(AuditEntry).where(AuditEntry.actor_id == ids["user"]))
            db.session.execute(delete(ReportScheduleRun).where(ReportScheduleRun.schedule_id == ids["schedule"]))
            db.session.execute(delete(ReportSchedule).where(ReportSchedule.id == ids["schedule"]))
            db.session.delete(db.session.get(Programme, ids["programme"]))
            db.session.execute(delete(User).where(User.id == ids["user"]))
            db.session.commit()
            db.session.remove()
