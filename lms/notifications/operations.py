"""Sending mail (always to the outbox; a worker delivers it by SMTP when configured) and in-app notifications."""
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.extensions import db
from lms.jobs.engine import queue
from lms.notifications.models import NoticeKind, NoticeSetting, Notification, OutboxMail, SentNotice


def send_mail(to_address: str, subject: str, body: str, attachments: list[dict] | None = None) -> OutboxMail:
    """Puts a mail in the outbox; the delivery job is queued once the transaction commits."""
    from lms.notifications.jobs import deliver_mail

    mail = OutboxMail(to_address=to_address, subject=subject, body=body, attachments=attachments or None)
    db.session.add(mail)
    queue(deliver_mail)
    return mail


def notify(user: User, message: str, link: str | None = None, mail_subject: str | None = None) -> Notification:
    """Tell a user in the app and, when a subject is given, by mail too."""
    notification = Notification(user=user, message=message, link=link)
    db.session.add(notification)
    if mail_subject:
        body = message if not link else f"{message}\n\n{link}"
        send_mail(user.email, mail_subject, body)
    return notification


def wants(user: User, kind: NoticeKind) -> bool:
    setting = db.session.get(NoticeSetting, (user.id, kind))
    return setting is None or setting.is_enabled


def set_wanted(user: User, wanted: set[NoticeKind]) -> None:
    """Saves which of the kinds offered to the person they want (the others are switched off)."""
    for kind in kinds_for(user):
        setting = db.session.get(NoticeSetting, (user.id, kind)) or NoticeSetting(user_id=user.id, kind=kind)
        setting.is_enabled = kind in wanted
        db.session.add(setting)


def notify_once(user: User, kind: NoticeKind, key: str, message: str, mail_subject: str,
                link: str | None = None) -> bool:
    """Tells the person, unless they switched this kind off or were told about `key` already; True if told."""
    if not wants(user, kind):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(SentNotice(user_id=user.id, kind=kind, key=key))
    except IntegrityError:  # told already, by this run or another worker's
        return False
    notify(user, message, link=link, mail_subject=mail_subject)
    return True


def kinds_for(user: User) -> list[NoticeKind]:
    """The kinds of notice a person of this role can receive (what their settings page offers)."""
    from lms.accounts.models import Role

    return {
        Role.TRAINEE: [NoticeKind.WORK_DUE, NoticeKind.INTAKE_STARTING],
        Role.INSTRUCTOR: [NoticeKind.GRADING_DIGEST, NoticeKind.AT_RISK_DIGEST],
        Role.COUNTRY_COORDINATOR: [NoticeKind.NEW_REQUEST, NoticeKind.AT_RISK_DIGEST],
        Role.PROGRAMME_COORDINATOR: [NoticeKind.NEW_REQUEST, NoticeKind.AT_RISK_DIGEST],
    }.get(user.role, [])
