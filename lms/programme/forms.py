"""The programme settings form: target, dates and one allocation field a country."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.core.forms import BaseForm
from lms.programme.models import Country, Programme

MAX_PEOPLE = 100_000


class WholeNumberField(IntegerField):
    """A number of people; text that is not a whole number gets a plain message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Please give a whole number, such as 25.")) from None


class ProgrammeSettingsForm(BaseForm):
    target = WholeNumberField(_l("Target (people to certify)"), validators=[
        InputRequired(_l("Please give the target as a whole number.")),
        NumberRange(min=1, max=MAX_PEOPLE, message=_l("The target must be between 1 and %(max)d.", max=MAX_PEOPLE))])
    starts_on = DateField(_l("Start date"), validators=[DataRequired(_l("Please give a valid date."))])
    ends_on = DateField(_l("End date"), validators=[DataRequired(_l("Please give a valid date."))])
    aqrf_level = WholeNumberField(
        _l("ASEAN Qualifications Reference Framework level (optional)"),
        validators=[Optional(), NumberRange(min=1, max=8, message=_l("An AQRF level is between 1 and 8."))],
        description=_l("Certificates' credentials then align each course to this level; leave empty for none."))
    reason = StringField(_l("Reason for the change (kept in the audit log)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save the settings"))

    @classmethod
    def for_programme(cls, programme: Programme, countries: list[Country], counted: dict[int, int]):
        """The form with an allocation field for each country, filled from the programme."""
        fields = {}
        for country in countries:
            least = counted.get(country.id, 0)
            fields[f"allocation_{country.code}"] = WholeNumberField(
                country.name,
                validators=[InputRequired(_l("Please give the allocation as a whole number (0 for none).")),
                            NumberRange(min=0, max=MAX_PEOPLE,
                                        message=_l("An allocation is between 0 and %(max)d.", max=MAX_PEOPLE))],
                description=_l("At least %(least)d: people already counted for %(country)s.", least=least,
                               country=country.name),
            )
        form_class = type("ProgrammeSettingsForm", (cls,), fields)
        data = {"target": programme.target, "starts_on": programme.starts_on, "ends_on": programme.ends_on,
                "aqrf_level": programme.aqrf_level}
        data |= {f"allocation_{country.code}": programme.allocation_for(country) for country in countries}
        form = form_class(data=data)
        form.countries, form.counted = countries, counted
        return form

    def allocation_field(self, country: Country):
        return self[f"allocation_{country.code}"]

    def allocations(self) -> dict[Country, int]:
        return {country: self.allocation_field(country).data for country in self.countries}

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("The end date must be after the start date."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for country in self.countries:
            field = self.allocation_field(country)
            least = self.counted.get(country.id, 0)
            if field.data is not None and not field.errors and field.data < least:
                field.errors.append(_l(
                    "%(country)s already counts %(least)d people (holding a place or certified); the allocation "
                    "cannot be lower.", country=country.name, least=least))
                valid = False
        values = [self.allocation_field(country).data for country in self.countries]
        if self.target.data is not None and None not in values and sum(values) > self.target.data:
            self.target.errors.append(_l(
                "The allocations add up to %(total)d, above the target of %(target)d. Raise the target or lower "
                "some allocations.", total=sum(values), target=self.target.data))
            valid = False
        return valid
