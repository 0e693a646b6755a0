"""Sending mail (always to the outbox; a worker delivers it by SMTP when configured) and in-app notifications."""
from lms.accounts.models import User
from lms.extensions import db
from lms.jobs.engine import queue
from lms.notifications.models import Notification, OutboxMail


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
