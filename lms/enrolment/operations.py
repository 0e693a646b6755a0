"""Enrolment writes: requests, decisions under the quota, nominations, withdrawals, activation."""
from datetime import date

from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState


def activate_if_started(enrolment: Enrolment, today: date | None = None) -> bool:
    """An approved enrolment becomes active once its intake has started; True if it changed."""
    today = today or utcnow().date()
    if enrolment.state is EnrolmentState.APPROVED and today >= enrolment.intake.starts_on:
        enrolment.move_to(EnrolmentState.ACTIVE, by=enrolment.user, reason="The intake has started")
        return True
    return False
