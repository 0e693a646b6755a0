"""Delivering the outbox by SMTP: workers claim due rows, send a batch over one verified TLS connection.

A mail is claimed before it is sent (status SENDING, claimed_by a token of this run); on PostgreSQL the
due rows are picked FOR UPDATE SKIP LOCKED, so two workers never take the same mail, and on SQLite the
claiming UPDATE repeats the conditions, so the second writer claims nothing. Each mail is marked sent
in its own commit right after the server accepted it. A temporary failure (a 4xx reply, a connection
that drops or times out, a certificate that does not verify) is retried after a delay that doubles
from two minutes up to an hour; after MAIL_MAX_ATTEMPTS, or on a permanent refusal (5xx), the mail is
marked failed with the server's answer, for the admins. A claim older than CLAIM_LEASE belongs to a
worker that died, and the mail is taken again.
"""
import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select, update

from lms.core import clock
from lms.extensions import db
from lms.notifications.models import MailStatus, OutboxMail

CLAIM_LEASE = timedelta(minutes=10)  # MAIL_CLAIM_LEASE_SECONDS overrides it
FIRST_RETRY = timedelta(minutes=2)
LONGEST_RETRY = timedelta(hours=1)

log = logging.getLogger(__name__)


@dataclass
class Delivered:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """2, 4, 8 ... minutes after the first, second, third ... failed attempt, at most an hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def claim_lease() -> timedelta:
    seconds = current_app.config.get("MAIL_CLAIM_LEASE_SECONDS")
    return timedelta(seconds=seconds) if seconds else CLAIM_LEASE


def _due(now):
    return or_(and_(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now),
               and_(OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_at < now - claim_lease()))


def claim_batch(limit: int) -> list[OutboxMail]:
    """Claims up to `limit` due mails for this worker and commits the claim."""
    now, token = clock.now(), uuid.uuid4().hex
    due = select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.rollback()
        return []
    db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(ids), _due(now))
                       .values(status=MailStatus.SENDING, claimed_by=token, claimed_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.claimed_by == token).order_by(OutboxMail.id)))


def _connect(config) -> smtplib.SMTP:
    """An SMTP connection whose server certificate is verified (hostname included)."""
    context = ssl.create_default_context(cafile=config["MAIL_SMTP_CA_FILE"] or None)
    host, port, timeout = config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"], config["MAIL_SMTP_TIMEOUT"]
    security = config["MAIL_SMTP_SECURITY"]
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
    if config["MAIL_SMTP_USER"]:
        smtp.login(config["MAIL_SMTP_USER"], config["MAIL_SMTP_PASSWORD"])
    return smtp


def message_of(mail: OutboxMail, config) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    # The same id on every attempt: a receiving server that got a mail twice may drop the copy.
    domain = parseaddr(config["MAIL_SENDER"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox-{mail.id}.{mail.created_at:%Y%m%d%H%M%S}@{domain}>"
    message.set_content(mail.body)
    for attachment in mail.attachments or []:
        data = (Path(config["DATA_DIR"]) / attachment["path"]).read_bytes()
        main, _, sub = attachment["type"].partition("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=attachment["name"])
    return message


def _failed_attempt(mail: OutboxMail, error: Exception, permanent: bool, config) -> str:
    mail.attempts += 1
    mail.error = f"{type(error).__name__}: {error}"[:1000]
    mail.claimed_by = mail.claimed_at = None
    log.error("mail %s not sent (attempt %d): %s", mail.id, mail.attempts, type(error).__name__,
              extra={"mail_id": mail.id})
    if permanent or mail.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        mail.status = MailStatus.FAILED
        return "failed"
    mail.status = MailStatus.PENDING
    mail.next_attempt_at = clock.now() + retry_delay(mail.attempts)
    return "retried"


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def send_batch(mails: list[OutboxMail]) -> Delivered:
    """Sends claimed mails over one connection; each outcome is committed as it happens."""
    config = current_app.config
    result = Delivered()
    pending = list(mails)
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:  # the server is away or not trusted: all wait
        _retry_all(pending, error, config, result)
        db.session.commit()
        return result
    try:
        while pending:
            mail = pending[0]
            try:
                smtp.send_message(message_of(mail, config))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                outcome = _failed_attempt(mail, error, _is_permanent(error), config)
                setattr(result, outcome, getattr(result, outcome) + 1)
            except FileNotFoundError as error:  # an attachment went missing: this mail only
                outcome = _failed_attempt(mail, error, False, config)
                setattr(result, outcome, getattr(result, outcome) + 1)
            else:
                mail.status, mail.sent_at, mail.error = MailStatus.SENT, clock.now(), None
                mail.attempts += 1
                mail.claimed_by = mail.claimed_at = None
                result.sent += 1
            db.session.commit()
            pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:  # the connection broke: the rest wait for a retry
        _retry_all(pending, error, config, result)
        db.session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return result


def _retry_all(mails, error, config, result: Delivered) -> None:
    for mail in mails:
        outcome = _failed_attempt(mail, error, False, config)
        setattr(result, outcome, getattr(result, outcome) + 1)


def deliver_due(max_batches: int = 20) -> Delivered:
    """Claims and sends due mail, batch after batch; without an SMTP host nothing is sent."""
    total = Delivered()
    if not current_app.config["MAIL_SMTP_HOST"]:
        return total
    for _ in range(max_batches):
        batch = claim_batch(current_app.config["MAIL_BATCH_SIZE"])
        if not batch:
            break
        done = send_batch(batch)
        total.sent, total.retried, total.failed = (total.sent + done.sent, total.retried + done.retried,
                                                   total.failed + done.failed)
    return total


def send_again(mail: OutboxMail) -> None:
    """An admin sends a failed mail again: it is due at once, with its attempts counted afresh."""
    mail.status, mail.attempts, mail.next_attempt_at = MailStatus.PENDING, 0, clock.now()
    mail.claimed_by = mail.claimed_at = None
