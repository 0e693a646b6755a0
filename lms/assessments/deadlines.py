"""When an assessment is due for one trainee and how many quiz attempts she has, with her extension.

terms_for() is the one rule: the quiz and assignment pages, starting and submitting attempts, lateness,
showing answers and the reminders all ask it. Without an extension the deadline is the intake's
(closes_at) and the attempts the quiz's. An extension only ever gives more: a later deadline, at most
until the intake's results become final (the end of the grading grace period, when the calendar
completes or fails enrolments), and/or extra attempts at a quiz with a limit.

The writes below give, change and withdraw extensions; they flush and audit, the request commits.
Changing or withdrawing one governs what happens next: work already submitted keeps the lateness it
was judged with, and nothing the trainee did is removed.
"""
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User
from lms.assessments.models import Extension
from lms.audit.operations import record
from lms.catalogue.models import Assessment, AssessmentKind
from lms.core import clock
from lms.core.i18n import speaking_to
from lms.core.read_once import read_once
from lms.core.templating import format_moment
from lms.enrolment.lifecycle import results_final_at
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.notifications.operations import notify
from lms.core.transactions import Refused

MAX_EXTRA_ATTEMPTS = 10
# Who may be given an extension: people who hold a place and may still work.
EXTENDABLE_STATES = (EnrolmentState.APPROVED, EnrolmentState.ACTIVE)

_UNSET = object()


@dataclass(frozen=True)
class Terms:
    due_at: datetime
    attempts_allowed: int  # 0: no limit
    extension: Extension | None

    def is_past_due(self, moment: datetime) -> bool:
        return moment > self.due_at

    def has_attempts_left(self, used: int) -> bool:
        return not self.attempts_allowed or used < self.attempts_allowed


def find_extension(enrolment: Enrolment, assessment: Assessment) -> Extension | None:
    if enrolment.id is None or assessment.id is None:
        return None
    # Asked for again and again by one quiz page (her terms, each attempt's closing time).
    return read_once(("extension", enrolment.id, assessment.id), lambda: db.session.scalar(select(Extension).where(
        Extension.enrolment_id == enrolment.id, Extension.assessment_id == assessment.id)))


def terms_for(enrolment: Enrolment, assessment: Assessment, extension: Extension | None | object = _UNSET) -> Terms:
    """Her deadline and attempts at this assessment; pass `extension` when it is already loaded."""
    if extension is _UNSET:
        extension = find_extension(enrolment, assessment)
    due_at = enrolment.intake.closes_at
    attempts = assessment.attempts_allowed if assessment.kind is AssessmentKind.QUIZ else 0
    if extension is not None:
        if extension.due_at is not None:
            due_at = max(due_at, extension.due_at)
        if attempts:
            attempts += extension.extra_attempts
    return Terms(due_at, attempts, extension)


def extensions_by_work(enrolment_ids: list[int]) -> dict[tuple[int, int], Extension]:
    """The extensions of these enrolments in one query, by (enrolment id, assessment id), for terms_for()."""
    if not enrolment_ids:
        return {}
    return {(extension.enrolment_id, extension.assessment_id): extension for extension in db.session.scalars(
        select(Extension).where(Extension.enrolment_id.in_(enrolment_ids)))}


def extensions_of_intake(intake_id: int) -> list[Extension]:
    return list(db.session.scalars(
        select(Extension).join(Extension.enrolment).where(Enrolment.intake_id == intake_id)
        .order_by(Extension.granted_at.desc(), Extension.id.desc())))


# Writes

class ExtensionRefused(Refused):
    """An extension the rules do not allow; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)


def _snapshot(extension: Extension | None) -> dict | None:
    if extension is None:
        return None
    return {"enrolment_id": extension.enrolment_id, "assessment_id": extension.assessment_id,
            "due_at": extension.due_at.isoformat() if extension.due_at else None,
            "extra_attempts": extension.extra_attempts, "reason": extension.reason}


def check_extension(enrolment: Enrolment, assessment: Assessment, due_at: datetime | None, extra_attempts: int,
                    reason: str, now: datetime) -> None:
    """Raises ExtensionRefused with a message for the field at fault."""
    intake = enrolment.intake
    if enrolment.state not in EXTENDABLE_STATES:
        raise ExtensionRefused("enrolment", _("%(name)s's enrolment is %(state)s, so there is no work left to extend.",
                                              name=enrolment.user.full_name, state=enrolment.state.label.lower()))
    if assessment.version_id != intake.course_version_id:
        raise ExtensionRefused("assessment", _("This quiz or assignment is not part of the intake's course."))
    if not reason.strip():
        raise ExtensionRefused("reason", _("Please give the reason for the extension; the trainee reads it."))
    if due_at is None and not extra_attempts:
        raise ExtensionRefused("due_on", _("Please give a later deadline, extra attempts, or both."))
    if extra_attempts:
        if assessment.kind is not AssessmentKind.QUIZ:
            raise ExtensionRefused("extra_attempts", _("Extra attempts are for quizzes; an assignment takes a later deadline."))
        if not assessment.attempts_allowed:
            raise ExtensionRefused("extra_attempts", _("This quiz already allows any number of attempts."))
        if not 0 < extra_attempts <= MAX_EXTRA_ATTEMPTS:
            raise ExtensionRefused("extra_attempts", _("Give from 1 to %(max)d extra attempts.", max=MAX_EXTRA_ATTEMPTS))
    if due_at is None and now > intake.closes_at:
        raise ExtensionRefused("due_on", _("The intake's deadline has passed, so extra attempts need a later "
                                           "deadline too."))
    if due_at is not None:
        if due_at <= now:
            raise ExtensionRefused("due_on", _("The new deadline has already passed; please choose a later one."))
        if due_at <= intake.closes_at:
            raise ExtensionRefused("due_on", _("The new deadline must be later than the intake's own (%(deadline)s).",
                                               deadline=format_moment(intake.closes_at, intake.zone)))
        latest = results_final_at(intake)
        if due_at > latest:
            raise ExtensionRefused("due_on", _(
                "The latest possible deadline is %(latest)s: after it the grading grace period is over and the "
                "intake's results become final.", latest=format_moment(latest, intake.zone)))


def _zone_of(person: User) -> ZoneInfo:
    return ZoneInfo(person.time_zone) if person.time_zone else clock.programme_zone()


def _tell(extension: Extension, by: User, link: str | None) -> None:
    trainee = extension.enrolment.user
    with speaking_to(trainee):
        parts = []
        if extension.due_at is not None:
            parts.append(_("your deadline is now %(deadline)s", deadline=format_moment(extension.due_at, _zone_of(trainee))))
        if extension.extra_attempts:
            parts.append(_("you have %(count)d more attempt(s)", count=extension.extra_attempts))
        notify(trainee, _("%(name)s gave you an extension at “%(title)s”: %(what)s. Reason: %(reason)s",
                          name=by.full_name, title=extension.assessment.title, what="; ".join(parts),
                          reason=extension.reason),
               link=link, mail_subject=_("Extension at %(title)s", title=extension.assessment.title))


def grant_extension(enrolment: Enrolment, assessment: Assessment, by: User, *, due_at: datetime | None,
                    extra_attempts: int, reason: str, link: str | None = None,
                    now: datetime | None = None) -> Extension:
    """Gives, or changes, the trainee's extension at this assessment (one each), audited and told to her."""
    now = now or clock.now()
    reason = reason.strip()
    check_extension(enrolment, assessment, due_at, extra_attempts, reason, now)
    extension = find_extension(enrolment, assessment)
    before = _snapshot(extension)
    if extension is None:
        extension = Extension(enrolment=enrolment, assessment=assessment)
        db.session.add(extension)
    extension.due_at, extension.extra_attempts, extension.reason = due_at, extra_attempts, reason
    extension.granted_by, extension.granted_at = by, now
    db.session.flush()
    record(by, "extension.changed" if before else "extension.granted", extension, before=before,
           after=_snapshot(extension), reason=reason)
    _tell(extension, by, link)
    return extension


def withdraw_extension(extension: Extension, by: User, reason: str, link: str | None = None) -> None:
    """Takes the extension back; what she already submitted stays as it is."""
    reason = reason.strip()
    if not reason:
        raise ExtensionRefused("reason", _("Please give the reason for withdrawing the extension."))
    record(by, "extension.withdrawn", extension, before=_snapshot(extension), after=None, reason=reason)
    trainee = extension.enrolment.user
    with speaking_to(trainee):
        notify(trainee, _("%(name)s withdrew your extension at “%(title)s”; the usual deadline and attempts apply. "
                          "Reason: %(reason)s", name=by.full_name, title=extension.assessment.title, reason=reason),
               link=link, mail_subject=_("Extension withdrawn at %(title)s", title=extension.assessment.title))
    db.session.delete(extension)
    db.session.flush()
