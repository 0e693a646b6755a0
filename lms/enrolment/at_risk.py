"""Trainees at risk: stated rules (no guessing) on active enrolments of intakes that have started, with
their thresholds here, once. The roster, the coordinators' list, the progress page and the weekly digest
all read these flags, computed for a whole list in a fixed number of queries.

An enrolment is watched from the intake's first day until the calendar completes or fails it (the
intake's end plus the grading grace period): activity and lessons only while the intake is open, a missed
deadline only once it has closed.
"""
import enum
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.assessments.models import Attempt, Submission
from lms.assessments.scoring import handed_in
from lms.catalogue.models import Assessment
from lms.core import clock
from lms.core.grades import shown
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.learning.models import LessonProgress

INACTIVE_DAYS = 14  # no lesson opened, quiz attempted or work saved for this long
GRADE_CHECK_LEFT = Fraction(1, 3)  # the grade so far counts once less than this part of the intake is left
LESSONS_CHECK_FROM = Fraction(1, 2)  # lessons are compared with the calendar once this part has gone
LESSONS_BEHIND_BY = Fraction(1, 4)  # behind: the part of lessons done trails the part of the intake gone by this


class RiskKind(enum.Enum):
    INACTIVE = "inactive"
    MISSED_DEADLINE = "missed_deadline"
    ATTENDANCE = "attendance"
    GRADE = "grade"
    LESSONS = "lessons"

    @property
    def rule(self):
        """The rule in words, as the pages state it."""
        return {
            RiskKind.INACTIVE: _l("No activity (a lesson opened, a quiz attempted, work saved) for %(days)d days.",
                                  days=INACTIVE_DAYS),
            RiskKind.MISSED_DEADLINE: _l("A quiz or assignment not handed in by its deadline."),
            RiskKind.ATTENDANCE: _l("Attendance below the intake's threshold (classroom and blended intakes)."),
            RiskKind.GRADE: _l("Grade so far below the course's pass mark with less than a third of the intake left."),
            RiskKind.LESSONS: _l("Behind on required lessons: with half the intake gone, a quarter or more behind "
                                 "the calendar."),
        }[self]


@dataclass(frozen=True)
class Risk:
    kind: RiskKind
    values: tuple = ()  # what the reason names, in the order its sentence uses them

    @property
    def text(self) -> str:
        """The reason, in the language of whoever reads it now."""
        if self.kind is RiskKind.INACTIVE:
            return _("No activity for %(days)d days.", days=self.values[0])
        if self.kind is RiskKind.MISSED_DEADLINE:
            return _("Deadline %(day)s passed without: %(titles)s.", day=self.values[0], titles=", ".join(self.values[1]))
        if self.kind is RiskKind.ATTENDANCE:
            return _("Attendance %(rate)g%% is below the %(threshold)d%% the intake requires.",
                     rate=self.values[0], threshold=self.values[1])
        if self.kind is RiskKind.GRADE:
            return _("Grade so far %(grade)s%% is below the pass mark of %(mark)d%% with less than a third of the "
                     "intake left.", grade=self.values[0], mark=self.values[1])
        return _("Behind on lessons: %(done)d of %(required)d done with %(percent)d%% of the intake gone.",
                 done=self.values[0], required=self.values[1], percent=self.values[2])

    def __str__(self) -> str:
        return self.text


def rules() -> list:
    """Every rule in words, for the pages that show flags."""
    return [kind.rule for kind in RiskKind]


def is_watched(enrolment: Enrolment, now: datetime) -> bool:
    """Active, in an intake that has started (in the intake's own zone)."""
    return enrolment.state is EnrolmentState.ACTIVE and enrolment.intake.starts_on <= clock_day(enrolment.intake, now)


def clock_day(intake: Intake, now: datetime):
    return now.astimezone(intake.zone).date()


def _intake_began_at(intake: Intake) -> datetime:
    return datetime.combine(intake.starts_on, time(0), tzinfo=intake.zone).astimezone(timezone.utc)


def part_gone(intake: Intake, day) -> Fraction:
    """How much of the intake's days (counting its first and last) have gone by the start of `day`."""
    length = (intake.ends_on - intake.starts_on).days + 1
    return Fraction(min(max((day - intake.starts_on).days, 0), length), length)


def last_activity(enrolment_ids: list[int]) -> dict[int, datetime]:
    """The latest moment each trainee did something: opened a lesson, worked on a quiz, saved an assignment."""
    if not enrolment_ids:
        return {}
    moments = union_all(
        select(LessonProgress.enrolment_id.label("enrolment_id"), LessonProgress.last_viewed_at.label("at"))
        .where(LessonProgress.enrolment_id.in_(enrolment_ids)),
        select(Attempt.enrolment_id, func.coalesce(Attempt.submitted_at, Attempt.started_at))
        .where(Attempt.enrolment_id.in_(enrolment_ids)),
        select(Submission.enrolment_id, Submission.updated_at).where(Submission.enrolment_id.in_(enrolment_ids)),
    ).subquery()
    latest = {}
    for enrolment_id, at in db.session.execute(
            select(moments.c.enrolment_id, func.max(moments.c.at)).group_by(moments.c.enrolment_id)):
        if isinstance(at, str):  # SQLite hands back a union's timestamps as text
            at = datetime.fromisoformat(at)
        latest[enrolment_id] = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return latest


def _missed(watched: list[Enrolment], now: datetime) -> dict[int, list[str]]:
    """The titles of the assessments each enrolment never handed in by its deadline (an extension's, if any)."""
    from lms.assessments.deadlines import extensions_by_work, terms_for

    closed = [enrolment for enrolment in watched if now > enrolment.intake.closes_at]  # no deadline comes earlier
    if not closed:
        return {}
    version_ids = {enrolment.intake.course_version_id for enrolment in closed}
    by_version: dict[int, list[Assessment]] = {}
    for assessment in db.session.scalars(select(Assessment).where(Assessment.version_id.in_(version_ids))
                                         .order_by(Assessment.module_id, Assessment.position)):
        by_version.setdefault(assessment.version_id, []).append(assessment)
    ids = [enrolment.id for enrolment in closed]
    done = handed_in(ids)
    extensions = extensions_by_work(ids)
    return {enrolment.id: [assessment.title for assessment in by_version.get(enrolment.intake.course_version_id, [])
                           if (enrolment.id, assessment.id) not in done
                           and now > terms_for(enrolment, assessment, extensions.get((enrolment.id, assessment.id))).due_at]
            for enrolment in closed}


def risks_of(enrolments: list[Enrolment], now: datetime | None = None) -> dict[int, list[Risk]]:
    """The reasons each watched enrolment is at risk, by enrolment id (absent: not at risk)."""
    from lms.grading.completion import standings_across

    now = now or clock.now()
    watched = [enrolment for enrolment in enrolments if is_watched(enrolment, now)]
    if not watched:
        return {}
    standings = {current.enrolment.id: current for current in standings_across(watched)}
    latest = last_activity([enrolment.id for enrolment in watched])
    missed = _missed(watched, now)
    result: dict[int, list[Risk]] = {}
    for enrolment in watched:
        intake, current = enrolment.intake, standings[enrolment.id]
        day = clock_day(intake, now)
        is_open = day <= intake.ends_on
        found = []
        if is_open:
            idle = now - max(latest.get(enrolment.id, _intake_began_at(intake)), _intake_began_at(intake))
            if idle >= timedelta(days=INACTIVE_DAYS):
                found.append(Risk(RiskKind.INACTIVE, (idle.days,)))
        if missed.get(enrolment.id):
            found.append(Risk(RiskKind.MISSED_DEADLINE, (intake.ends_on.isoformat(), tuple(missed[enrolment.id]))))
        if current.sessions_held and not current.attendance_met:
            found.append(Risk(RiskKind.ATTENDANCE, (current.attendance_rate, current.attendance_threshold)))
        gone = part_gone(intake, day)
        if 1 - gone < GRADE_CHECK_LEFT and not current.grade_passes:
            found.append(Risk(RiskKind.GRADE, (shown(current.weighted_grade), current.pass_mark)))
        if (is_open and current.lessons_required and gone >= LESSONS_CHECK_FROM
                and Fraction(current.lessons_done, current.lessons_required) < gone - LESSONS_BEHIND_BY):
            found.append(Risk(RiskKind.LESSONS, (current.lessons_done, current.lessons_required, round(gone * 100))))
        if found:
            result[enrolment.id] = found
    return result


def watched_enrolments(*, country_id: int | None = None, now: datetime | None = None) -> list[Enrolment]:
    """Every active enrolment of a started intake (of one country if asked), by name."""
    now = now or clock.now()
    latest_start = (now + timedelta(days=1)).date()  # no zone is a day ahead of UTC by more; is_watched decides
    query = (select(Enrolment).join(Enrolment.intake).join(Enrolment.user)
             .where(Enrolment.state == EnrolmentState.ACTIVE, Intake.starts_on <= latest_start)
             .options(joinedload(Enrolment.intake).joinedload(Intake.course),
                      joinedload(Enrolment.intake).selectinload(Intake.instructors),
                      joinedload(Enrolment.user).joinedload(User.country))
             .order_by(User.full_name, Enrolment.id))
    if country_id is not None:
        query = query.where(User.country_id == country_id)
    return [enrolment for enrolment in db.session.scalars(query) if is_watched(enrolment, now)]


def at_risk_ids(*, country_id: int | None = None, now: datetime | None = None) -> set[int]:
    """The enrolments at risk (of one country if asked): what the lists' "at risk" filter keeps."""
    return set(risks_of(watched_enrolments(country_id=country_id, now=now), now))


@dataclass
class AtRisk:
    """One trainee at risk, as a digest names them."""
    enrolment: Enrolment
    risks: list[Risk] = field(default_factory=list)


def everyone_at_risk(now: datetime | None = None) -> list[AtRisk]:
    """Every trainee at risk in the programme, by name, with their reasons."""
    now = now or clock.now()
    enrolments = watched_enrolments(now=now)
    risks = risks_of(enrolments, now)
    return [AtRisk(enrolment, risks[enrolment.id]) for enrolment in enrolments if enrolment.id in risks]

