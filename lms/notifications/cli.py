"""flask mail deliver: send the outbox by SMTP (run from cron when SMTP is configured)."""
import click
from flask import current_app
from flask.cli import AppGroup

from lms.extensions import db
from lms.notifications.operations import deliver_outbox

mail_cli = AppGroup("mail", help="Outgoing mail.")


@mail_cli.command("deliver")
def deliver_command() -> None:
    """Send unsent outbox mail by SMTP."""
    if not current_app.config["MAIL_SMTP_HOST"]:
        click.echo("No MAIL_SMTP_HOST configured: mail stays in the outbox (Admin > Outbox).")
        return
    sent = deliver_outbox()
    db.session.commit()
    click.echo(f"{sent} message(s) sent.")
