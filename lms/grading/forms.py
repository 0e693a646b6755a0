"""Forms of the instructor's pages: rubric grading, quiz overrides, sessions and attendance, extensions."""
from datetime import date, datetime, time, timezone

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import (DateField, DecimalField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField, TimeField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from lms.catalogue.models import AssessmentKind, RubricCriterion
from lms.core.forms import BaseForm
from lms.core.grades import shown
from lms.core.i18n import zone_label
from lms.enrolment.models import Enrolment, Intake
from lms.grading.models import IntakeSession


def criterion_field_name(criterion: RubricCriterion) -> str:
    return f"criterion_{criterion.id}"


class GradeForm(BaseForm):
    feedback = TextAreaField(
        _l("Written feedback"), render_kw={"rows": 8},
        validators=[DataRequired(_l("Please write feedback for the trainee.")), Length(max=20000)],
        description=_l("What was done well and what to improve. The trainee sees it with the grade."),
    )
    # How many times the work had been submitted when the page was opened: a newer version must be read first.
    version = IntegerField(_l("Version"), widget=HiddenInput(),
                           validators=[InputRequired(_l("Please reload the page and grade again."))])
    # The grade the page showed (grading.queries.grade_stamp): a grade given since must be read first.
    graded = StringField(_l("Grade seen"), widget=HiddenInput(),
                         validators=[InputRequired(_l("Please reload the page and grade again."))])
    submit = SubmitField(_l("Save the grade and return the work"))

    @classmethod
    def for_rubric(cls, rubric: list[RubricCriterion], **kwargs) -> "GradeForm":
        """A GradeForm with one required radio group per criterion of the rubric."""
        fields = {
            criterion_field_name(criterion): RadioField(
                criterion.title, coerce=int,
                choices=[SelectChoice(level.id, f"{level.label} ({shown(level.points)})") for level in criterion.levels],
                validators=[InputRequired(_l("Please choose a level for this criterion."))],
            )
            for criterion in rubric
        }
        return type(cls.__name__, (cls,), fields)(**kwargs)

    def show_current(self, version: int, stamp: str) -> None:
        """After a newer version or grade arrived: the page is re-sent with them, keeping the grader's choices."""
        self.version.data, self.version.raw_data = version, [str(version)]
        self.graded.data, self.graded.raw_data = stamp, [stamp]

    def level_ids(self, rubric: list[RubricCriterion]) -> dict[int, int]:
        return {criterion.id: self[criterion_field_name(criterion)].data for criterion in rubric}


class OverrideForm(BaseForm):
    score = DecimalField(
        _l("New score (0 to 100)"),
        validators=[InputRequired(_l("Please enter a score from 0 to 100.")),
                    NumberRange(min=0, max=100, message=_l("Please enter a score from 0 to 100."))],
    )
    reason = TextAreaField(
        _l("Reason (kept in the audit log and shown to the trainee)"),
        validators=[DataRequired(_l("Please give the reason for the change.")), Length(max=1000)],
    )
    submit = SubmitField(_l("Override the score"))


NEW_SESSION = "new"


def mark_value(session_key: int | str, enrolment: Enrolment) -> str:
    """A checkbox's value on the attendance sheet: "<session id or new>:<enrolment id>"."""
    return f"{session_key}:{enrolment.id}"


class AttendanceSheetForm(BaseForm):
    """The whole intake's attendance on one sheet: a mark per trainee and session, and an optional new session.

    Every session listed in `shown` is saved as the sheet says (a box left empty is an absence); a session
    added by someone else after the sheet was opened is not listed, so it is left as it is.
    """
    held_on = DateField(_l("Date"), validators=[Optional()])
    starts_at = TimeField(_l("Start time"), validators=[Optional()],
                          description=_l("The venue's time. Leave empty if not fixed."))
    place = StringField(_l("Place"), validators=[Length(max=200)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    present = SelectMultipleField(_l("Attendance"), validate_choice=False)
    shown = SelectMultipleField(validate_choice=False)
    mark_all = StringField()  # the session whose "everyone present" button was pressed, if one was
    submit = SubmitField(_l("Save attendance"))

    def __init__(self, *args, intake: Intake, roster: list[Enrolment], sessions: list[IntakeSession],
                 default_day: date, **kwargs):
        super().__init__(*args, data={"held_on": default_day}, **kwargs)
        self.intake, self.roster, self.sessions, self.default_day = intake, roster, sessions, default_day
        self._marks: dict[int | str, set[int]] = {}

    @property
    def adds_session(self) -> bool:
        """Whether the sheet also creates a session: its details were filled in (the date offered is not
        enough), or someone was marked in its column."""
        return bool(self.title.data or self.place.data
                    or self.held_on.data and self.held_on.data != self.default_day
                    or self.starts_at.raw_data and self.starts_at.raw_data[0]
                    or self.mark_all.data == NEW_SESSION
                    or any(value.startswith(f"{NEW_SESSION}:") for value in self.present.data or []))

    def validate(self, extra_validators=None) -> bool:
        # Messages made now with gettext, not lazily: a lazy string counts as safe HTML, and these quote what was sent.
        valid = super().validate(extra_validators)
        if self.adds_session:
            if not self.held_on.data and not self.held_on.errors:
                self.held_on.errors = [*self.held_on.errors, _("Please enter the date of the session.")]
            elif self.held_on.data and not self.intake.starts_on <= self.held_on.data <= self.intake.ends_on:
                self.held_on.errors = [*self.held_on.errors, _(
                    "Choose a date within the intake, from %(start)s to %(end)s.",
                    start=self.intake.starts_on.isoformat(), end=self.intake.ends_on.isoformat())]
            if not self.title.data:
                self.title.errors = [*self.title.errors, _("Please give the session a title.")]
        problems = self._read_marks()
        if problems:
            self.present.errors = [*self.present.errors, *dict.fromkeys(problems)]  # each problem once
        return valid and not any(field.errors for field in self)

    def _read_marks(self) -> list[str]:
        """Reads the sheet into self._marks; returns what in it cannot be trusted (a stale or forged page)."""
        session_ids = {session.id for session in self.sessions}
        roster_ids = {enrolment.id for enrolment in self.roster}
        problems: list[str] = []
        marks: dict[int | str, set[int]] = {}
        for value in self.shown.data or []:
            if not value.isdigit() or int(value) not in session_ids:
                problems.append(_("The sheet names a session that is not part of this intake (%(value)s). "
                                   "Nothing was saved: reload the page and mark again.", value=value))
            else:
                marks[int(value)] = set()
        if self.adds_session:
            marks[NEW_SESSION] = set()
        for value in self.present.data or []:
            session_part, _sep, enrolment_part = value.partition(":")
            key = NEW_SESSION if session_part == NEW_SESSION else int(session_part) if session_part.isdigit() else None
            if key not in marks:
                problems.append(_("A mark is for a session that is not part of this intake (%(value)s). "
                                   "Nothing was saved: reload the page and mark again.", value=session_part))
            elif not enrolment_part.isdigit() or int(enrolment_part) not in roster_ids:
                problems.append(_("A mark is for someone who is not on this intake's roster (enrolment "
                                   "%(value)s). Nothing was saved: reload the page and mark again.",
                                   value=enrolment_part))
            else:
                marks[key].add(int(enrolment_part))
        target = self.mark_all.data
        if target:
            key = NEW_SESSION if target == NEW_SESSION else int(target) if target.isdigit() else None
            if key not in marks:
                problems.append(_("A mark is for a session that is not part of this intake (%(value)s). "
                                   "Nothing was saved: reload the page and mark again.", value=target))
            else:
                marks[key] = set(roster_ids)
        self._marks = marks
        return problems

    def marks(self) -> dict[int | str, set[int]]:
        """After validation: the enrolment ids present, by session id (or NEW_SESSION)."""
        return self._marks

    def checked(self) -> set[str]:
        """The boxes to show ticked when the sheet is sent back with an error: as they were sent."""
        return set(self.present.data or [])


class ExtensionForm(BaseForm):
    """More time and/or attempts for one trainee; the deadline is entered in the intake's own zone."""

    enrolment = SelectField(_l("Trainee"), coerce=int, validate_choice=False,
                            validators=[InputRequired(_l("Please choose the trainee."))])
    assessment = SelectField(_l("Quiz or assignment"), coerce=int, validate_choice=False,
                             validators=[InputRequired(_l("Please choose the quiz or assignment."))])
    due_on = DateField(_l("New deadline: day"), validators=[Optional()])
    due_time = TimeField(_l("New deadline: time"), default=time(23, 59), validators=[Optional()])
    extra_attempts = IntegerField(
        _l("Extra quiz attempts"), default=0,
        validators=[Optional(), NumberRange(min=0, max=10, message=_l("Give from 0 to 10 extra attempts."))])
    reason = TextAreaField(
        _l("Reason (kept in the audit log and shown to the trainee)"), render_kw={"rows": 3},
        validators=[DataRequired(_l("Please give the reason for the extension; the trainee reads it.")),
                    Length(max=1000)])
    submit = SubmitField(_l("Save the extension"))

    def __init__(self, *args, intake: Intake, roster: list[Enrolment], assessments: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.intake = intake
        self.enrolment.choices = [SelectChoice(enrolment.id, enrolment.user.full_name) for enrolment in roster]
        self.assessment.choices = [SelectChoice(assessment.id, (_("Quiz: %(title)s", title=assessment.title)
                                                                if assessment.kind is AssessmentKind.QUIZ else
                                                                _("Assignment: %(title)s", title=assessment.title)))
                                   for assessment in assessments]
        zone = zone_label(intake.zone)
        self.due_on.description = _l("Leave empty to keep the deadline and give extra attempts only. "
                                     "The time is the intake's (%(zone)s).", zone=zone)

    def validate_enrolment(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("This person does not hold a place in this intake."))

    def validate_assessment(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a quiz or assignment of this intake's course."))

    def due_at(self) -> datetime | None:
        """The deadline entered, as UTC; None when no day was given."""
        if self.due_on.data is None:
            return None
        moment = datetime.combine(self.due_on.data, self.due_time.data or time(23, 59), tzinfo=self.intake.zone)
        return moment.astimezone(timezone.utc)


class WithdrawExtensionForm(BaseForm):
    reason = StringField(_l("Reason for withdrawing"),
                         validators=[DataRequired(_l("Please give the reason for withdrawing the extension.")),
                                     Length(max=1000)])
    submit = SubmitField(_l("Withdraw"))
