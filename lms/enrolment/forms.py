"""Forms for enrolment requests, decisions, withdrawals and nominations."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

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
    email = EmailField(_l("Trainee's e-mail"), filters=[lambda v: v.lower() if isinstance(v, str) else v],
                       validators=[DataRequired(_l("Please enter the trainee's e-mail address.")), Length(max=254),
                                   Email(_l("Please enter a valid e-mail address."), check_deliverability=False)])
    reason = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Nominate and give a place"))

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
        "UTF-8 CSV with a header row: email, full_name, native_name, organisation, position, category, gender "
        "(and country, for programme coordinators). Category is middle_manager, high_manager or technician; "
        "gender is female, male, other or empty."))
    submit = SubmitField(_l("Check and nominate everyone"))

    set_intakes = NominationForm.set_intakes
    validate_intake = NominationForm.validate_intake

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Please choose a CSV file."))
