"""Forms for registration, sign-in, password reset, the own profile and the admin's user page."""
from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice
from wtforms import (BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import Email, EqualTo, DataRequired, Length, Optional, ValidationError

from lms.accounts import names
from lms.accounts.models import Category, Gender, OrganisationType, Role, TraineeProfile, User, normalised_email
from lms.accounts.password_policy import MIN_PASSWORD_LENGTH, password_problem
from lms.core.forms import BaseForm, no_hidden_characters, parse_id
from lms.core.i18n import LANGUAGES, OFFERED_TIME_ZONES, country_name, zone_choice_label
from lms.extensions import db
from lms.programme.models import Country


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _enum_choices(enum_class):
    return [SelectChoice(member.value, member.label) for member in enum_class]


_no_control_characters = no_hidden_characters


class NewPasswordMixin:
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please choose a password.")), Length(max=200)],
        description=_l("At least %(min)d characters, not a common password. A short sentence is easy to remember.",
                       min=MIN_PASSWORD_LENGTH),
    )
    confirm_password = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Please repeat the password.")),
                    EqualTo("password", message=_l("The two passwords do not match."))],
    )
    # The account's e-mail, when the form has no e-mail field of its own.
    account_email: str | None = None

    def validate_password(self, field):
        email = getattr(getattr(self, "email", None), "data", None) or self.account_email
        problem = password_problem(field.data or "", email)
        if problem:
            raise ValidationError(problem)


class CountryChoiceMixin:
    def load_countries(self) -> None:
        countries = db.session.scalars(select(Country).order_by(Country.name)).all()
        self.country.choices = [SelectChoice("", _l("Choose your country"))] + [
            SelectChoice(str(c.id), country_name(c)) for c in countries]

    def validate_country(self, field):
        country_id = parse_id(field.data)
        if country_id is None or db.session.get(Country, country_id) is None:
            raise ValidationError(_l("Please choose a country from the list."))


class WorkDetailsMixin:
    """What a trainee says about her work, on registration and on her profile; the quota reports count by it."""
    organisation = StringField(
        _l("Organisation"),
        validators=[DataRequired(_l("Please enter your organisation.")), Length(max=160), _no_control_characters],
    )
    organisation_type = SelectField(
        _l("Type of organisation"),
        choices=[SelectChoice("", _l("Choose the type")), *_enum_choices(OrganisationType)],
        validate_choice=False,
        description=_l("The programme reports how government, businesses and educational institutions take part."),
    )
    position = StringField(
        _l("Position"),
        validators=[DataRequired(_l("Please enter your position.")), Length(max=120), _no_control_characters],
    )
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("Choose a category")), *_enum_choices(Category)],
        validators=[DataRequired(_l("Please choose the category that fits your job."))],
        validate_choice=False,
    )
    gender = SelectField(
        _l("Gender (optional)"),
        choices=[SelectChoice("", _l("Prefer not to say")), *_enum_choices(Gender)],
        validate_choice=False,
    )

    def validate_category(self, field):
        if field.data not in {member.value for member in Category}:
            raise ValidationError(_l("Please choose the category that fits your job."))

    def validate_gender(self, field):
        if field.data and field.data not in {member.value for member in Gender}:
            raise ValidationError(_l("Please choose one of the options."))

    def validate_organisation_type(self, field):
        if field.data and field.data not in {member.value for member in OrganisationType}:
            raise ValidationError(_l("Please choose one of the options."))

    def work_details(self) -> dict:
        """The typed values as lms.accounts.operations takes them."""
        return {"organisation": self.organisation.data, "position": self.position.data,
                "category": Category(self.category.data),
                "gender": Gender(self.gender.data) if self.gender.data else None,
                "organisation_type": OrganisationType(self.organisation_type.data)
                if self.organisation_type.data else None}


class RegistrationForm(NewPasswordMixin, CountryChoiceMixin, WorkDetailsMixin, BaseForm):
    email = EmailField(
        _l("E-mail"),
        filters=[_lower],
        validators=[DataRequired(_l("Please enter your e-mail address.")), Length(max=254),
                    Email(_l("Please enter a valid e-mail address, like name@example.org."),
                          check_deliverability=False)],
    )
    full_name = StringField(
        _l("Full name (Latin script)"),
        validators=[DataRequired(_l("Please enter your name.")), Length(max=120), _no_control_characters,
                    names.latin_name],
        description=names.LATIN_NAME_HINT,
    )
    native_name = StringField(
        _l("Name in your own script (optional)"),
        validators=[Optional(), Length(max=120), _no_control_characters, names.native_name],
        description=names.NATIVE_NAME_HINT,
    )
    country = SelectField(_l("Country"), validate_choice=False)
    submit = SubmitField(_l("Create account"))


class WorkDetailsForm(WorkDetailsMixin, BaseForm):
    submit = SubmitField(_l("Save my work details"))

    @classmethod
    def for_profile(cls, profile: TraineeProfile) -> "WorkDetailsForm":
        return cls(data={"organisation": profile.organisation, "position": profile.position,
                         "category": profile.category.value, "gender": profile.gender.value if profile.gender else "",
                         "organisation_type": profile.organisation_type.value if profile.organisation_type else ""})


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), filters=[_lower],
                       validators=[DataRequired(_l("Please enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Please enter your password.")), Length(max=200)])
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        _l("E-mail"), filters=[_lower],
        validators=[DataRequired(_l("Please enter your e-mail address.")), Length(max=254),
                    Email(_l("Please enter a valid e-mail address."), check_deliverability=False)],
    )
    submit = SubmitField(_l("Send me a reset link"))


class ConfirmEmailForm(BaseForm):
    submit = SubmitField(_l("Confirm my address"))


class ResetPasswordForm(NewPasswordMixin, BaseForm):
    submit = SubmitField(_l("Set the new password"))


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Please enter your current password.")),
                                                 Length(max=200)])
    submit = SubmitField(_l("Change the password"))


class TwoFactorCodeForm(BaseForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(_l("Please enter the code.")), Length(max=20)],
                       description=_l("Six digits that change every 30 seconds."))
    submit = SubmitField(_l("Verify"))


class DisableTwoFactorForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Please enter your password.")),
                                                              Length(max=200)])
    submit = SubmitField(_l("Turn off two-factor sign-in"))


class PreferencesForm(BaseForm):
    language = SelectField(_l("Language"), validate_choice=False)
    time_zone = SelectField(_l("Time zone"), validate_choice=False,
                            description=_l("Dates and times are shown in this zone, with its name."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice(code, language.native_name) for code, language in LANGUAGES.items()]
        self.time_zone.choices = [SelectChoice(zone, zone_choice_label(zone)) for zone in OFFERED_TIME_ZONES]

    def validate_language(self, field):
        if field.data not in LANGUAGES:
            raise ValidationError(_l("Please choose a language from the list."))

    def validate_time_zone(self, field):
        if field.data not in OFFERED_TIME_ZONES:
            raise ValidationError(_l("Please choose a time zone from the list."))


def preferences_form_for(user: User) -> PreferencesForm:
    from flask import current_app
    from lms.core.i18n import current_language

    return PreferencesForm(formdata=None, language=current_language().code,
                           time_zone=user.time_zone or current_app.config["PROGRAMME_TIME_ZONE"])


class AccountFieldsMixin(CountryChoiceMixin):
    """What an admin types about a person, inviting or editing; the rules between fields (who needs a
    country, what a trainee needs) are lms/accounts/operations.py's, so both pages say the same."""
    email = EmailField(_l("E-mail"), filters=[lambda value: value.strip() if isinstance(value, str) else value],
                       validators=[DataRequired(_l("Please enter an e-mail address.")), Length(max=254)])
    full_name = StringField(_l("Full name (Latin script)"),
                            validators=[DataRequired(_l("Please enter a name.")), Length(max=120),
                                        _no_control_characters, names.latin_name],
                            description=names.LATIN_NAME_HINT_STAFF)
    native_name = StringField(_l("Name in the person's own script (optional)"),
                              validators=[Optional(), Length(max=120), _no_control_characters, names.native_name],
                              description=names.NATIVE_NAME_HINT_STAFF)
    role = SelectField(_l("Role"), choices=_enum_choices(Role), validate_choice=False)
    country = SelectField(_l("Country"), validate_choice=False,
                          description=_l("Trainees and country coordinators need one; other roles have none."))
    organisation = StringField(_l("Organisation (trainees)"),
                               validators=[Length(max=160), _no_control_characters])
    organisation_type = SelectField(_l("Type of organisation (trainees, optional)"),
                                    choices=[SelectChoice("", _l("Not given")), *_enum_choices(OrganisationType)],
                                    validate_choice=False)
    position = StringField(_l("Position (trainees)"), validators=[Length(max=120), _no_control_characters])
    category = SelectField(_l("Category (trainees)"),
                           choices=[SelectChoice("", _l("Choose a category")), *_enum_choices(Category)],
                           validate_choice=False)

    def load_countries(self) -> None:
        super().load_countries()
        self.country.choices[0] = SelectChoice("", _l("No country"))

    def validate_email(self, field):
        try:
            field.data = normalised_email(field.data)  # the demo's .test addresses are accepted too
        except EmailNotValidError:
            raise ValidationError(_l("Please enter a valid e-mail address, like name@example.org.")) from None

    def validate_role(self, field):
        if field.data not in {member.value for member in Role}:
            raise ValidationError(_l("Please choose a role from the list."))

    def validate_country(self, field):
        if field.data:
            super().validate_country(field)

    def validate_organisation_type(self, field):
        if field.data and field.data not in {member.value for member in OrganisationType}:
            raise ValidationError(_l("Please choose one of the options."))

    def validate_category(self, field):
        if field.data and field.data not in {member.value for member in Category}:
            raise ValidationError(_l("Please choose one of the options."))

    def account_values(self) -> dict:
        """The typed values as lms.accounts.operations takes them."""
        return {"email": self.email.data, "full_name": self.full_name.data,
                "native_name": self.native_name.data or None, "role": Role(self.role.data),
                "country_id": int(self.country.data) if self.country.data else None,
                "organisation": (self.organisation.data or "").strip() or None,
                "position": (self.position.data or "").strip() or None,
                "organisation_type": OrganisationType(self.organisation_type.data) if self.organisation_type.data else None,
                "category": Category(self.category.data) if self.category.data else None}


class InviteUserForm(AccountFieldsMixin, BaseForm):
    submit = SubmitField(_l("Send the invitation"))


class UserAdminForm(AccountFieldsMixin, BaseForm):
    is_active = BooleanField(_l("Account active"))
    reset_two_factor = BooleanField(_l("Reset two-factor sign-in (the person lost their phone and recovery codes)"))
    reason = StringField(_l("Reason for the change (kept in the audit log)"),
                         validators=[Optional(), Length(max=500), _no_control_characters])
    submit = SubmitField(_l("Save"))

    @classmethod
    def for_user(cls, user: User) -> "UserAdminForm":
        """The form filled with the account as it is; a field a request leaves out keeps its value."""
        profile = user.profile
        form = cls(data={
            "email": user.email, "full_name": user.full_name, "native_name": user.native_name,
            "role": user.role.value, "country": str(user.country_id or ""), "is_active": user.is_active,
            "organisation": profile.organisation if profile else "", "position": profile.position if profile else "",
            "organisation_type": profile.organisation_type.value if profile and profile.organisation_type else "",
            "category": profile.category.value if profile else ""})
        form.load_countries()
        form.email.description = _l("A new address waits for its owner to confirm it (we mail the link there) "
                                    "before they can sign in again; the old address is told.")
        return form


class NameCorrectionForm(BaseForm):
    """A trainee asks for her names to be corrected; it starts with the names as they are."""
    full_name = StringField(_l("Full name (Latin script)"),
                            validators=[DataRequired(_l("Please enter your name.")), Length(max=120),
                                        _no_control_characters, names.latin_name],
                            description=names.LATIN_NAME_HINT)
    native_name = StringField(_l("Name in your own script (optional)"),
                              validators=[Optional(), Length(max=120), _no_control_characters, names.native_name],
                              description=names.NATIVE_NAME_HINT)
    reason = TextAreaField(_l("What is wrong, and why"),
                           validators=[DataRequired(_l("Please say what is wrong with your name as it is.")),
                                       Length(max=1000), _no_control_characters],
                           description=_l("For example: my family name is misspelt; it is written this way in "
                                          "my passport."))
    submit = SubmitField(_l("Ask for the correction"))


NAME_DECISIONS = [SelectChoice("approve", _l("Approve: the names change and the trainee's certificates are issued "
                                             "again with them")),
                  SelectChoice("refuse", _l("Refuse: nothing changes"))]


class NameDecisionForm(BaseForm):
    decision = RadioField(_l("Decision"), choices=NAME_DECISIONS,
                          validators=[DataRequired(_l("Please choose a decision."))])
    reason = TextAreaField(_l("Reason (shown to the trainee)"),
                           validators=[Length(max=1000), _no_control_characters],
                           description=_l("Required when you refuse."))
    submit = SubmitField(_l("Save the decision"))

    def validate_reason(self, field):
        if self.decision.data == "refuse" and not field.data:
            raise ValidationError(_l("Please tell the trainee why the request is refused."))
