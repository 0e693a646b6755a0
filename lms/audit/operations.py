"""Writing audit entries; every audited operation calls record(), which also logs what changed (ids only)."""
import logging
from decimal import Decimal
from typing import Any

from lms.accounts.models import User
from lms.audit.models import AuditEntry
from lms.extensions import db

log = logging.getLogger("lms.operations")


def _as_json(value):
    """The value as the audit's JSON columns store it: exact grades (Decimal) as their decimal text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_json(item) for item in value]
    return value


def record(actor: User | None, action: str, obj: Any, before: dict | None = None,
           after: dict | None = None, reason: str | None = None) -> AuditEntry:
    entry = AuditEntry(
        actor=actor, action=action, object_type=type(obj).__name__.lower(), object_id=getattr(obj, "id", None),
        before=_as_json(before), after=_as_json(after), reason=reason,
    )
    db.session.add(entry)
    # Who did what to which object; the before/after values stay in the audit table (they may name people).
    log.info("%s %s %s by user %s", action, entry.object_type, entry.object_id, getattr(actor, "id", None),
             extra={"actor_id": getattr(actor, "id", None), "action": action, "object_type": entry.object_type,
                    "object_id": entry.object_id})
    return entry
