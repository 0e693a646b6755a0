"""Writing audit entries; every audited operation calls record()."""
from typing import Any

from lms.accounts.models import User
from lms.audit.models import AuditEntry
from lms.extensions import db


def record(actor: User | None, action: str, obj: Any, before: dict | None = None,
           after: dict | None = None, reason: str | None = None) -> AuditEntry:
    entry = AuditEntry(
        actor=actor, action=action, object_type=type(obj).__name__.lower(), object_id=getattr(obj, "id", None),
        before=before, after=after, reason=reason,
    )
    db.session.add(entry)
    return entry
