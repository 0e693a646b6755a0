"""Nominating many trainees from a CSV file: every row checked first, then all placed or none."""
import csv
import io
from dataclasses import dataclass

from email_validator import EmailNotValidError
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import Category, Gender, OrganisationType, Role, User, normalised_email
from lms.accounts.names import name_problem
from lms.accounts.operations import invite_user
from lms.core.text import first_hidden_character
from lms.enrolment.models import Enrolment, Intake
from lms.enrolment.operations import EnrolmentRefused, nominate
from lms.extensions import db
from lms.programme import quota
from lms.programme.models import Country

MAX_ROWS = 500
MAX_BYTES = 512 * 1024
REQUIRED_COLUMNS = ("email", "full_name", "organisation", "position", "category")
OPTIONAL_COLUMNS = ("native_name", "gender", "country", "organisation_type")
LIMITS = {"email": 254, "full_name": 120, "native_name": 120, "organisation": 160, "position": 120}


@dataclass
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str
    value: str | None = None  # what the file said, echoed so the person finds it

    def __str__(self) -> str:
        if self.value is not None:
            return _("Row %(row)d, column %(column)s: %(message)s (the file says \"%(value)s\")", row=self.row,
                     column=self.column, message=self.message, value=_shown(self.value))
        return _("Row %(row)d, column %(column)s: %(message)s", row=self.row, column=self.column,
                 message=self.message)


def _shown(value: str, limit: int = 60) -> str:
    """The bad value as it can be shown: control characters made visible, long text cut."""
    visible = "".join(ch if ord(ch) >= 32 else f"\\x{ord(ch):02x}" for ch in value)
    return visible if len(visible) <= limit else visible[:limit] + "…"


TEMPLATE_HEADER = ("email", "full_name", "native_name", "organisation", "organisation_type", "position", "category",
                   "gender", "country")
TEMPLATE_EXAMPLE = ("somchai.w@example.org", "Somchai Wongsawat", "สมชาย วงศ์สวัสดิ์", "National telecom regulator",
                    "government", "Spectrum engineer", "technician", "male", "TH")


def _dialect(text: str) -> str:
    """',' or ';' as the header row shows: Excel saves ';' where the decimal mark is a comma."""
    header = text.splitlines()[0] if text else ""
    if header.count(";") > header.count(","):
        return ";"
    return ","


@dataclass
class Nominee:
    row: int
    email: str
    existing: User | None
    values: dict


class NominationFileInvalid(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def read_rows(data: bytes) -> list[dict]:
    if len(data) > MAX_BYTES:
        raise NominationFileInvalid([RowError(1, "-", _("The file is larger than 512 KB; split it."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NominationFileInvalid([RowError(1, "-", _("The file is not UTF-8 text. Save it as 'CSV UTF-8'."))]) from None
    delimiter = _dialect(text)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        other = "\t" if "\t" in (text.splitlines() or [""])[0] else None
        hint = (_("the columns seem to be separated by tabs; save the file as CSV with commas or semicolons")
                if other else _("this column is missing from the header row"))
        raise NominationFileInvalid([RowError(1, column, hint, value=(text.splitlines() or [""])[0])
                                     for column in missing])
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise NominationFileInvalid([RowError(1, name, _("unknown column"), value=name) for name in unknown])
    reader.fieldnames = header
    rows = [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]
    if not rows:
        raise NominationFileInvalid([RowError(2, "-", _("the file has no rows after the header"))])
    if len(rows) > MAX_ROWS:
        raise NominationFileInvalid([RowError(MAX_ROWS + 2, "-", _("at most %(max)d rows per file", max=MAX_ROWS))])
    return rows


def check_rows(rows: list[dict], by: User, intake: Intake) -> list[Nominee]:
    """Every problem of every row, or the nominees ready to be placed."""
    errors: list[RowError] = []
    nominees: list[Nominee] = []
    seen: dict[str, int] = {}
    countries = {country.code: country for country in db.session.scalars(select(Country))}
    for number, row in enumerate(rows, start=2):
        row_errors = _check_row(number, row, by, countries, seen)
        errors += row_errors
        if row_errors:
            continue
        existing = db.session.scalar(select(User).where(User.email == row["email"]))
        if existing is not None:
            errors += _check_existing(number, row, existing, by, intake)
        nominees.append(Nominee(number, row["email"], existing, row))
    if not errors:
        errors += _check_places(nominees, by, intake)
    if errors:
        raise NominationFileInvalid(errors)
    return nominees


def _check_row(number: int, row: dict, by: User, countries: dict, seen: dict) -> list[RowError]:
    errors = []
    for column in REQUIRED_COLUMNS:
        if not row.get(column):
            errors.append(RowError(number, column, _("this value is required")))
    for column, limit in LIMITS.items():
        value = row.get(column, "")
        if len(value) > limit:
            errors.append(RowError(number, column, _("longer than %(limit)d characters", limit=limit), value))
        hidden = first_hidden_character(value)
        if hidden is not None:
            errors.append(RowError(number, column, _("contains a control or invisible character (U+%(code)s)",
                                                     code=f"{ord(hidden):04X}"), value))
    for column, latin in (("full_name", True), ("native_name", False)):
        problem = row.get(column) and name_problem(row[column], latin=latin)
        if problem:
            errors.append(RowError(number, column, str(problem), row[column]))
    if row.get("email"):
        try:
            row["email"] = normalised_email(row["email"])
        except EmailNotValidError as invalid:
            errors.append(RowError(number, "email", _("not a valid e-mail address: %(why)s", why=str(invalid)),
                                   row["email"]))
        else:
            if row["email"] in seen:
                errors.append(RowError(number, "email", _("the same address is on row %(row)d", row=seen[row["email"]]),
                                       row["email"]))
            seen.setdefault(row["email"], number)
    if row.get("category") and row["category"] not in {member.value for member in Category}:
        errors.append(RowError(number, "category", _("must be middle_manager, high_manager or technician"),
                               row["category"]))
    if row.get("organisation_type") and row["organisation_type"] not in {member.value for member in OrganisationType}:
        errors.append(RowError(number, "organisation_type", _("must be government, business, education, other or empty"),
                               row["organisation_type"]))
    if row.get("gender") and row["gender"] not in {member.value for member in Gender}:
        errors.append(RowError(number, "gender", _("must be female, male, other or empty"), row["gender"]))
    if by.role is Role.COUNTRY_COORDINATOR:
        if row.get("country") and row["country"].upper() != by.country.code:
            errors.append(RowError(number, "country", _("you can nominate trainees of %(country)s only",
                                                         country=by.country.name), row["country"]))
        row["country_id"] = by.country_id
    else:
        country = countries.get(row.get("country", "").upper())
        if country is None:
            errors.append(RowError(number, "country", _("give the country's two-letter code, e.g. TH"),
                                   row.get("country", "")))
        else:
            row["country_id"] = country.id
    return errors


def _check_existing(number: int, row: dict, user: User, by: User, intake: Intake) -> list[RowError]:
    if user.role is not Role.TRAINEE:
        return [RowError(number, "email", _("this address belongs to a staff account, not a trainee"), user.email)]
    if user.country_id != row["country_id"]:
        return [RowError(number, "email", _("this trainee is registered for another country"), user.email)]
    if db.session.scalar(select(Enrolment.id).where(Enrolment.intake_id == intake.id, Enrolment.user_id == user.id)):
        return [RowError(number, "email", _("this trainee is already in the intake"), user.email)]
    return []


def _check_places(nominees: list[Nominee], by: User, intake: Intake) -> list[RowError]:
    errors = []
    taken = quota.places_taken(intake)
    if taken + len(nominees) > intake.capacity:
        free = quota.places_left(intake.capacity, taken)
        errors.append(RowError(len(nominees) + 1, "-", _("the intake has %(free)d free places for %(count)d people",
                                                         free=free, count=len(nominees))))
    new_people: dict[int, int] = {}
    for nominee in nominees:
        if nominee.existing is None or not quota.holds_place_already(nominee.existing, intake.programme_id):
            new_people[nominee.values["country_id"]] = new_people.get(nominee.values["country_id"], 0) + 1
    allocations = {country.id: allocation for country, allocation in quota.allocations(intake.programme)}
    for country_id, count in new_people.items():
        free = quota.places_left(allocations.get(country_id, 0),
                                 quota.people_holding_places(intake.programme_id, country_id))
        if count > free:
            errors.append(RowError(len(nominees) + 1, "-", _(
                "the file needs %(count)d places of the country's allocation, but %(free)d remain",
                count=count, free=free)))
    return errors


def nominate_all(nominees: list[Nominee], by: User, intake: Intake) -> list[Enrolment]:
    """Create any new trainee accounts and place everyone; raises EnrolmentRefused to undo the lot."""
    # Every country's allocation first, in id order, before any intake: no deadlock against an approval.
    quota.lock_allocations(intake.programme_id, {nominee.values["country_id"] for nominee in nominees})
    enrolments = []
    for nominee in nominees:
        trainee = nominee.existing or _create_trainee(nominee.values, by)
        try:
            enrolments.append(nominate(by, trainee, intake, reason="Nominated by CSV upload"))
        except EnrolmentRefused as refused:
            raise EnrolmentRefused(str(RowError(nominee.row, "-", refused.message))) from None
    return enrolments


def _create_trainee(values: dict, by: User) -> User:
    """A new trainee account; the person chooses a password from the mailed invitation."""
    return invite_user(by, email=values["email"], role=Role.TRAINEE, full_name=values["full_name"],
                       native_name=values.get("native_name") or None, country_id=values["country_id"],
                       organisation=values["organisation"], position=values["position"],
                       category=Category(values["category"]),
                       organisation_type=(OrganisationType(values["organisation_type"])
                                          if values.get("organisation_type") else None),
                       gender=Gender(values["gender"]) if values.get("gender") else None)
