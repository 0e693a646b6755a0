"""The announcements domain's jobs: telling an intake's trainees, safe to run twice (receipts)."""
from datetime import timedelta

from sqlalchemy import select

from lms.announcements import operations
from lms.announcements.models import Announcement
from lms.core import clock
from lms.extensions import db
from lms.jobs.engine import job, queue, reconciles

LOST_AFTER = timedelta(minutes=15)  # a delivery job not done by then was lost with its worker or broker


@job()
def deliver_announcement(announcement_id: int) -> None:
    """Queued after the commit that posted the announcement."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is not None:
        operations.deliver(announcement)


@reconciles
def queue_undelivered_announcements() -> int:
    ids = db.session.scalars(select(Announcement.id).where(
        Announcement.delivered_at.is_(None), Announcement.posted_at < clock.now() - LOST_AFTER)
        .order_by(Announcement.id).limit(100)).all()
    for announcement_id in ids:
        queue(deliver_announcement, announcement_id)
    return len(ids)
