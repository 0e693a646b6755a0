"""The notifications domain's jobs: delivering the outbox."""
from lms.jobs.engine import crontab, job, periodic
from lms.notifications import delivery


@job()
def deliver_mail() -> None:
    """Queued after each commit that put mail in the outbox."""
    delivery.deliver_due()


@periodic(crontab())
def deliver_due_mail() -> None:
    """Every minute: retries that are due, and mail whose delivery job was lost or whose worker died."""
    delivery.deliver_due()
