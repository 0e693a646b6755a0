"""The enrolment domain's jobs: the calendar's moves."""
from lms.core import clock
from lms.enrolment import lifecycle
from lms.jobs.engine import crontab, job, periodic


@periodic(crontab(minute="*/15"))
def move_enrolments_on_the_calendar() -> None:
    """Every 15 minutes: intakes that started or ended (programme's zone) move their enrolments."""
    lifecycle.move_on_the_calendar()


@job()
def start_intake(intake_id: int) -> None:
    """Right after a place is given in an intake that has started: the enrolment is active at once."""
    lifecycle.start_intakes(clock.today(), intake_id=intake_id)
