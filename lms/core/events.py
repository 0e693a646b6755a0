"""What one domain tells the others: named signals (blinker, as Flask and Indico use), and the app session's hooks.

A domain that has something to say sends a signal here and never imports the operations of the domains that
care; they connect their listeners when the app is created (create_app calls each domain's `listen()`),
and so do the few modules that follow every commit of the app's session (on_app_session).
Connecting the same function again changes nothing, so the many apps the tests build connect each listener
once. Signals are sent inside the transaction that made the change: what a listener writes commits or rolls
back with it, and anything it wants done afterwards it queues with lms.jobs.engine.queue (after the commit).
"""
from blinker import Namespace
from sqlalchemy import event

from lms.extensions import db

_signals = Namespace()

enrolment_completed = _signals.signal("enrolment-completed", doc="""
An active enrolment met every completion condition and is now completed (lms.grading.completion).

Sender: the enrolment, already COMPLETED with its final grade. Keyword `by`: the user whose action
completed it, or None (a job, the end of an intake). Sent once per completion.
Listened to by certificates (lms.certificates.operations: issues the certificate).
""")


def connect(signal, receiver) -> None:
    """Connects `receiver` to `signal` for the life of the process (a second call changes nothing)."""
    signal.connect(receiver, weak=False)


def on_app_session(identifier: str, listener) -> None:
    """Hooks `listener` on the app's own session (Flask-SQLAlchemy's db.session) for a Session event, once.

    db.session makes its sessions from its own Session subclass, so a Session made elsewhere in the process
    (a script's, a test's own, another library's) is not hooked."""
    if not event.contains(db.session, identifier, listener):
        event.listen(db.session, identifier, listener)
