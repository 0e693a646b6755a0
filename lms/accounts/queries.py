"""Reads about people shared by the admin's and the coordinators' lists."""
from sqlalchemy import func, or_

from lms.accounts.models import User


def people_matching(search: str):
    """A condition: the search appears, in any case, in the person's name (either script) or e-mail.
    Wildcards typed by the user (% and _) match themselves."""
    needle = search.lower()
    return or_(func.lower(User.full_name).contains(needle, autoescape=True),
               func.lower(User.native_name).contains(needle, autoescape=True),
               User.email.contains(needle, autoescape=True))  # stored lower-cased
