"""Writes on assignment submissions: drafts, files and submitting; they flush and leave the commit to the caller."""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.assessments import uploads
from lms.assessments.deadlines import terms_for
from lms.assessments.models import Submission, SubmissionFile, SubmissionState
from lms.assessments.uploads import CheckedUpload
from lms.catalogue.models import Assessment, SubmissionKind
from lms.core.db import find_or_add, utcnow
from lms.core.templating import format_moment
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db


class SubmissionLocked(Exception):
    """The work can no longer change; the message says why."""


class SubmissionIncomplete(Exception):
    """Submitting needs a text or a file that is missing; `field` names the form field to flag."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def find_submission(enrolment: Enrolment, assessment: Assessment) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.enrolment_id == enrolment.id, Submission.assessment_id == assessment.id))


def find_or_start(enrolment: Enrolment, assessment: Assessment) -> Submission:
    """The trainee's submission, started now if there is none. Two windows saving the first draft at the
    same moment get the same row: the second waits for the first and then finds it."""
    return find_or_add(db.session, lambda: find_submission(enrolment, assessment),
                       lambda: Submission(enrolment=enrolment, assessment=assessment))


def lock_for_change(submission: Submission) -> Submission:
    """Re-reads the submission under a row lock (PostgreSQL; SQLite's writers hold the database lock from
    BEGIN), so of two windows sending at once the second waits and then sees what the first did."""
    if submission.id is not None:
        db.session.refresh(submission, with_for_update=True)
    return submission


def lock_reason(submission: Submission, now: datetime | None = None) -> str | None:
    """Why the trainee may not change this work now, or None while they may."""
    enrolment, assessment = submission.enrolment, submission.assessment
    if enrolment.state is EnrolmentState.APPROVED:
        return _("You can work on this assignment once the intake has started.")
    if not enrolment.can_work:
        return _("Your enrolment is %(state)s, so this work can no longer be changed.",
                 state=enrolment.state.label.lower())
    if submission.state is SubmissionState.RETURNED:
        return _("This work has been graded and returned, so it can no longer be changed.")
    terms = terms_for(enrolment, assessment)
    if terms.is_past_due(now or utcnow()):
        # The intake's own deadline is defined in its zone; an extension is read in the reader's.
        zone = None if terms.extension and terms.extension.due_at else enrolment.intake.zone
        return _("The deadline (%(deadline)s) has passed, so this work can no longer be changed.",
                 deadline=format_moment(terms.due_at, zone))
    if submission.times_submitted and not assessment.allow_resubmission:
        return _("This assignment can be submitted only once, and you have submitted it.")
    return None


def _ensure_open(submission: Submission, now: datetime) -> None:
    reason = lock_reason(submission, now)
    if reason:
        raise SubmissionLocked(reason)


def _mark_changed(submission: Submission, now: datetime) -> None:
    submission.updated_at = now
    # Work changed after submitting is not what was submitted: it waits as a draft until sent again.
    if submission.state is SubmissionState.SUBMITTED:
        submission.state = SubmissionState.DRAFT


@dataclass
class Saved:
    changed: bool
    storage_errors: list[str] = field(default_factory=list)  # files the server could not store, one reason each


def save_draft(submission: Submission, text: str | None, files: list[CheckedUpload],
               now: datetime | None = None) -> Saved:
    """Keeps the text (None leaves it as it is) and adds the files the server could store."""
    now = now or utcnow()
    _ensure_open(submission, now)
    saved = Saved(changed=False)
    if text is not None and text != submission.text:
        submission.text = text
        saved.changed = True
    for upload in files:
        try:
            stored_name = uploads.store(upload)
        except uploads.StorageFailed as error:  # the text and the other files are still kept
            saved.storage_errors.append(str(error))
            continue
        submission.files.append(SubmissionFile(
            original_name=upload.original_name, stored_name=stored_name,
            content_type=upload.content_type, size=upload.size, sha256=upload.sha256, uploaded_at=now,
        ))
        saved.changed = True
    if saved.changed:
        _mark_changed(submission, now)
    db.session.add(submission)
    db.session.flush()
    return saved


def check_complete(submission: Submission) -> None:
    """Raises SubmissionIncomplete unless the work has what the assignment asks for."""
    has_text, has_files = bool(submission.text.strip()), bool(submission.files)
    kind = submission.assessment.submission_kind
    if kind is SubmissionKind.TEXT and not has_text:
        raise SubmissionIncomplete("text", _("Please write your answer before submitting."))
    if kind is SubmissionKind.FILE and not has_files:
        raise SubmissionIncomplete("files", _("Please upload at least one file before submitting."))
    if kind is SubmissionKind.BOTH and not (has_text or has_files):
        raise SubmissionIncomplete("text", _("Please write an answer or upload a file before submitting."))


def submit(submission: Submission, now: datetime | None = None) -> Submission:
    """Sends the work for grading; each submission, first or again, is counted."""
    now = now or utcnow()
    _ensure_open(submission, now)
    check_complete(submission)
    submission.state = SubmissionState.SUBMITTED
    submission.submitted_at = submission.updated_at = now
    # Counted by the database, so no submission's count is lost to another's stale copy.
    submission.times_submitted = Submission.times_submitted + 1
    db.session.flush()
    return submission


def remove_file(file: SubmissionFile, now: datetime | None = None) -> str:
    """Removes a file from the work; returns its stored name, to delete from disk once committed."""
    now = now or utcnow()
    submission = file.submission
    _ensure_open(submission, now)
    submission.files.remove(file)
    _mark_changed(submission, now)
    db.session.flush()
    return file.stored_name
