"""A small programme built by hand, with every figure of its quota report worked out below."""
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import select

from lms.accounts.models import Category, Gender, Role, User
from lms.catalogue.models import Course
from lms.certificates.models import Certificate
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.programme.models import Programme
from lms.programme.operations import create_programme
from tests.factories import country, make_user

S, A, C, W, F, R, Q = (EnrolmentState.APPROVED, EnrolmentState.ACTIVE, EnrolmentState.COMPLETED,
                       EnrolmentState.WITHDRAWN, EnrolmentState.FAILED, EnrolmentState.REQUESTED,
                       EnrolmentState.REJECTED)

# 1 April 2025 to 31 March 2030: 1,826 days (2028 is a leap year). Year 1 ends on 31 March 2026.
STARTS_ON, ENDS_ON = date(2025, 4, 1), date(2030, 3, 31)
TOTAL_DAYS = 1826
# The report is read on 1 April 2027: 731 days of the programme have passed (that day included).
NOW = datetime(2027, 4, 1, 9, 0, tzinfo=timezone.utc)
ELAPSED_DAYS, REMAINING_DAYS = 731, 1095


def enrol(user: User, intake: Intake, state: EnrolmentState) -> Enrolment:
    enrolment = Enrolment(intake=intake, user=user, state=state,
                          requested_at=datetime(2025, 5, 1, tzinfo=timezone.utc))
    if state is EnrolmentState.COMPLETED:
        enrolment.completed_at = datetime.combine(intake.ends_on, time(12), tzinfo=timezone.utc)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def certify(enrolment: Enrolment, completed_on: date, *, revoked: bool = False,
            superseded_by: Certificate | None = None) -> Certificate:
    """A certificate made directly with the ORM, as the certificate issuing code would leave it."""
    intake = enrolment.intake
    certificate = Certificate(
        serial=secrets.token_hex(8), enrolment=enrolment, user=enrolment.user, name_latin=enrolment.user.full_name,
        course_title=intake.course.title, course_title_zh=intake.course.title_zh, course_hours=intake.course.hours,
        intake_starts_on=intake.starts_on, intake_ends_on=intake.ends_on, delivery_mode=intake.mode.value,
        programme_title=intake.programme.title, programme_title_zh=intake.programme.title_zh,
        completed_on=completed_on,
    )
    if revoked:
        certificate.revoked_at = datetime(2027, 1, 15, tzinfo=timezone.utc)
        certificate.revocation_reason = "Issued by mistake"
    db.session.add(certificate)
    db.session.flush()
    return certificate


def supersede(old: Certificate, completed_on: date) -> Certificate:
    """Replace a certificate by a successor for the same completion (a corrected name, say)."""
    old.superseded_at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    db.session.flush()
    new = certify(old.enrolment, completed_on)
    old.superseded_by = new
    db.session.flush()
    return new


def trainee(code: str, category: Category, gender: Gender | None, name: str) -> User:
    user = make_user(Role.TRAINEE, country_code=code, full_name=name)
    user.profile.category, user.profile.gender = category, gender
    return user


def intake(programme: Programme, course: Course, mode: DeliveryMode, starts_on: date, ends_on: date) -> Intake:
    made = Intake(programme=programme, course=course, title=f"{course.title} ({mode.value})", mode=mode,
                  starts_on=starts_on, ends_on=ends_on, capacity=30,
                  location=None if mode is DeliveryMode.ONLINE else "Vientiane, Lao PDR")
    db.session.add(made)
    db.session.flush()
    return made


@dataclass
class SmallProgramme:
    programme: Programme
    people: dict[str, User]
    intakes: dict[str, Intake]


def small_programme() -> SmallProgramme:
    """Target 100; Thailand 30, Viet Nam 2, Lao PDR 10 (and no trainee), Malaysia 3; the rest 0.

    Thailand (7 nominated, 1 approved, 1 active, 3 completed, 2 certified):
      th1 technician, female: completed online (certified 31 Mar 2026, the last day of year 1) and
          face to face (certified later): counts once, in year 1, online
      th2 high-level manager, male: completed face to face, certified 1 Apr 2026 (the first day of year 2)
      th3 middle-level manager, gender not given: withdrew from one intake, active in another
      th4 technician, female: withdrew; nominated, nothing more
      th5 middle-level manager, male: completed, but the certificate was revoked: does not count
      th6 technician, male: failed one intake, asked to join another (requested)
      th7 technician, female: approved
    Viet Nam (2 nominated, 1 active, 2 completed, 1 certified):
      vn1 middle-level manager, female: completed blended; certificate replaced by a successor: counts once
      vn2 technician, male: completed with a revoked certificate, active in another intake
    Malaysia (1 nominated, 1 completed, 1 certified): my1 technician, other, online, certified 2 Apr 2026
    Lao PDR: allocation 10, nobody.
    A rejected Singaporean (sg1) is nominated in Singapore (allocation 0) and nothing else.
    """
    countries = {code: country(code) for code in ("TH", "VN", "LA", "MY", "SG")}
    programme = create_programme(
        title="Small programme", title_zh="小项目", target=100, starts_on=STARTS_ON, ends_on=ENDS_ON,
        allocations={countries["TH"]: 30, countries["VN"]: 2, countries["LA"]: 10, countries["MY"]: 3},
    )
    courses = list(db.session.scalars(select(Course).order_by(Course.slug).limit(3)))
    online = intake(programme, courses[0], DeliveryMode.ONLINE, date(2026, 1, 5), date(2026, 3, 27))
    classroom = intake(programme, courses[1], DeliveryMode.FACE_TO_FACE, date(2026, 2, 2), date(2026, 3, 27))
    blended = intake(programme, courses[2], DeliveryMode.BLENDED, date(2026, 9, 1), date(2026, 12, 18))

    people = {
        "th1": trainee("TH", Category.TECHNICIAN, Gender.FEMALE, "Anong Rattanakul"),
        "th2": trainee("TH", Category.HIGH_MANAGER, Gender.MALE, "Boonmee Srisuk"),
        "th3": trainee("TH", Category.MIDDLE_MANAGER, None, "Chai Wongsawat"),
        "th4": trainee("TH", Category.TECHNICIAN, Gender.FEMALE, "Duangjai Thongdee"),
        "th5": trainee("TH", Category.MIDDLE_MANAGER, Gender.MALE, "Ekachai Boonma"),
        "th6": trainee("TH", Category.TECHNICIAN, Gender.MALE, "Fah Chaiyaporn"),
        "th7": trainee("TH", Category.TECHNICIAN, Gender.FEMALE, "Ganya Prasert"),
        "vn1": trainee("VN", Category.MIDDLE_MANAGER, Gender.FEMALE, "Nguyen Thi Lan"),
        "vn2": trainee("VN", Category.TECHNICIAN, Gender.MALE, "Tran Van Binh"),
        "my1": trainee("MY", Category.TECHNICIAN, Gender.OTHER, "Aisyah Rahman"),
        "sg1": trainee("SG", Category.HIGH_MANAGER, Gender.FEMALE, "Tan Wei Ling"),
    }
    certify(enrol(people["th1"], online, C), date(2026, 3, 31))
    certify(enrol(people["th1"], classroom, C), date(2026, 6, 1))
    certify(enrol(people["th2"], classroom, C), date(2026, 4, 1))
    enrol(people["th3"], online, W)
    enrol(people["th3"], blended, A)
    enrol(people["th4"], online, W)
    certify(enrol(people["th5"], online, C), date(2026, 3, 27), revoked=True)
    enrol(people["th6"], classroom, F)
    enrol(people["th6"], blended, R)
    enrol(people["th7"], blended, S)
    supersede(certify(enrol(people["vn1"], blended, C), date(2026, 12, 18)), date(2026, 12, 18))
    certify(enrol(people["vn2"], online, C), date(2026, 3, 27), revoked=True)
    enrol(people["vn2"], classroom, A)
    certify(enrol(people["my1"], online, C), date(2026, 4, 2))
    enrol(people["sg1"], blended, Q)
    return SmallProgramme(programme, people, {"online": online, "classroom": classroom, "blended": blended})


def months(days: int) -> float:
    return days / (365.25 / 12)
