"""Reads about people shared by the admin's and the coordinators' lists."""
from sqlalchemy import exists, func, or_, select

from lms.accounts.models import User
from lms.extensions import db


def people_matching(search: str):
    """A condition: the search appears, in any case, in the person's name (either script) or e-mail.
    Wildcards typed by the user (% and _) match themselves."""
    needle = search.lower()
    return or_(func.lower(User.full_name).contains(needle, autoescape=True),
               func.lower(User.native_name).contains(needle, autoescape=True),
               User.email.contains(needle, autoescape=True))  # stored lower-cased


def email_taken(email: str, other_than: User | None = None) -> bool:
    """Whether another account already uses the address (stored lower-cased)."""
    query = select(User.id).where(User.email == email.lower())
    if other_than is not None:
        query = query.where(User.id != other_than.id)
    return db.session.scalar(select(exists(query))) or False


def has_enrolments(user: User) -> bool:
    """Whether the person ever asked for or held a place: their history counts for their country."""
    from lms.enrolment.models import Enrolment  # enrolment builds on accounts, not the reverse

    return user.id is not None and bool(db.session.scalar(select(exists().where(Enrolment.user_id == user.id))))
