"""Sending mail (always to the outbox, also by SMTP when configured) and in-app notifications."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import utcnow
from lms.extensions import db
from lms.notifications.models import Notification, OutboxMail

log = logging.getLogger(__name__)


def send_mail(to_address: str, subject: str, body: str) -> OutboxMail:
    mail = OutboxMail(to_address=to_address, subject=subject, body=body)
    db.session.add(mail)
    return mail


def notify(user: User, message: str, link: str | None = None, mail_subject: str | None = None) -> Notification:
    """Tell a user in the app and, when a subject is given, by mail too."""
    notification = Notification(user=user, message=message, link=link)
    db.session.add(notification)
    if mail_subject:
        body = message if not link else f"{message}\n\n{link}"
        send_mail(user.email, mail_subject, body)
    return notification


def deliver_outbox(limit: int = 100) -> int:
    """Send unsent outbox mail by SMTP; returns how many were sent. Without an SMTP host, sends none."""
    config = current_app.config
    if not config["MAIL_SMTP_HOST"]:
        return 0
    pending = db.session.scalars(
        select(OutboxMail).where(OutboxMail.sent_at.is_(None)).order_by(OutboxMail.id).limit(limit)
    ).all()
    sent = 0
    for mail in pending:
        message = EmailMessage()
        message["From"] = config["MAIL_SENDER"]
        message["To"] = mail.to_address
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        try:
            with smtplib.SMTP(config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"], timeout=10) as smtp:
                if config["MAIL_SMTP_STARTTLS"]:
                    smtp.starttls()
                if config["MAIL_SMTP_USER"]:
                    smtp.login(config["MAIL_SMTP_USER"], config["MAIL_SMTP_PASSWORD"])
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            mail.error = str(error)[:500]
            log.error("mail %s not sent: %s", mail.id, type(error).__name__, extra={"mail_id": mail.id})
            continue
        mail.sent_at, mail.error = utcnow(), None
        sent += 1
    return sent
