"""Forms for enrolment requests, decisions, withdrawals and nominations."""
from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (DateField, EmailField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.accounts.models import normalised_email
from lms.core.forms import BaseForm

DECISIONS = [
    SelectChoice("approve", _l("Approve: give a place")),
    SelectChoice("waitlist", _l("Put on the waiting list")),
    SelectChoice("reject", _l("Reject")),
]


class DecisionForm(BaseForm):
    decision = RadioField(_l("Decision"), choices=DECISIONS,
                          validators=[DataRequired(_l("Please choose a decision."))])
    reason = TextAreaField(_l("Reason (shown to the trainee)"), validators=[Length(max=1000)])
    override_reason = TextAreaField(
        _l("Reason for approving beyond the country's allocation (programme coordinators only)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Leave empty unless the country's allocation is used up and this place must still be "
                       "given. The reason is kept in the audit log."),
    )
    submit = SubmitField(_l("Save the decision"))

    def validate_reason(self, field):
        if self.decision.data in ("waitlist", "reject") and not field.data:
            raise ValidationError(_l("Please give the trainee a reason for this decision."))


class RequestForm(BaseForm):
    submit = SubmitField(_l("Ask to join this intake"))


class WithdrawForm(BaseForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Withdraw from this intake"))


class NominationForm(BaseForm):
    intake = SelectField(_l("Intake"), validate_choice=False)
    email = EmailField(_l("Trainee's e-mail"), filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
                       description=_l("Or find the trainee by name above."),
                       validators=[DataRequired(_l("Please enter the trainee's e-mail address.")), Length(max=254)])
    reason = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Nominate and give a place"))

    def validate_email(self, field):
        try:
            field.data = normalised_email(field.data)
        except EmailNotValidError:
            raise ValidationError(_l("Please enter a valid e-mail address.")) from None

    def set_intakes(self, intakes) -> None:
        self.intake.choices = [SelectChoice("", _l("Choose an intake"))] + [
            SelectChoice(str(intake.id), f"{intake.title} ({intake.starts_on:%d %b %Y})") for intake in intakes]
        self._intake_ids = {str(intake.id) for intake in intakes}

    def validate_intake(self, field):
        if field.data not in self._intake_ids:
            raise ValidationError(_l("Please choose an intake from the list."))


class NominationUploadForm(BaseForm):
    intake = NominationForm.intake
    file = FileField(_l("CSV file"), description=_l(
        "UTF-8 CSV with a header row: email, full_name, native_name, organisation, organisation_type, position, "
        "category, gender (and country, for programme coordinators). Category is middle_manager, high_manager or "
        "technician; organisation_type is government, business, education, other or empty; gender is female, "
        "male, other or empty."))
    submit = SubmitField(_l("Check and nominate everyone"))

    set_intakes = NominationForm.set_intakes
    validate_intake = NominationForm.validate_intake

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Please choose a CSV file."))


class IntakeForm(BaseForm):
    course = SelectField(_l("Course"), validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give the intake a title.")), Length(max=200)],
                        description=_l("For example: Universal service, Hanoi, March 2027"))
    mode = SelectField(_l("Delivery mode"), validate_choice=False)
    starts_on = DateField(_l("First day"), validators=[DataRequired(_l("Please give a valid date."))])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(_l("Please give a valid date."))])
    capacity = IntegerField(_l("Places"), validators=[InputRequired(_l("Please give the number of places.")),
                                                      NumberRange(min=1, max=1000)])
    location = StringField(_l("Place (face-to-face and blended intakes)"), validators=[Length(max=200)])
    attendance_threshold = IntegerField(
        _l("Attendance needed to complete (%)"), default=0,
        validators=[InputRequired(_l("Please give a percentage (0 for none).")), NumberRange(min=0, max=100)])
    instructors = SelectMultipleField(_l("Instructors"), validate_choice=False)
    submit = SubmitField(_l("Save the intake"))

    def set_choices(self, courses, instructors) -> None:
        from lms.enrolment.models import DeliveryMode

        self.course.choices = [SelectChoice("", _l("Choose a course"))] + [
            SelectChoice(str(course.id), course.title) for course in courses]
        self.mode.choices = [SelectChoice(mode.value, mode.label) for mode in DeliveryMode]
        self.instructors.choices = [SelectChoice(str(user.id), user.full_name) for user in instructors]
        self._course_ids = {str(course.id) for course in courses}
        self._instructor_ids = {str(user.id) for user in instructors}

    def validate_course(self, field):
        if field.data not in self._course_ids:
            raise ValidationError(_l("Please choose a course from the list."))

    def validate_mode(self, field):
        from lms.enrolment.models import DeliveryMode

        if field.data not in {mode.value for mode in DeliveryMode}:
            raise ValidationError(_l("Please choose a delivery mode."))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def validate_location(self, field):
        if self.mode.data != "online" and not field.data:
            raise ValidationError(_l("Face-to-face and blended intakes need a place."))

    def validate_instructors(self, field):
        if any(value not in self._instructor_ids for value in field.data or []):
            raise ValidationError(_l("Please choose instructors from the list."))


class BulkDecisionForm(BaseForm):
    """One decision and one reason for every request ticked in the list."""
    decision = RadioField(_l("Decision for the selected requests"), choices=DECISIONS,
                          validators=[DataRequired(_l("Please choose a decision."))])
    reason = StringField(_l("Reason (shown to each trainee)"), validators=[Length(max=1000)])
    next = StringField(validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Decide the selected requests"))

    validate_reason = DecisionForm.validate_reason


class PromoteForm(BaseForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Give a place"))
