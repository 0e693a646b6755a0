"""Imports every model so the metadata is complete (for migrations and create_all)."""
from lms.accounts.models import RecoveryCode, TraineeProfile, User  # noqa: F401
from lms.audit.models import AuditEntry  # noqa: F401
from lms.catalogue.models import (  # noqa: F401
    Assessment, Course, Lesson, Module, OfflinePack, Question, RubricCriterion, RubricLevel)
from lms.enrolment.models import Enrolment, EnrolmentEvent, Intake  # noqa: F401
from lms.learning.models import LessonProgress  # noqa: F401
from lms.notifications.models import NoticeSetting, Notification, OutboxMail, SentNotice  # noqa: F401
from lms.programme.models import Country, CountryAllocation, Programme  # noqa: F401
from lms.assessments.models import Attempt, Extension, Submission, SubmissionFile  # noqa: F401
from lms.announcements.models import Announcement, AnnouncementReceipt  # noqa: F401
from lms.grading.models import Attendance, IntakeSession, RubricScore  # noqa: F401
from lms.accounts.tokens import ApiToken  # noqa: F401
from lms.accounts.kept_forms import KeptForm  # noqa: F401
from lms.certificates.models import Certificate  # noqa: F401
from lms.reports.models import ReportSchedule, ReportScheduleRun, ReportVersion  # noqa: F401
from lms.catalogue.translations import ContentTranslation  # noqa: F401
from lms.jobs.models import JobFailure, JobRun, WorkerHeartbeat  # noqa: F401
