"""The notifications domain's jobs: delivering the outbox."""
from lms.core import clock
from lms.jobs.engine import crontab, job, periodic
from lms.notifications import delivery, reminders


@job()
def deliver_mail() -> None:
    """Queued after each commit that put mail in the outbox."""
    delivery.deliver_due()


@periodic(crontab())
def deliver_due_mail() -> None:
    """Every minute: retries that are due, and mail whose delivery job was lost or whose worker died."""
    delivery.deliver_due()


@periodic(crontab(minute="5", hour="*"))
def send_reminders_and_digests() -> None:
    """Hourly (each notice goes once; a missed hour is caught up by the next): work due within three days,
    intakes starting within a week, instructors' daily grading digest — for today in the programme's zone;
    and, on Monday morning, the weekly digest of trainees at risk."""
    today = clock.today()
    reminders.remind_work_due(today)
    reminders.remind_intakes_starting(today)
    reminders.send_grading_digests(today)
    reminders.send_at_risk_digests(clock.now())
