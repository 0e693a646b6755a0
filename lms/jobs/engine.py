"""The job engine: one Huey instance, jobs queued only after the commit that asked for them.

Storage follows JOBS_BROKER_URL: empty means a SQLite file under the data folder (the embedded
default, processed by the consumer `make run` starts beside the site), redis://... means Redis
(production, any number of workers on any number of machines), memory:// is for the tests.

A job takes ids, never objects, runs in its own app context and session, commits once at the end and
is safe to run twice. It is retried with growing delays (retry_delay, then times retry_backoff) up to
`retries` times; after the last one the failure is kept in job_failure for the admins' jobs page.
"""
import functools
import json
import logging
import os
import socket
from datetime import timedelta
from pathlib import Path
from time import monotonic

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.signals import SIGNAL_ERROR
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.core import clock, events
from lms.extensions import db

log = logging.getLogger(__name__)

__all__ = ["huey", "crontab", "job", "periodic", "queue", "worker_seen_recently"]

HEARTBEAT_FRESH = timedelta(minutes=3)
PENDING_KEY = "lms_jobs_after_commit"

# Results are never read: jobs write what they produce to the database.
huey = Huey("lms", results=False, utc=True, storage_class=MemoryStorage)
_worker_app: Flask | None = None


def storage_for(app: Flask):
    url = app.config.get("JOBS_BROKER_URL", "")
    if url.startswith("memory:"):
        return MemoryStorage(huey.name)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(huey.name, url=url)
    path = Path(app.config["JOBS_SQLITE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStorage(huey.name, filename=str(path))


def configure_jobs(app: Flask) -> None:
    """Points the shared Huey at this app's storage; what db.session queued goes to it after the commit."""
    huey.storage = storage_for(app)
    app.extensions["lms_jobs"] = huey
    events.on_app_session("after_commit", _enqueue_committed)
    events.on_app_session("after_soft_rollback", _forget_rolled_back)


def use_app(app: Flask) -> None:
    """The app a worker runs its jobs in (the consumer has no app context of its own)."""
    global _worker_app
    _worker_app = app


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from lms import create_app

        use_app(create_app())
    return _worker_app


# --- Queuing after the commit --------------------------------------------------------------------

def queue(task, *args, **kwargs) -> None:
    """Queues `task(*args)` once the current transaction commits; nothing if it rolls back.

    The same call asked for twice in one transaction is queued once."""
    pending = db.session.info.setdefault(PENDING_KEY, {})
    pending.setdefault((task.name, args, tuple(sorted(kwargs.items()))), (task, args, kwargs))


def _enqueue_committed(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the work is not committed until the outer transaction is
    for task, args, kwargs in session.info.pop(PENDING_KEY, {}).values():
        try:
            task(*args, **kwargs)
        except Exception:  # the broker is down: the periodic reconciler finds the work later
            log.exception("could not queue %s%r", getattr(task, "name", task), args)


def _forget_rolled_back(session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(PENDING_KEY, None)


# --- Defining jobs -------------------------------------------------------------------------------

def _run_in_app(function, args, kwargs):
    app = _app()
    with app.app_context():
        try:
            result = function(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def job(retries: int = 5, retry_delay: int = 30, retry_backoff: float = 2.0, **options):
    """A job: run by a worker, retried after 30 s, 1, 2, 4 and 8 minutes by default."""
    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            return _run_in_app(function, args, kwargs)

        return huey.task(retries=retries, retry_delay=retry_delay, retry_backoff=retry_backoff,
                         name=function.__name__, **options)(run)

    return decorate


def periodic(schedule, retries: int = 2, retry_delay: int = 60, retry_backoff: float = 2.0):
    """A job run on a crontab schedule (UTC). Every consumer's scheduler queues it, so each run first
    claims its tick in job_run: the copies of other schedulers do nothing."""
    def decorate(function):
        name = f"{function.__module__}.{function.__name__}"

        @functools.wraps(function)
        def run():
            tick = clock.now().replace(second=0, microsecond=0)
            run_id = _claim_tick(name, tick)
            if run_id is None:
                return None
            started = monotonic()
            try:
                result = _run_in_app(function, (), {})
            except Exception as error:
                _finish_run(run_id, started, f"{type(error).__name__}: {error}")
                raise
            _finish_run(run_id, started, None)
            return result

        run.job_name = name
        return huey.periodic_task(schedule, retries=retries, retry_delay=retry_delay, retry_backoff=retry_backoff,
                                  name=function.__name__)(run)

    return decorate


def _claim_tick(name: str, tick) -> int | None:
    from lms.jobs.models import JobRun

    with _app().app_context():
        try:
            run = JobRun(name=name, tick=tick, started_at=clock.now())
            db.session.add(run)
            db.session.commit()
            return run.id
        except IntegrityError:
            db.session.rollback()
            return None
        finally:
            db.session.remove()


def _finish_run(run_id: int, started: float, error: str | None) -> None:
    from lms.jobs.models import JobRun

    with _app().app_context():
        run = db.session.get(JobRun, run_id)
        if run is not None:
            run.finished_at, run.duration_ms = clock.now(), round((monotonic() - started) * 1000)
            run.error = error[:2000] if error else None
            db.session.commit()
        db.session.remove()


@huey.signal(SIGNAL_ERROR)
def _keep_final_failure(signal, task, exc=None) -> None:
    if task.retries:
        return  # it will be tried again
    from lms.jobs.models import JobFailure

    try:
        with _app().app_context():
            db.session.add(JobFailure(name=task.name, task_id=task.id, error=f"{type(exc).__name__}: {exc}"[:4000],
                                      arguments=json.dumps([task.args, task.kwargs], default=str)[:2000]))
            db.session.commit()
            db.session.remove()
    except Exception:
        log.exception("could not record the failure of job %s", task.id)


# --- Is anyone processing jobs? ------------------------------------------------------------------

def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_seen_recently(within: timedelta = HEARTBEAT_FRESH) -> bool:
    """True when a consumer ran its heartbeat job lately (for a readiness check)."""
    from lms.jobs.models import WorkerHeartbeat

    latest = db.session.scalar(select(WorkerHeartbeat.seen_at).order_by(WorkerHeartbeat.seen_at.desc()).limit(1))
    return latest is not None and clock.now() - latest <= within


def beat(name: str | None = None) -> None:
    """Records that this consumer is processing jobs."""
    from lms.jobs.models import WorkerHeartbeat

    name = name or worker_name()
    heartbeat = db.session.get(WorkerHeartbeat, name) or WorkerHeartbeat(name=name)
    heartbeat.seen_at = clock.now()
    db.session.add(heartbeat)


# --- Finding work a lost job left undone -----------------------------------------------------------

RECONCILERS: list = []


def reconciles(function):
    """Registers a function the periodic reconciler calls: it finds undone work and queues it again."""
    RECONCILERS.append(function)
    return function
