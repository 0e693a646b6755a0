"""flask mail deliver: send the mail that is due now (the worker does it by itself every minute)."""
import click
from flask import current_app
from flask.cli import AppGroup

from lms.notifications.delivery import deliver_due

mail_cli = AppGroup("mail", help="Outgoing mail.")


@mail_cli.command("deliver")
def deliver_command() -> None:
    """Send the outbox mail that is due, by SMTP."""
    if not current_app.config["MAIL_SMTP_HOST"]:
        click.echo("No MAIL_SMTP_HOST configured: mail stays in the outbox (Admin > Outbox).")
        return
    done = deliver_due()
    click.echo(f"{done.sent} message(s) sent, {done.retried} to be retried, {done.failed} failed.")
