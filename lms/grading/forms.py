"""Forms of the instructor's pages: rubric grading, quiz overrides, sessions and attendance, extensions."""
from datetime import datetime, time, timezone

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import (DateField, DecimalField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField, TimeField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from lms.catalogue.models import AssessmentKind, RubricCriterion
from lms.core.forms import BaseForm
from lms.core.grades import shown
from lms.core.i18n import zone_label
from lms.enrolment.models import Enrolment, Intake


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

    def show_version(self, version: int) -> None:
        """After a newer version arrived: the page is re-sent with it, keeping the grader's choices."""
        self.version.data, self.version.raw_data = version, [str(version)]

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


class _RosterChoiceMixin:
    present = SelectMultipleField(_l("Present"), coerce=int, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())

    def load_roster(self, enrolments: list[Enrolment]) -> None:
        self.present.choices = [SelectChoice(enrolment.id, enrolment.user.full_name) for enrolment in enrolments]


class AttendanceForm(_RosterChoiceMixin, BaseForm):
    submit = SubmitField(_l("Save attendance"))

    def __init__(self, *args, roster: list[Enrolment], **kwargs):
        super().__init__(*args, **kwargs)
        self.load_roster(roster)


class SessionForm(_RosterChoiceMixin, BaseForm):
    held_on = DateField(_l("Date"), validators=[InputRequired(_l("Please enter the date of the session."))])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give the session a title.")),
                                                Length(max=200)])
    submit = SubmitField(_l("Add the session"))

    def __init__(self, *args, intake: Intake, roster: list[Enrolment], **kwargs):
        super().__init__(*args, **kwargs)
        self.intake = intake
        self.load_roster(roster)

    def validate_held_on(self, field):
        if field.data and not self.intake.starts_on <= field.data <= self.intake.ends_on:
            raise ValidationError(_l("Choose a date within the intake, from %(start)s to %(end)s.",
                                     start=self.intake.starts_on.isoformat(), end=self.intake.ends_on.isoformat()))


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

