"""Template globals and filters shared by every page."""
from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("day")
    def day(value: date | datetime | None) -> str:
        return format_date(value, "d MMM yyyy") if value else ""

    @app.template_filter("moment")
    def moment(value: datetime | None) -> str:
        return format_datetime(value, "d MMM yyyy, HH:mm 'UTC'") if value else ""

    @app.template_filter("grade")
    def grade(value) -> str:
        from lms.core.grades import shown

        return shown(value)

    @app.context_processor
    def navigation():
        from lms.accounts.models import Role
        from lms.enrolment.models import EnrolmentState

        return {"Role": Role, "EnrolmentState": EnrolmentState}

    from lms.core.urls import external_url

    app.add_template_global(external_url)
