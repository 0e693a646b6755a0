"""Reading the audit log as people do: names instead of ids, values as text, filters, a page at a time."""
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import aliased, joinedload

from lms.accounts.models import User
from lms.audit.models import AuditEntry
from lms.core.listing import Filter, InputFilter, Listing, Sort
from lms.enrolment.models import Enrolment, Intake
from lms.extensions import db
from lms.programme.models import Country

# Keys of before/after that hold another row's id, and what that row is.
USER_KEYS = ("user_id", "decided_by_id", "nominated_by_id", "graded_by_id", "by_id", "actor_id")
COUNTRY_KEYS = ("country_id",)


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def audit_listing(endpoint: str = "admin.list_audit") -> Listing:
    actor = aliased(User)
    query = select(AuditEntry).outerjoin(actor, AuditEntry.actor_id == actor.id).options(joinedload(AuditEntry.actor))
    actions = db.session.scalars(select(distinct(AuditEntry.action)).order_by(AuditEntry.action)).all()
    types = db.session.scalars(select(distinct(AuditEntry.object_type)).order_by(AuditEntry.object_type)).all()

    def by_actor(q, text):
        if text.lower() in ("system", str(_l("system")).lower()):
            return q.where(AuditEntry.actor_id.is_(None))
        needle = text.lower()
        return q.where(func.lower(actor.full_name).contains(needle, autoescape=True)
                       | actor.email.contains(needle, autoescape=True))

    filters = [
        Filter("action", _l("Action"), [(action, action) for action in actions],
               lambda q, value: q.where(AuditEntry.action == value), all_label=_l("Every action")),
        Filter("object", _l("Object"), [(kind, kind) for kind in types],
               lambda q, value: q.where(AuditEntry.object_type == value), all_label=_l("Every kind")),
    ]
    inputs = [
        InputFilter("actor", _l("Who"), by_actor),
        InputFilter("object_id", _l("Object number"), lambda q, value: q.where(AuditEntry.object_id == value),
                    parse=_positive_int, error=_l("give a number")),
        InputFilter("from", _l("From"), lambda q, day: q.where(AuditEntry.at >= _start_of(day)), parse=_day,
                    input_type="date", error=_l("give a date as YYYY-MM-DD")),
        InputFilter("to", _l("To"), lambda q, day: q.where(AuditEntry.at < _start_of(day + timedelta(days=1))),
                    parse=_day, input_type="date", error=_l("give a date as YYYY-MM-DD")),
    ]
    sorts = [
        Sort("when", _l("When"), (AuditEntry.at, AuditEntry.id)),
        Sort("who", _l("Who"), (actor.full_name, AuditEntry.id)),
        Sort("action", _l("Action"), (AuditEntry.action, AuditEntry.id)),
    ]
    return Listing(endpoint, query, sorts, filters, inputs=inputs, default_sort="-when")


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(text)
    return value


@dataclass
class ReadableEntry:
    entry: AuditEntry
    object_label: str
    before: list[tuple[str, str]]
    after: list[tuple[str, str]]


def readable(entries: list[AuditEntry]) -> list[ReadableEntry]:
    """Each entry with its object named and its before/after values as text, names in place of ids."""
    user_ids, country_ids, enrolment_ids = set(), set(), set()
    for entry in entries:
        if entry.object_type == "user" and entry.object_id:
            user_ids.add(entry.object_id)
        if entry.object_type == "enrolment" and entry.object_id:
            enrolment_ids.add(entry.object_id)
        for values in (entry.before or {}, entry.after or {}):
            for key, value in values.items():
                if isinstance(value, int) and key in USER_KEYS:
                    user_ids.add(value)
                if isinstance(value, int) and key in COUNTRY_KEYS:
                    country_ids.add(value)
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    countries = ({country.id: country for country in db.session.scalars(select(Country).where(Country.id.in_(country_ids)))}
                 if country_ids else {})
    enrolments = ({e.id: e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.id.in_(enrolment_ids))
        .options(joinedload(Enrolment.user), joinedload(Enrolment.intake).joinedload(Intake.course)))}
        if enrolment_ids else {})

    def name_object(entry: AuditEntry) -> str:
        if entry.object_type == "user" and entry.object_id in users:
            return users[entry.object_id].full_name
        if entry.object_type == "enrolment" and entry.object_id in enrolments:
            enrolment = enrolments[entry.object_id]
            return f"{enrolment.user.full_name} · {enrolment.intake.title}"
        return f"{entry.object_type} {entry.object_id or ''}".strip()

    def show(key: str, value) -> tuple[str, str]:
        if key in USER_KEYS and isinstance(value, int):
            return key.removesuffix("_id"), users[value].full_name if value in users else str(value)
        if key in COUNTRY_KEYS and isinstance(value, int):
            return "country", countries[value].name if value in countries else str(value)
        if isinstance(value, (dict, list)):
            return key, json.dumps(value, ensure_ascii=False)
        return key, "" if value is None else str(value)

    return [ReadableEntry(entry, name_object(entry),
                          [show(key, value) for key, value in (entry.before or {}).items()],
                          [show(key, value) for key, value in (entry.after or {}).items()])
            for entry in entries]


def as_text(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in pairs)
