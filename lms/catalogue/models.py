"""Courses and their content: modules, lessons, assessments, questions and rubrics."""
import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Exact, UTCDateTime, enum_column, utcnow
from lms.extensions import db


class Subject(enum.Enum):
    TECHNOLOGY = "technology"
    MANAGEMENT = "management"
    REGULATION = "regulation"
    INFORMATION_SECURITY = "information-security"

    @property
    def label(self) -> str:
        return {
            Subject.TECHNOLOGY: _l("Technology"),
            Subject.MANAGEMENT: _l("Management"),
            Subject.REGULATION: _l("Regulation"),
            Subject.INFORMATION_SECURITY: _l("Information security"),
        }[self]


class Area(enum.Enum):
    INFRASTRUCTURE = "infrastructure"
    UNIVERSAL_SERVICE = "universal-service"
    HUMAN_CAPACITY = "human-capacity"
    NETWORK_SECURITY = "network-security"
    E_COMMERCE_E_GOVERNMENT = "e-commerce-e-government"
    REGULATION_POLICY = "regulation-policy"

    @property
    def label(self) -> str:
        return {
            Area.INFRASTRUCTURE: _l("Infrastructure"),
            Area.UNIVERSAL_SERVICE: _l("Universal service for rural and remote areas"),
            Area.HUMAN_CAPACITY: _l("Human capacity"),
            Area.NETWORK_SECURITY: _l("Network and information security"),
            Area.E_COMMERCE_E_GOVERNMENT: _l("E-commerce and e-government"),
            Area.REGULATION_POLICY: _l("Regulation and policy dialogue"),
        }[self]


class AssessmentKind(enum.Enum):
    QUIZ = "quiz"
    ASSIGNMENT = "assignment"


class GradingMethod(enum.Enum):
    HIGHEST = "highest"
    LAST = "last"
    AVERAGE = "average"


class SubmissionKind(enum.Enum):
    TEXT = "text"
    FILE = "file"
    BOTH = "both"


class AnswerDisplay(enum.Enum):
    """When a quiz shows a trainee the correct answers of a submitted attempt."""

    AFTER_EACH_ATTEMPT = "after-each-attempt"
    AFTER_LAST_ATTEMPT = "after-last-attempt"  # the default: never while an attempt is left
    AFTER_INTAKE_CLOSES = "after-intake-closes"
    NEVER = "never"


class QuestionType(enum.Enum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    NUMERIC = "numeric"
    SHORT = "short"


class Course(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    subject: Mapped[Subject] = mapped_column(enum_column(Subject))
    area: Mapped[Area] = mapped_column(enum_column(Area))
    hours: Mapped[int]
    pass_mark: Mapped[int]
    summary: Mapped[str] = mapped_column(Text)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Hash of the course's files: an unchanged tree is skipped on import.
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list["CourseVersion"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseVersion.number"
    )
    # The newest version: what the catalogue shows and what a new intake is pinned to.
    current_version: Mapped[Optional["CourseVersion"]] = relationship(
        primaryjoin="and_(CourseVersion.course_id == Course.id, CourseVersion.number == Course.version)",
        viewonly=True, uselist=False,
    )

    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_percentage"),
    )

    def __repr__(self) -> str:
        return f"<Course {self.slug} v{self.version}>"

    @property
    def modules(self) -> list["Module"]:
        return self.current_version.modules if self.current_version else []

    @property
    def lessons(self) -> list["Lesson"]:
        return self.current_version.lessons if self.current_version else []

    @property
    def assessments(self) -> list["Assessment"]:
        return self.current_version.assessments if self.current_version else []


class CourseVersion(db.Model):
    """One state of a course's content. Every import that changes a course adds one; the rows of
    its modules, lessons and assessments belong to it and are never changed or deleted afterwards,
    so the work a trainee did keeps pointing at the content it was done on."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    pass_mark: Mapped[int]  # the course's pass mark in this version
    label: Mapped[Optional[str]] = mapped_column(String(40))  # the files' own `version`, if they give one
    summary: Mapped[str] = mapped_column(Text, default="")  # the import plan's lines, as applied
    imported_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="versions")
    imported_by: Mapped[Optional["User"]] = relationship()  # noqa: F821 - accounts is loaded with the models
    modules: Mapped[list["Module"]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Module.position"
    )

    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_percentage"),
    )

    def __repr__(self) -> str:
        return f"<CourseVersion {self.course_id} v{self.number}>"

    @property
    def lessons(self) -> list["Lesson"]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def assessments(self) -> list["Assessment"]:
        return [assessment for module in self.modules for assessment in module.assessments]


class Module(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]

    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Lesson.position"
    )
    assessments: Mapped[list["Assessment"]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Assessment.position"
    )

    __table_args__ = (UniqueConstraint("version_id", "slug"),)

    def __repr__(self) -> str:
        return f"<Module {self.slug}>"


class Lesson(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    minutes: Mapped[int] = mapped_column(default=15)
    is_required: Mapped[bool] = mapped_column(default=True)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised at import

    version: Mapped[CourseVersion] = relationship()
    module: Mapped[Module] = relationship(back_populates="lessons")

    __table_args__ = (
        UniqueConstraint("version_id", "slug"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    def __repr__(self) -> str:
        return f"<Lesson {self.slug}>"


class Assessment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    kind: Mapped[AssessmentKind] = mapped_column(enum_column(AssessmentKind))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    weight: Mapped[Decimal] = mapped_column(Exact)
    pass_mark: Mapped[int]
    # Quizzes
    attempts_allowed: Mapped[int] = mapped_column(default=1)  # 0 = unlimited
    time_limit_minutes: Mapped[int] = mapped_column(default=0)  # 0 = no limit
    grading_method: Mapped[GradingMethod] = mapped_column(enum_column(GradingMethod), default=GradingMethod.HIGHEST)
    late_policy: Mapped[str] = mapped_column(String(20), default="zero")  # accept | zero | penalty-N
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    answers_shown: Mapped[AnswerDisplay] = mapped_column(
        enum_column(AnswerDisplay), default=AnswerDisplay.AFTER_LAST_ATTEMPT)
    # Assignments
    submission_kind: Mapped[Optional[SubmissionKind]] = mapped_column(enum_column(SubmissionKind))
    file_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_file_mb: Mapped[int] = mapped_column(default=10)
    allow_resubmission: Mapped[bool] = mapped_column(default=True)  # until the intake's deadline
    brief_html: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion] = relationship()
    module: Mapped[Module] = relationship(back_populates="assessments")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Question.position"
    )
    rubric: Mapped[list["RubricCriterion"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="RubricCriterion.position"
    )

    __table_args__ = (
        UniqueConstraint("version_id", "slug"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_percentage"),
        CheckConstraint("attempts_allowed >= 0", name="attempts_not_negative"),
        CheckConstraint("time_limit_minutes >= 0", name="time_limit_not_negative"),
        CheckConstraint("max_file_mb > 0", name="max_file_positive"),
        CheckConstraint("kind = 'quiz' OR submission_kind IS NOT NULL", name="assignment_has_submission_kind"),
    )

    def __repr__(self) -> str:
        return f"<Assessment {self.slug} {self.kind.value}>"

    @property
    def max_rubric_points(self) -> Decimal:
        return sum((max((level.points for level in criterion.levels), default=Decimal(0))
                    for criterion in self.rubric), Decimal(0))


class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))  # the id in the quiz file, stable across edits
    position: Mapped[int]
    type: Mapped[QuestionType] = mapped_column(enum_column(QuestionType))
    prompt: Mapped[str] = mapped_column(Text)
    points: Mapped[Decimal] = mapped_column(Exact, default=Decimal(1))
    # The answer key, by type: options [{text, correct}], answer, tolerance, answers.
    # Never rendered to a trainee before their attempt is submitted.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[Assessment] = relationship(back_populates="questions")

    __table_args__ = (
        UniqueConstraint("assessment_id", "key"),
        CheckConstraint("points > 0", name="points_positive"),
    )

    def __repr__(self) -> str:
        return f"<Question {self.key} {self.type.value}>"


class RubricCriterion(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[Assessment] = relationship(back_populates="rubric")
    levels: Mapped[list["RubricLevel"]] = relationship(
        back_populates="criterion", cascade="all, delete-orphan", order_by="RubricLevel.position"
    )

    __table_args__ = (UniqueConstraint("assessment_id", "position"),)

    def __repr__(self) -> str:
        return f"<RubricCriterion {self.title!r}>"


class RubricLevel(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(80))
    points: Mapped[Decimal] = mapped_column(Exact)
    description: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[RubricCriterion] = relationship(back_populates="levels")

    __table_args__ = (
        UniqueConstraint("criterion_id", "position"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    def __repr__(self) -> str:
        return f"<RubricLevel {self.label} {self.points}>"


class PackKind(enum.Enum):
    ZIP = "zip"  # static HTML pages that open from the file system
    PDF = "pdf"  # the same lessons and the assignment briefs, to print

    @property
    def media_type(self) -> str:
        return {PackKind.ZIP: "application/zip", PackKind.PDF: "application/pdf"}[self]


class OfflinePack(db.Model):
    """A course version's lessons in one language, built to be read without a connection (lms/catalogue/offline.py).

    Rebuilt by a job when the version is imported or its translations change; the file lives under
    DATA_DIR/offline/ and this row says what it is."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))  # our language code (lms/core/i18n.py)
    kind: Mapped[PackKind] = mapped_column(enum_column(PackKind))
    stored_name: Mapped[str] = mapped_column(String(300))  # relative to DATA_DIR/offline
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[CourseVersion] = relationship()

    __table_args__ = (
        UniqueConstraint("version_id", "language", "kind"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    def __repr__(self) -> str:
        return f"<OfflinePack {self.version_id} {self.language} {self.kind.value}>"
