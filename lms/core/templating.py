"""Template globals and filters shared by every page."""
from datetime import date, datetime
from functools import lru_cache

from zoneinfo import ZoneInfo

from babel import Locale, dates
from flask import Flask
from flask_babel import format_date, format_decimal, get_timezone, gettext as _

from lms.core.i18n import reader_locale, zone_label


def date_pattern(locale: Locale | None = None) -> str:
    """CLDR's medium date for the reader's language; English keeps the programme's day-month-year."""
    return "d MMM yyyy" if str(locale or reader_locale()) == "en" else "medium"


def format_moment(value: datetime, zone: ZoneInfo | None = None) -> str:
    """A stored (UTC) time in `zone` (the reader's when None), in the reader's language, the zone named."""
    return _moment_text(value, zone or get_timezone(), reader_locale())


def format_day(value: date) -> str:
    """A calendar date in the reader's language."""
    return _day_text(value, reader_locale())


# A page shows the same dates and times to every reader of a language at each visit: each is formatted
# once per process (CLDR's patterns cost more than the rest of a table cell).
@lru_cache(maxsize=16384)
def _day_text(value: date, locale: Locale) -> str:
    return dates.format_date(value, date_pattern(locale), locale=locale)


@lru_cache(maxsize=16384)
def _moment_text(value: datetime, zone: ZoneInfo, locale: Locale) -> str:
    local = value.astimezone(zone)
    return (f"{dates.format_date(local, date_pattern(locale), locale=locale)}, "
            f"{dates.format_datetime(local, 'HH:mm', locale=locale)} {zone_label(zone)}")


def file_size(size: int) -> str:
    """A file's size for a reader deciding whether to download it over a costly link: KB below a megabyte."""
    if size >= 1024 * 1024:
        return _("%(size)s MB", size=format_decimal(size / (1024 * 1024), "#,##0.0"))
    return _("%(size)s KB", size=format_decimal(max(size / 1024, 1), "#,##0"))


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(file_size, "file_size")

    @app.template_filter("day")
    def day(value: date | datetime | None) -> str:
        if isinstance(value, datetime):
            return format_date(value, date_pattern())  # the day in the reader's zone
        return format_day(value) if value else ""

    @app.template_filter("moment")
    def moment(value: datetime | None, zone: ZoneInfo | str | None = None) -> str:
        """`|moment` in the reader's zone; `|moment(intake.zone)` where the time is defined in another."""
        if not value:
            return ""
        return format_moment(value, ZoneInfo(zone) if isinstance(zone, str) else zone)

    @app.template_filter("grade")
    def grade(value) -> str:
        from lms.core.grades import shown

        return shown(value)

    @app.context_processor
    def navigation():
        from lms.accounts.models import Role
        from lms.enrolment.models import EnrolmentState

        return {"Role": Role, "EnrolmentState": EnrolmentState}

    from lms.core.permissions import can_open
    from lms.core.urls import external_url

    app.add_template_global(external_url)
    app.add_template_global(can_open)
