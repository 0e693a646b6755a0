"""Template globals and filters shared by every page."""
from datetime import date, datetime

from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_timezone, gettext as _

from lms.core.i18n import zone_label


def date_pattern() -> str:
    """CLDR's medium date for the reader's language; English keeps the programme's day-month-year."""
    return "d MMM yyyy" if str(get_locale()) == "en" else "medium"


def format_moment(value: datetime, zone: ZoneInfo | None = None) -> str:
    """A stored (UTC) time in `zone` (the reader's when None), in the reader's language, the zone named."""
    zone = zone or get_timezone()
    local = value.astimezone(zone)
    return f"{format_date(local, date_pattern(), rebase=False)}, {format_datetime(local, 'HH:mm', rebase=False)} {zone_label(zone)}"


def file_size(size: int) -> str:
    """A file's size for a reader deciding whether to download it over a costly link: KB below a megabyte."""
    if size >= 1024 * 1024:
        return _("%(size)s MB", size=format_decimal(size / (1024 * 1024), "#,##0.0"))
    return _("%(size)s KB", size=format_decimal(max(size / 1024, 1), "#,##0"))


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(file_size, "file_size")

    @app.template_filter("day")
    def day(value: date | datetime | None) -> str:
        return format_date(value, date_pattern()) if value else ""

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
