"""What a session has read that one page asks for many times (content translations, a trainee's extension),
kept until the session writes or ends its transaction, so a page reads it once and never a stale copy."""
from lms.core import events
from lms.extensions import db

_KEPT = "read_once"


def read_once(key: tuple, load):
    """`load()`'s result, loaded once per session until its next flush, commit or rollback."""
    kept = db.session.info.get(_KEPT)
    if kept is not None and key in kept:
        return kept[key]
    value = load()  # may flush first (autoflush), which forgets what was kept: keep it afterwards
    db.session.info.setdefault(_KEPT, {})[key] = value
    return value


def _forget(session, *_args) -> None:
    session.info.pop(_KEPT, None)


def listen() -> None:
    for moment in ("after_flush", "after_commit", "after_rollback"):
        events.on_app_session(moment, _forget)
