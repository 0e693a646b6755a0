"""Quiz pages for trainees: the quiz's introduction, taking an attempt, and its result."""
from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_timezone, gettext as _, ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.assessments import bp, quizzes
from lms.assessments.deadlines import terms_for
from lms.assessments.models import Attempt
from lms.catalogue.models import Assessment, AssessmentKind
from lms.core.db import utcnow
from lms.core.i18n import zone_label
from lms.core.templating import format_moment
from lms.core.transactions import keep_nothing, tell_refusal
from lms.enrolment.models import Enrolment
from lms.enrolment.queries import get_own_enrolment_or_404
from lms.extensions import db


def get_own_quiz_or_404(enrolment_id: int, assessment_id: int) -> tuple[Enrolment, Assessment]:
    """The signed-in trainee's enrolment and a quiz of its course; 404 for anything else."""
    enrolment = get_own_enrolment_or_404(enrolment_id, current_user)
    quiz = db.session.get(Assessment, assessment_id, options=[joinedload(Assessment.module)])  # the page names it
    if quiz is None or quiz.kind is not AssessmentKind.QUIZ or quiz.version_id != enrolment.intake.course_version_id:
        abort(404)
    return enrolment, quiz


def get_own_attempt_or_404(attempt_id: int) -> Attempt:
    """An attempt of the signed-in trainee; 404 for anyone else's, so ids reveal nothing."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.enrolment.user_id != current_user.id or not attempt.enrolment.can_study:
        abort(404)
    return attempt


@dataclass(frozen=True)
class TimeLeft:
    text: str  # said by the server: right without scripts
    seconds: int  # counted down by static/js/lms.js where scripts run


def time_left(attempt: Attempt) -> TimeLeft | None:
    """How long an open attempt has, by the server's clock; None when nothing closes it."""
    closing = quizzes.closing_at(attempt)
    if closing is None:
        return None
    now = utcnow()
    return TimeLeft(deadline_text(closing, now), max(0, int((closing - now).total_seconds())))


def deadline_text(deadline: datetime, now: datetime) -> str:
    """'Submit by 14:55 Phnom Penh time; you have about 12 minutes.' in the reader's zone."""
    zone = get_timezone()
    if deadline.astimezone(zone).date() == now.astimezone(zone).date():
        when = f"{format_datetime(deadline, 'HH:mm')} {zone_label(zone)}"
    else:
        when = format_moment(deadline)
    minutes = round((deadline - now).total_seconds() / 60)
    if minutes < 1:
        return _("Submit by %(time)s; you have less than a minute.", time=when)
    return ngettext("Submit by %(time)s; you have about %(num)d minute.",
                    "Submit by %(time)s; you have about %(num)d minutes.", minutes, time=when)


def _quiz_url(attempt: Attempt) -> str:
    return url_for(".show_quiz", enrolment_id=attempt.enrolment_id, assessment_id=attempt.assessment_id)


def _closed_message() -> str:
    return _("Time was up, so this attempt was closed at its deadline with the answers you had saved.")


def _shown_closed(attempt: Attempt):
    """An attempt whose time is up, opened with GET: shown closed on the quiz page. The row is closed and
    scored by the job (lms/assessments/jobs.py) or by the next post, never by a page being read."""
    flash(_closed_message(), "info")
    return redirect(_quiz_url(attempt))


@bp.route("/<int:enrolment_id>/quizzes/<int:assessment_id>")
@login_required
def show_quiz(enrolment_id: int, assessment_id: int):
    enrolment, quiz = get_own_quiz_or_404(enrolment_id, assessment_id)
    now = utcnow()
    attempts = quizzes.attempts_of(enrolment, quiz)
    current = quizzes.attempt_in_progress(attempts, now)
    time_up = quizzes.open_attempt(attempts) if current is None else None  # shown closed; the job closes it
    if time_up is not None:
        flash(_closed_message(), "info")
    terms = terms_for(enrolment, quiz)
    return render_template(
        "assessments/quiz.html", enrolment=enrolment, quiz=quiz, attempts=attempts, current=current, terms=terms,
        time_up=time_up, time_up_at=quizzes.closing_at(time_up) if time_up else None,
        counting_score=quizzes.counting_score(quiz, attempts),
        refusal=quizzes.start_refusal(enrolment, quiz, attempts, now, terms=terms),
        late_penalty=quizzes.late_penalty(quiz.late_policy), grace_seconds=int(quizzes.GRACE.total_seconds()),
    )


@bp.route("/<int:enrolment_id>/quizzes/<int:assessment_id>/start", methods=["POST"])
@login_required
def start_attempt(enrolment_id: int, assessment_id: int):
    enrolment, quiz = get_own_quiz_or_404(enrolment_id, assessment_id)
    quiz_url = url_for(".show_quiz", enrolment_id=enrolment.id, assessment_id=quiz.id)
    try:
        attempt = quizzes.start_attempt(enrolment, quiz)
    except quizzes.AttemptRefused as refused:
        # Not told as a refusal, which would keep nothing: an expired attempt closed on the way stays
        # closed, and nothing else was written before the refusal.
        flash(refused.message, "error")
        return redirect(quiz_url)
    except IntegrityError:
        # A second click started the same attempt number at the same moment; the first one stands.
        keep_nothing()
        return redirect(quiz_url)
    return redirect(url_for(".take_attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def take_attempt(attempt_id: int):
    attempt = get_own_attempt_or_404(attempt_id)
    result_url = url_for(".show_attempt_result", attempt_id=attempt.id)
    if attempt.is_submitted:
        if request.method == "POST":
            flash(quizzes.already_submitted_message(), "info")
            keep_nothing()
        return redirect(result_url)
    if not attempt.enrolment.can_work:
        flash(quizzes.inactive_message(attempt.enrolment), "error")
        keep_nothing()
        return redirect(_quiz_url(attempt))
    if request.method == "POST":
        action = request.form.get("action")
        return _record(attempt, submit=action == "submit", review=action == "review")
    if quizzes.is_expired(attempt, utcnow()):
        return _shown_closed(attempt)
    return render_template(
        "assessments/attempt.html", attempt=attempt, quiz=attempt.assessment,
        questions=quizzes.shown_questions(attempt), max_length=quizzes.MAX_ANSWER_LENGTH,
        time_left=time_left(attempt),
    )


@bp.route("/attempts/<int:attempt_id>/confirm")
@login_required
def confirm_submit(attempt_id: int):
    """The step before the irreversible one: what will be submitted, and what is left unanswered."""
    attempt = get_own_attempt_or_404(attempt_id)
    if attempt.is_submitted:
        return redirect(url_for(".show_attempt_result", attempt_id=attempt.id))
    if not attempt.enrolment.can_work:
        flash(quizzes.inactive_message(attempt.enrolment), "error")
        return redirect(_quiz_url(attempt))
    if quizzes.is_expired(attempt, utcnow()):
        return _shown_closed(attempt)
    questions = quizzes.shown_questions(attempt)
    unanswered = [shown.number for shown in questions if str(shown.question.id) not in (attempt.answers or {})]
    return render_template(
        "assessments/confirm_submit.html", attempt=attempt, quiz=attempt.assessment, questions=questions,
        unanswered=unanswered,
        time_left=time_left(attempt))


def _record(attempt: Attempt, submit: bool, review: bool = False):
    try:
        recorded = quizzes.record_answers(attempt, request.form, submit=submit, by=current_user._get_current_object())
    except quizzes.AttemptRefused as refused:  # submitted from another window (or closed by the job) meanwhile
        flash(tell_refusal(refused), "info")
        return redirect(url_for(".show_attempt_result", attempt_id=attempt.id) if attempt.is_submitted
                        else _quiz_url(attempt))
    for refusal in recorded.refused:
        flash(refusal.message, "error")
    if recorded.is_late:
        flash(_("Your attempt arrived after the deadline or its time limit. It has been submitted with these "
                "answers and the quiz's late policy applies."), "info")
    elif recorded.is_submitted:
        flash(_("Your attempt has been submitted."), "success")
    elif submit or (review and recorded.refused):
        flash(_("Your attempt has not been submitted yet: please correct the answers above first."), "error")
    elif review:
        return redirect(url_for(".confirm_submit", attempt_id=attempt.id))
    else:
        flash(_("Your answers are saved. You can come back to this attempt and submit it later."), "success")
    if recorded.is_submitted:
        return redirect(url_for(".show_attempt_result", attempt_id=attempt.id))
    return redirect(url_for(".take_attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def show_attempt_result(attempt_id: int):
    attempt = get_own_attempt_or_404(attempt_id)
    if not attempt.is_submitted:
        if quizzes.is_expired(attempt, utcnow()):
            return _shown_closed(attempt)
        flash(_("The answers are shown once the attempt is submitted."), "info")
        return redirect(url_for(".take_attempt", attempt_id=attempt.id))
    with_answers = quizzes.answers_shown(attempt)
    return render_template(
        "assessments/attempt_result.html", attempt=attempt, quiz=attempt.assessment, with_answers=with_answers,
        questions=quizzes.reviewed_questions(attempt, with_answers=with_answers), quiz_url=_quiz_url(attempt),
        late_penalty=quizzes.late_penalty(attempt.assessment.late_policy),
        grace_seconds=int(quizzes.GRACE.total_seconds()),
    )
