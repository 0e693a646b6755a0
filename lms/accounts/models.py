"""Users, their role and scope, and the trainee profile."""
import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import UTCDateTime, enum_column, utcnow
from lms.extensions import db
from lms.programme.models import Country
from lms.core.transactions import Refused

if TYPE_CHECKING:
    from lms.enrolment.models import Intake


class Role(enum.Enum):
    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"
    COUNTRY_COORDINATOR = "country_coordinator"
    PROGRAMME_COORDINATOR = "programme_coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.TRAINEE: _l("Trainee"),
    Role.INSTRUCTOR: _l("Instructor"),
    Role.COUNTRY_COORDINATOR: _l("Country coordinator"),
    Role.PROGRAMME_COORDINATOR: _l("Programme coordinator"),
    Role.ADMIN: _l("Administrator"),
}

# Roles whose scope is one country: a trainee belongs to it, a country coordinator manages it.
COUNTRY_ROLES = (Role.TRAINEE, Role.COUNTRY_COORDINATOR)


class Category(enum.Enum):
    MIDDLE_MANAGER = "middle_manager"
    HIGH_MANAGER = "high_manager"
    TECHNICIAN = "technician"

    @property
    def label(self) -> str:
        return {
            Category.MIDDLE_MANAGER: _l("Middle-level manager"),
            Category.HIGH_MANAGER: _l("High-level manager"),
            Category.TECHNICIAN: _l("Technician"),
        }[self]


class OrganisationType(enum.Enum):
    """Who took part: the Declaration asks for government, businesses and educational institutions."""
    GOVERNMENT = "government"
    BUSINESS = "business"
    EDUCATION = "education"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            OrganisationType.GOVERNMENT: _l("Ministry or regulator"),
            OrganisationType.BUSINESS: _l("Operator or other business"),
            OrganisationType.EDUCATION: _l("Educational institution"),
            OrganisationType.OTHER: _l("Other organisation"),
        }[self]


class Gender(enum.Enum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {Gender.FEMALE: _l("Female"), Gender.MALE: _l("Male"), Gender.OTHER: _l("Other")}[self]


def normalised_email(text: str) -> str:
    """The address as accounts store it (normalised, lower-cased), or EmailNotValidError. Deliverability is
    not checked (the account's own mail proves it), and the reserved .test domain of the demo is accepted."""
    from email_validator import validate_email

    return validate_email(text, check_deliverability=False, test_environment=True).normalized.lower()


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.TRAINEE)
    full_name: Mapped[str] = mapped_column(String(120))  # Latin script
    native_name: Mapped[Optional[str]] = mapped_column(String(120))  # in the person's own script
    country_id: Mapped[Optional[int]] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"))
    language: Mapped[Optional[str]] = mapped_column(String(16))  # lms/core/i18n.py LANGUAGES; None: the browser's
    time_zone: Mapped[Optional[str]] = mapped_column(String(64))  # an IANA name; None: the programme's
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # When the person proved the address is theirs. Accounts made by staff count as confirmed; a
    # self-registered or nominated one waits (None) until its link is used or a password is set by mail.
    email_confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # When the person was last mailed a link to choose their first password (an account made for them by
    # an admin or a coordinator); None once they have chosen one, or if they registered themselves.
    invited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Raised at sign-out and password change: every session made before stops working.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Two-factor sign-in (TOTP): the shared secret, and when it was confirmed.
    totp_secret: Mapped[Optional[str]] = mapped_column(String(64))
    two_factor_enabled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[Optional[int]]  # the last time step accepted, so a code works only once

    country: Mapped[Optional[Country]] = relationship()
    profile: Mapped[Optional["TraineeProfile"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )
    taught_intakes: Mapped[list["Intake"]] = relationship(
        secondary="intake_instructor", back_populates="instructors", viewonly=True
    )

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint(
            "role NOT IN ('trainee', 'country_coordinator') OR country_id IS NOT NULL",
            name="country_roles_have_country",
        ),
    )

    def __init__(self, **values):
        values.setdefault("email_confirmed_at", utcnow())  # a column default would also replace an explicit None
        super().__init__(**values)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"

    def get_id(self) -> str:
        """The session's user id carries the session version, so old sessions stop matching."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_invitation_pending(self) -> bool:
        """Invited but no password chosen yet: the only accounts an invitation can be sent to again."""
        return self.invited_at is not None

    @property
    def has_two_factor(self) -> bool:
        return self.two_factor_enabled_at is not None and bool(self.totp_secret)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def sees_whole_programme(self) -> bool:
        return self.role in (Role.PROGRAMME_COORDINATOR, Role.ADMIN)

    def can_manage_country(self, country_id: int | None) -> bool:
        """Coordinators act on trainees of their own country; programme staff on every country."""
        if self.sees_whole_programme:
            return True
        return self.role is Role.COUNTRY_COORDINATOR and country_id is not None and self.country_id == country_id

    def can_correct_names_of(self, person: "User") -> bool:
        """Who decides a correction of the names printed on a trainee's certificates: a coordinator of her
        country, or a programme coordinator."""
        if self.role is Role.PROGRAMME_COORDINATOR:
            return True
        return (self.role is Role.COUNTRY_COORDINATOR and person.country_id is not None
                and self.country_id == person.country_id)

    def teaches(self, intake: "Intake") -> bool:
        return self.role is Role.INSTRUCTOR and any(person.id == self.id for person in intake.instructors)


class TraineeProfile(db.Model):
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(160))
    organisation_type: Mapped[Optional[OrganisationType]] = mapped_column(
        enum_column(OrganisationType))  # None: not given (profiles made before it was asked)
    position: Mapped[str] = mapped_column(String(120))
    category: Mapped[Category] = mapped_column(enum_column(Category))
    gender: Mapped[Optional[Gender]] = mapped_column(enum_column(Gender))

    user: Mapped[User] = relationship(back_populates="profile")

    def __repr__(self) -> str:
        return f"<TraineeProfile user={self.user_id} {self.category.value}>"


class CorrectionState(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {CorrectionState.PENDING: _l("Waiting for a decision"), CorrectionState.APPROVED: _l("Approved"),
                CorrectionState.REFUSED: _l("Refused")}[self]


class NameCorrectionRefused(Refused):
    """A name correction the rules do not allow; the message is meant for the person acting."""


class NameCorrection(db.Model):
    """A trainee's request to correct the names printed on her certificates, kept with its decision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    # The names asked for, and the names as they were when she asked.
    full_name: Mapped[str] = mapped_column(String(120))
    native_name: Mapped[Optional[str]] = mapped_column(String(120))
    old_full_name: Mapped[str] = mapped_column(String(120))
    old_native_name: Mapped[Optional[str]] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[CorrectionState] = mapped_column(enum_column(CorrectionState), default=CorrectionState.PENDING)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision_reason: Mapped[Optional[str]] = mapped_column(Text)  # required when refused: she is told why

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # One request waiting per person: a second one waits until the first is decided.
        Index("uq_name_correction_pending", "user_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
        CheckConstraint("state != 'refused' OR decision_reason IS NOT NULL", name="refusal_has_reason"),
        CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name="decided_when_not_pending"),
    )

    def __repr__(self) -> str:
        return f"<NameCorrection {self.id} user={self.user_id} {self.state.value}>"

    @property
    def is_pending(self) -> bool:
        return self.state is CorrectionState.PENDING

    def decide(self, state: CorrectionState, by: User, reason: str | None) -> None:
        if not self.is_pending:
            raise NameCorrectionRefused(_l("This request was already decided (%(state)s).", state=self.state.label))
        if state is CorrectionState.REFUSED and not reason:
            raise NameCorrectionRefused(_l("Please tell the trainee why the request is refused."))
        self.state, self.decided_by, self.decided_at, self.decision_reason = state, by, utcnow(), reason or None


class RecoveryCode(db.Model):
    """A one-time code to sign in when the authenticator is lost; only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<RecoveryCode user={self.user_id} used={self.used_at is not None}>"


@event.listens_for(User, "before_insert")
def _first_time_zone(mapper, connection, user: User) -> None:
    """Everyone starts on their country's clock (however the account was made); the profile changes it."""
    if user.time_zone is None and user.country_id is not None:
        from lms.core.i18n import guess_time_zone

        code = connection.scalar(select(Country.code).where(Country.id == user.country_id))
        user.time_zone = guess_time_zone(code)
