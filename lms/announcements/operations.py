"""Posting an announcement and telling each trainee of it once; writes flush and audit, the caller commits."""
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.announcements.models import Announcement, AnnouncementReceipt
from lms.announcements.queries import recipients
from lms.audit.operations import record
from lms.core import clock
from lms.core.i18n import speaking_to
from lms.core.markdown import render_markdown
from lms.core.urls import external_url
from lms.enrolment.models import Intake
from lms.extensions import db
from lms.jobs.engine import queue
from lms.notifications.operations import notify, send_mail
from lms.core.transactions import Refused


class AnnouncementRefused(Refused):
    """An announcement that cannot be posted; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)


def post_announcement(intake: Intake, by: User, title: str, body: str) -> Announcement:
    """Keeps the announcement and queues its delivery, which runs once this transaction commits."""
    from lms.announcements.jobs import deliver_announcement

    title, body = title.strip(), body.strip()
    if not title:
        raise AnnouncementRefused("title", _("Please give the announcement a title."))
    if not body:
        raise AnnouncementRefused("body", _("Please write the announcement."))
    announcement = Announcement(intake=intake, author=by, title=title, body_markdown=body,
                                body_html=render_markdown(body), posted_at=clock.now())
    db.session.add(announcement)
    db.session.flush()
    record(by, "announcement.posted", announcement, after={"intake_id": intake.id, "title": title})
    queue(deliver_announcement, announcement.id)
    return announcement


def _receipt_is_new(announcement: Announcement, user: User) -> bool:
    """Records that the person is told; False when a run before (or another worker now) told them."""
    try:
        with db.session.begin_nested():
            db.session.add(AnnouncementReceipt(announcement_id=announcement.id, user_id=user.id))
    except IntegrityError:
        return False
    return True


def deliver(announcement: Announcement) -> int:
    """Tells every trainee holding a place in the intake, in the app and by mail, each once; how many now."""
    intake = announcement.intake
    author = announcement.author.full_name if announcement.author else _("Your instructor")
    told = 0
    for enrolment in recipients(intake):
        trainee = enrolment.user
        if not _receipt_is_new(announcement, trainee):
            continue
        link = external_url("learning.show_intake", enrolment_id=enrolment.id)
        with speaking_to(trainee):
            # In the app a line with the link; by mail the whole text, which needs no visit to read.
            notify(trainee, _("New announcement in %(course)s from %(name)s: %(title)s",
                              course=intake.course.title, name=author, title=announcement.title), link=link)
            body = "\n\n".join([announcement.title, announcement.body_markdown,
                                _("Read it on your course page: %(link)s", link=link)])
            send_mail(trainee.email, _("%(course)s: %(title)s", course=intake.course.title,
                                       title=announcement.title)[:200], body)
        told += 1
    announcement.delivered_at = clock.now()
    db.session.flush()
    return told
