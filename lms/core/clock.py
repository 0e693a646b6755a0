"""The one clock: what time it is (UTC) and what day it is in a given zone; tests move it with time-machine."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

# Where the programme's calendar runs when no app is configured (the secretariat's zone).
DEFAULT_PROGRAMME_TIME_ZONE = "Asia/Bangkok"


def now() -> datetime:
    """The current moment, timezone-aware, in UTC: what every stored time is compared with."""
    return datetime.now(timezone.utc)


def programme_zone() -> ZoneInfo:
    """The zone the programme's calendar (intake starts and ends, online deadlines) is kept in."""
    name = current_app.config["PROGRAMME_TIME_ZONE"] if has_app_context() else DEFAULT_PROGRAMME_TIME_ZONE
    return ZoneInfo(name)


def today(zone: ZoneInfo | str | None = None) -> date:
    """Today's date in `zone` (a name or ZoneInfo); the programme's zone when none is given."""
    if zone is None:
        zone = programme_zone()
    elif isinstance(zone, str):
        zone = ZoneInfo(zone)
    return now().astimezone(zone).date()
