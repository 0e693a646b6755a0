"""The job engine: queued only after the commit, retried with growing delays, failures kept, ticks run once."""
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from lms.core import clock
from lms.extensions import db
from lms.jobs.engine import job, periodic, crontab, queue, worker_seen_recently
from lms.jobs.jobs import heartbeat
from lms.jobs.models import JobFailure, JobRun
from lms.notifications.models import Notification
from tests.factories import make_user
from tests.job_runner import queued_names, run_due_retries, run_queued_jobs

calls: list = []


@job()
def note_call(user_id: int) -> None:
    calls.append(user_id)


@job(retries=3, retry_delay=10, retry_backoff=2)
def always_broken(user_id: int) -> None:
    calls.append(("broken", user_id))
    raise RuntimeError("the mail server said no")


@job()
def write_a_notification(user_id: int) -> None:
    from lms.accounts.models import User

    db.session.add(Notification(user=db.session.get(User, user_id), message="from a job"))


@periodic(crontab(minute="*/5"))
def count_ticks() -> None:
    calls.append("tick")


def setup_function():
    calls.clear()


def test_a_job_is_queued_only_when_the_transaction_commits(db_session):
    user = make_user()
    queue(note_call, user.id)
    assert queued_names() == []  # nothing yet: the work is not committed
    db_session.commit()
    assert queued_names() == ["note_call"]
    assert run_queued_jobs() == ["note_call"] and calls == [user.id]


def test_work_rolled_back_never_queues_its_jobs(db_session):
    user = make_user()
    db_session.commit()
    queue(note_call, user.id)
    db_session.rollback()
    db_session.commit()
    assert queued_names() == [] and calls == []


def test_a_savepoint_commit_does_not_queue_before_the_outer_commit(db_session):
    user = make_user()
    with db_session.begin_nested():
        queue(note_call, user.id)
    assert queued_names() == []
    db_session.commit()
    assert queued_names() == ["note_call"]


def test_a_job_commits_its_own_work_in_its_own_session(db_session):
    user = make_user()
    queue(write_a_notification, user.id)
    db_session.commit()
    run_queued_jobs()
    assert db_session.scalar(select(Notification.message).where(Notification.user_id == user.id)) == "from a job"


def test_a_failing_job_is_retried_with_growing_delays_then_kept_as_failed(db_session):
    user = make_user()
    queue(always_broken, user.id)
    db_session.commit()
    start = datetime(2027, 5, 1, 8, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False) as traveller:
        run_queued_jobs()
        assert len(calls) == 1
        elapsed = 0
        for delay in (10, 20, 40):  # each retry waits twice as long as the one before
            traveller.move_to(start + timedelta(seconds=elapsed + delay - 1))
            assert run_due_retries() == []  # not due yet
            elapsed += delay
            traveller.move_to(start + timedelta(seconds=elapsed))
            assert run_due_retries() == ["always_broken"]
        assert len(calls) == 4  # the first run and three retries: the cap
        traveller.move_to(start + timedelta(hours=1))
        assert run_due_retries() == []
    failure = db_session.scalar(select(JobFailure).where(JobFailure.name == "always_broken"))
    assert failure is not None and "the mail server said no" in failure.error and str(user.id) in failure.arguments


def test_a_periodic_job_runs_once_per_tick_even_when_two_schedulers_queue_it(db_session):
    with time_machine.travel(datetime(2027, 5, 1, 8, 5, 3, tzinfo=timezone.utc), tick=False):
        count_ticks()  # queued by one consumer's scheduler...
        count_ticks()  # ...and by another's
        run_queued_jobs()
    assert calls == ["tick"]
    run = db_session.scalar(select(JobRun).where(JobRun.name.endswith("count_ticks")))
    assert run.tick == datetime(2027, 5, 1, 8, 5, tzinfo=timezone.utc)
    assert run.finished_at is not None and run.error is None and run.duration_ms >= 0


def test_the_schedule_is_said_where_the_job_is_defined():
    task = count_ticks.s()
    assert task.validate_datetime(datetime(2027, 5, 1, 8, 5))
    assert not task.validate_datetime(datetime(2027, 5, 1, 8, 6))


def test_the_heartbeat_tells_whether_a_worker_processes_jobs(db_session):
    assert not worker_seen_recently()
    with time_machine.travel(datetime(2027, 5, 1, 8, 0, tzinfo=timezone.utc), tick=False) as traveller:
        heartbeat()
        run_queued_jobs()
        assert worker_seen_recently()
        traveller.shift(timedelta(minutes=10))
        assert not worker_seen_recently()
        assert clock.now() == datetime(2027, 5, 1, 8, 10, tzinfo=timezone.utc)


def test_admins_see_each_periodic_jobs_last_run_failures_and_whether_a_worker_runs(signed_in_client, db_session):
    from lms.accounts.models import Role

    user = make_user()
    queue(always_broken, user.id)
    db_session.commit()
    with time_machine.travel(datetime(2027, 5, 1, 8, 5, tzinfo=timezone.utc), tick=False) as traveller:
        run_queued_jobs()
        for _ in range(3):
            traveller.shift(timedelta(minutes=5))
            run_due_retries()
        count_ticks()
        run_queued_jobs()
    client = signed_in_client(Role.ADMIN)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "No job worker has been seen" in page
    assert "count_ticks" in page and "always_broken" in page and "the mail server said no" in page
    heartbeat()
    run_queued_jobs()
    assert "A job worker is running." in client.get("/admin/jobs").get_data(as_text=True)
