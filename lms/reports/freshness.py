"""Keeping rendered quota reports until the data they show changes.

Counting the figures reads every enrolment and certificate of the programme, and a country's trainee
list reads its people's enrolments; both change a few times a day, while coordinators open the
dashboards all day. So each rendered part is kept in the process under the reports' version: a number
in the database that grows, in the same transaction, whenever a commit changes a column the reports
show or count from (REPORT_COLUMNS); the hooks are on the app's own session (db.session), so a Session made
elsewhere in the process moves nothing. Every request reads the version first (one row by primary key), so
a change made through any worker shows at once in every worker. The version row is updated as the last
statement before commit, after every lock the transaction takes, so it never waits for another lock
while holding its own.

An entry also expires after REPORT_CACHE_SECONDS and at the end of the day (pace and forecast depend on
the date), which bounds what a change made outside the application (by hand in SQL) can hide.
"""
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from time import monotonic

from flask import current_app, g, has_request_context
from flask_babel import get_locale, get_timezone
from sqlalchemy import insert, inspect, select, update
from sqlalchemy.orm import Session

from lms.accounts.models import TraineeProfile, User
from lms.catalogue.models import Course
from lms.certificates.models import Certificate
from lms.enrolment.models import Enrolment, Intake
from lms.extensions import db
from lms.programme.models import Country, CountryAllocation, Programme
from lms.reports.models import ReportVersion
from lms.core import clock, events

VERSION_ROW = 1
ANY_COLUMN = None
# What the reports show or count from: a new or deleted row of these classes, or a change to these columns
# (a foreign key with its relationship: setting the relationship fills the column only during the flush).
REPORT_COLUMNS: dict[type, frozenset[str] | None] = {
    Programme: ANY_COLUMN,
    CountryAllocation: ANY_COLUMN,
    Country: ANY_COLUMN,
    TraineeProfile: ANY_COLUMN,
    Course: frozenset({"title"}),
    Intake: frozenset({"programme_id", "programme", "course_id", "course", "mode", "starts_on"}),
    Enrolment: frozenset({"state", "intake_id", "intake", "user_id", "user"}),
    Certificate: frozenset({"user_id", "user", "enrolment_id", "enrolment", "completed_on", "revoked_at",
                            "superseded_by_id"}),
    User: frozenset({"country_id", "country", "role", "full_name", "native_name", "email"}),
}
MAX_ENTRIES = 64
_CHANGED = "report_data_changed"


def _changes_reports(instance) -> bool:
    columns = REPORT_COLUMNS.get(type(instance), frozenset())
    if columns is ANY_COLUMN:
        return True
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in columns)


def _note_report_changes(session: Session, flush_context, instances) -> None:
    if session.info.get(_CHANGED):
        return
    if any(type(instance) in REPORT_COLUMNS for instance in (*session.new, *session.deleted)) \
            or any(_changes_reports(instance) for instance in session.dirty):
        session.info[_CHANGED] = True


def _bump_version(session: Session) -> None:
    session.flush()  # commit flushes only after this event; what is pending belongs to this version
    if not session.info.pop(_CHANGED, False):
        return
    bumped = session.execute(update(ReportVersion).where(ReportVersion.id == VERSION_ROW)
                             .values(value=ReportVersion.value + 1))
    if bumped.rowcount == 0:  # a database made without the migrations, which add the row
        session.execute(insert(ReportVersion).values(id=VERSION_ROW, value=1))


def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def listen() -> None:
    """A commit of the app's session that changes what the reports count moves their version."""
    events.on_app_session("before_flush", _note_report_changes)
    events.on_app_session("before_commit", _bump_version)
    events.on_app_session("after_rollback", _forget_changes)


def report_version() -> int:
    return db.session.scalar(select(ReportVersion.value).where(ReportVersion.id == VERSION_ROW)) or 0


def _version_for_request() -> int:
    """The version, read once per request however many parts of the page are kept."""
    if not has_request_context():
        return report_version()
    if "report_version" not in g:
        g.report_version = report_version()
    return g.report_version


def report_edition() -> tuple[str, str, date]:
    """What else a kept report depends on: the language, the reader's zone (its times are shown in it),
    and the programme's day (pace and forecast move with it)."""
    return str(get_locale()), str(get_timezone()), clock.today()


class RenderedReports:
    """Rendered parts of reports by key, with the version they were rendered at; the most recently used kept."""

    def __init__(self, size: int = MAX_ENTRIES):
        self._entries: OrderedDict[Hashable, tuple[int, float, str]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        max_age = current_app.config["REPORT_CACHE_SECONDS"]
        version = _version_for_request()  # read before the data, so what is kept is never older than its version
        now = monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry and entry[0] == version and now - entry[1] < max_age:
                self._entries.move_to_end(key)
                return entry[2]
        html = render()
        if max_age > 0:
            with self._lock:
                self._entries[key] = (version, now, html)
                self._entries.move_to_end(key)
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


rendered_reports = RenderedReports()
