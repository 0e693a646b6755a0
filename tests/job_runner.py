"""Running queued jobs in tests, as a worker would: every job queued so far, in order, until none is left."""
from lms.jobs.engine import huey


def queued_names() -> list[str]:
    """Names of the jobs waiting in the queue (without running them)."""
    return [huey.deserialize_task(data).name for data in huey.storage.enqueued_items()]


def run_queued_jobs(limit: int = 1000) -> list[str]:
    """Runs the queue dry (jobs queued by jobs included); returns the names of the jobs run."""
    ran = []
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran.append(task.name)
        assert len(ran) < limit, "jobs keep queueing each other"
    return ran


def run_due_retries() -> list[str]:
    """Runs the retries whose delay has passed (by the clock tests move)."""
    for data in huey.storage.read_schedule(huey._get_timestamp()):
        huey.storage.enqueue(data)
    return run_queued_jobs()


def clear_jobs() -> None:
    huey.storage.flush_queue()
    huey.storage.flush_schedule()
