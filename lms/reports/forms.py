"""The report schedule form (a programme coordinator's) and its short form, a country coordinator's subscription."""
from datetime import time

from babel.dates import get_day_names
from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale, lazy_gettext as _l
from wtforms import (BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.forms import BaseForm, no_hidden_characters
from lms.core.i18n import country_name, zone_label
from lms.programme.models import Country
from lms.reports.models import Frequency, ReportSchedule, WhenUnchanged
from lms.reports.operations import ScheduleSettings

MAX_EXTRA_ADDRESSES = 20
FORMATS = [SelectChoice("pdf", "PDF"), SelectChoice("csv", "CSV")]


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (works without JavaScript, and on a phone better than a multiple select)."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReportScheduleForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Please give the schedule a name.")), Length(max=120),
                                               no_hidden_characters],
                       description=_l("Shown in the mail, such as \"Monthly report to the ministries\"."))
    frequency = RadioField(_l("How often"), choices=[SelectChoice(member.value, member.label) for member in Frequency],
                           default=Frequency.MONTHLY.value,
                           validators=[DataRequired(_l("Please choose monthly or weekly."))])
    day_of_month = IntegerField(
        _l("Day of the month (monthly)"), default=1, validators=[Optional()],
        description=_l("1 to 31. A month without that day (the 31st in April, the 29th in most Februaries) gets "
                       "its report on its last day."))
    weekday = SelectField(_l("Day of the week (weekly)"), coerce=int, default=0)
    hour = SelectField(_l("Time of day"), default="08:00",
                       choices=[SelectChoice(f"{hour:02d}:00", f"{hour:02d}:00") for hour in range(24)])
    formats = CheckboxesField(_l("Attach"), choices=FORMATS, default=["pdf"])
    when_unchanged = RadioField(_l("When nothing has changed since the previous report"),
                                choices=[SelectChoice(member.value, member.label) for member in WhenUnchanged],
                                default=WhenUnchanged.SEND.value,
                                validators=[DataRequired(_l("Please choose what to do when nothing has changed."))])
    to_programme_coordinators = BooleanField(_l("All programme coordinators (the whole programme's report)"))
    countries = CheckboxesField(
        _l("Country coordinators of these countries"),
        description=_l("Each country coordinator receives her or his own country's report only."))
    extra_addresses = TextAreaField(
        _l("Other addresses (optional)"), validators=[Length(max=5000)],
        description=_l("One e-mail address a line, at most %(max)d, such as a ministry's office; they receive the "
                       "whole programme's report.", max=MAX_EXTRA_ADDRESSES))
    submit = SubmitField(_l("Save the schedule"))

    def __init__(self, *args, countries: list[Country] = (), zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        names = get_day_names("wide", locale=get_locale())
        self.weekday.choices = [SelectChoice(number, names[number]) for number in range(7)]
        self.hour.label.text = _l("Time of day (%(zone)s)", zone=zone_label(zone))
        if "countries" in self._fields:
            self._countries = {country.code: country for country in countries}
            self.countries.choices = [SelectChoice(country.code, country_name(country)) for country in countries]
        self.addresses: list[str] = []

    @classmethod
    def of_schedule(cls, schedule: ReportSchedule, **kwargs):
        data = {"name": schedule.name, "frequency": schedule.frequency.value,
                "day_of_month": schedule.day_of_month or 1, "weekday": schedule.weekday or 0,
                "hour": schedule.time_of_day.strftime("%H:00"), "formats": schedule.formats,
                "when_unchanged": schedule.when_unchanged.value,
                "to_programme_coordinators": schedule.to_programme_coordinators,
                "countries": [country.code for country in schedule.countries],
                "extra_addresses": "\n".join(schedule.extra_addresses or [])}
        return cls(data=data, **kwargs)

    def validate_day_of_month(self, field):
        if self.frequency.data != Frequency.MONTHLY.value:
            return
        if field.data is None or not 1 <= field.data <= 31:
            raise ValidationError(_l("Please give a day of the month from 1 to 31."))

    def validate_formats(self, field):
        if not field.data:
            raise ValidationError(_l("Please choose PDF, CSV or both: a report needs at least one file."))

    def validate_extra_addresses(self, field):
        addresses = []
        for line in (field.data or "").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                addresses.append(validate_email(line, check_deliverability=False).normalized)
            except EmailNotValidError:
                raise ValidationError(_l("\"%(address)s\" is not an e-mail address. Please write one address a "
                                         "line.", address=line[:100])) from None
        if len(addresses) > MAX_EXTRA_ADDRESSES:
            raise ValidationError(_l("Please give at most %(max)d addresses.", max=MAX_EXTRA_ADDRESSES))
        self.addresses = list(dict.fromkeys(addresses))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if "to_programme_coordinators" in self._fields and not self.to_programme_coordinators.errors \
                and not self.extra_addresses.errors and not (
                    self.to_programme_coordinators.data or self.countries.data or self.addresses):
            self.to_programme_coordinators.errors.append(_l(
                "Please choose who receives the report: the programme coordinators, the country coordinators of "
                "at least one country, or other addresses."))
            valid = False
        return valid

    def settings(self) -> ScheduleSettings:
        monthly = self.frequency.data == Frequency.MONTHLY.value
        has_recipients = "to_programme_coordinators" in self._fields
        return ScheduleSettings(
            name=self.name.data, frequency=Frequency(self.frequency.data),
            day_of_month=self.day_of_month.data if monthly else None,
            weekday=None if monthly else self.weekday.data,
            time_of_day=time(int(self.hour.data[:2])), formats=list(self.formats.data),
            when_unchanged=WhenUnchanged(self.when_unchanged.data),
            to_programme_coordinators=bool(has_recipients and self.to_programme_coordinators.data),
            countries=[self._countries[code] for code in self.countries.data] if has_recipients else [],
            extra_addresses=self.addresses if has_recipients else [],
        )


class SubscriptionForm(ReportScheduleForm):
    """A country coordinator's own subscription: her country's report, to her; no recipients to choose."""
    to_programme_coordinators = None
    countries = None
    extra_addresses = None
    submit = SubmitField(_l("Save my subscription"))


class DeleteScheduleForm(BaseForm):
    submit = SubmitField(_l("Delete the schedule"))
