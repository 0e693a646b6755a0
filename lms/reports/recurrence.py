"""When a report schedule next runs: its day and hour in the programme's zone, as a UTC moment."""
from calendar import monthrange
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from lms.reports.models import Frequency, ReportSchedule


def _at(day: date, hour: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, hour, tzinfo=zone).astimezone(timezone.utc)


def monthly_day(year: int, month: int, day_of_month: int) -> date:
    """The schedule's day in that month; a month without it (31 in April, 29 in a February) uses its last day."""
    return date(year, month, min(day_of_month, monthrange(year, month)[1]))


def next_run_after(schedule: ReportSchedule, after: datetime, zone: ZoneInfo) -> datetime:
    """The first moment strictly after `after` at which the schedule is due (UTC)."""
    local = after.astimezone(zone).date()
    if schedule.frequency is Frequency.WEEKLY:
        ahead = (schedule.weekday - local.weekday()) % 7
        candidate = _at(local + timedelta(days=ahead), schedule.time_of_day, zone)
        return candidate if candidate > after else _at(local + timedelta(days=ahead + 7), schedule.time_of_day, zone)
    year, month = local.year, local.month
    while True:
        candidate = _at(monthly_day(year, month, schedule.day_of_month), schedule.time_of_day, zone)
        if candidate > after:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
