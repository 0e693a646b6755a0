"""Extensions: one trainee's later deadline or extra quiz attempts, given by her intake's instructor, applied
by the one rule (deadlines.terms_for) wherever a deadline or an attempt limit is decided."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.accounts.models import Role
from lms.assessments import deadlines, quizzes, submissions
from lms.assessments.models import Attempt, Extension, Submission
from lms.audit.models import AuditEntry
from lms.catalogue.models import Assessment, AssessmentKind, SubmissionKind
from lms.enrolment.lifecycle import results_final_at
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.notifications.models import Notification, OutboxMail
from tests.assessments.test_quizzes import make_setup, true_false_questions
from tests.conftest import post_form
from tests.factories import make_intake, make_user


def answers_all_true(quiz) -> MultiDict:
    return MultiDict({f"q{question.id}": "true" for question in quiz.questions})


@pytest.fixture
def instructor(db_session):
    return make_user(Role.INSTRUCTOR, full_name="Ins Tructor")


def quiz_setup(db_session, instructor, **options):
    options.setdefault("questions", true_false_questions(2))
    return make_setup(db_session, instructors=[instructor], **options)


def closes_at(setup) -> datetime:
    return setup.enrolment.intake.closes_at


def extend(setup, instructor, *, assessment=None, days: float | None = 3, extra: int = 0,
           reason: str = "Her village lost power for three days"):
    due = closes_at(setup) + timedelta(days=days) if days is not None else None
    return deadlines.grant_extension(setup.enrolment, assessment or setup.quiz, instructor, due_at=due,
                                     extra_attempts=extra, reason=reason)


def take_and_submit(setup, started: datetime, submitted: datetime) -> Attempt:
    with time_machine.travel(started, tick=False):
        attempt = quizzes.start_attempt(setup.enrolment, setup.quiz)
    with time_machine.travel(submitted, tick=False):
        quizzes.record_answers(attempt, answers_all_true(setup.quiz), submit=True, by=setup.trainee)
    return attempt


# The rule

def test_an_attempt_sent_after_the_deadline_is_late_without_an_extension(db_session, instructor):
    setup = quiz_setup(db_session, instructor, late_policy="penalty-40")
    attempt = take_and_submit(setup, closes_at(setup) - timedelta(hours=1), closes_at(setup) + timedelta(hours=2))
    assert attempt.is_late and attempt.raw_score == 100 and attempt.score == 60  # the late policy applies


def test_the_same_attempt_is_on_time_with_an_extension(db_session, instructor):
    setup = quiz_setup(db_session, instructor, late_policy="penalty-40")
    extend(setup, instructor, days=1)
    attempt = take_and_submit(setup, closes_at(setup) - timedelta(hours=1), closes_at(setup) + timedelta(hours=2))
    assert not attempt.is_late and attempt.score == 100


def test_the_late_policy_applies_after_the_extended_deadline(db_session, instructor):
    setup = quiz_setup(db_session, instructor, late_policy="penalty-40")
    extension = extend(setup, instructor, days=1)
    attempt = take_and_submit(setup, extension.due_at - timedelta(hours=1), extension.due_at + timedelta(minutes=5))
    assert attempt.is_late and attempt.score == 60


def test_no_new_attempt_starts_after_the_deadline_unless_extended(db_session, instructor):
    setup = quiz_setup(db_session, instructor, attempts=3)
    with time_machine.travel(closes_at(setup) + timedelta(hours=1), tick=False):
        with pytest.raises(quizzes.AttemptRefused, match="deadline .* has passed"):
            quizzes.start_attempt(setup.enrolment, setup.quiz)
        extend(setup, instructor, days=2)
        assert quizzes.start_attempt(setup.enrolment, setup.quiz).number == 1


def test_an_extra_attempt_is_allowed_exactly_once_more(app, signed_in_client, db_session, instructor):
    setup = quiz_setup(db_session, instructor, attempts=1)
    moment = closes_at(setup) - timedelta(days=5)
    take_and_submit(setup, moment, moment + timedelta(minutes=5))
    with time_machine.travel(moment + timedelta(hours=1), tick=False):
        with pytest.raises(quizzes.AttemptRefused, match="used all 1 attempt"):
            quizzes.start_attempt(setup.enrolment, setup.quiz)
        extend(setup, instructor, days=None, extra=1, reason="The first attempt was lost to a network outage")
        second = quizzes.start_attempt(setup.enrolment, setup.quiz)
        quizzes.record_answers(second, answers_all_true(setup.quiz), submit=True, by=setup.trainee)
        assert second.number == 2 and not second.is_late
        with pytest.raises(quizzes.AttemptRefused, match="used all 2 attempt"):
            quizzes.start_attempt(setup.enrolment, setup.quiz)

        client = signed_in_client(setup.trainee)
        page = client.get(setup.quiz_url).get_data(as_text=True)
    assert "You were given 1 more attempt by Ins Tructor: The first attempt was lost to a network outage" in page
    assert "2 of 2 used" in page and "Start a new attempt" not in page


def test_the_server_closes_a_timed_attempt_at_the_deadline_or_the_extended_one(db_session, instructor):
    # Started ten minutes before the deadline with thirty minutes to go.
    usual = quiz_setup(db_session, instructor, time_limit=30)
    extended = quiz_setup(db_session, instructor, time_limit=30)
    extend(extended, instructor, days=1)
    attempts = {}
    for name, setup in (("usual", usual), ("extended", extended)):
        with time_machine.travel(closes_at(setup) - timedelta(minutes=10), tick=False):
            attempts[name] = quizzes.start_attempt(setup.enrolment, setup.quiz)
    with time_machine.travel(closes_at(usual) + timedelta(minutes=5), tick=False):
        # The minute's job: closed at the deadline, before its time limit; the extended one still has her time.
        assert quizzes.close_expired_attempts() == [attempts["usual"]]
    with time_machine.travel(closes_at(usual) + timedelta(hours=1), tick=False):
        assert quizzes.close_expired_attempts() == [attempts["extended"]]
    assert attempts["usual"].submitted_at == closes_at(usual)
    assert attempts["extended"].submitted_at == attempts["extended"].deadline_at
    assert not attempts["usual"].is_late and not attempts["extended"].is_late


# Assignments

def make_assignment(setup) -> Assessment:
    module = setup.quiz.module
    assignment = Assessment(course=module.course, version=module.version, module=module, slug="essay",
                            kind=AssessmentKind.ASSIGNMENT, title="Essay", position=9, weight=10, pass_mark=50,
                            submission_kind=SubmissionKind.TEXT)
    module.assessments.append(assignment)
    db.session.flush()
    return assignment


def test_an_assignment_is_locked_after_the_deadline_and_open_with_an_extension(signed_in_client, db_session,
                                                                               instructor):
    setup = quiz_setup(db_session, instructor)
    setup.trainee.time_zone = "Asia/Manila"  # an hour ahead of the intake's Bangkok
    assignment = make_assignment(setup)
    url = f"/study/{setup.enrolment.id}/assignments/{assignment.id}"
    with time_machine.travel(closes_at(setup) + timedelta(hours=3), tick=False):
        client = signed_in_client(setup.trainee)
        refused = post_form(client, url, {"text": "My essay", "submit": "Submit"})
        assert "has passed, so this work can no longer be changed" in refused.get_data(as_text=True)
        due = datetime(2027, 3, 29, 10, 0, tzinfo=timezone.utc)  # 18:00 in Manila
        deadlines.grant_extension(setup.enrolment, assignment, instructor, due_at=due, extra_attempts=0,
                                  reason="Field work at a rural exchange")
        db_session.flush()
        page = client.get(url).get_data(as_text=True)
        assert "Your deadline was extended to" in page and "18:00" in page
        assert "by Ins Tructor: Field work at a rural exchange" in page
        response = post_form(client, url, {"text": "My essay", "submit": "Submit"})
        assert response.status_code == 302
    submission = db_session.scalars(select(Submission).where(Submission.enrolment_id == setup.enrolment.id)).one()
    assert submission.state.value == "submitted"
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert "has passed" in submissions.lock_reason(submission)


# Bad input

@pytest.mark.parametrize("case, message, status", [  # 400: the form's own checks; 409: the rules refuse
    ("past", "has already passed", 409),
    ("no_reason", "Please give the reason", 400),
    ("beyond_grace", "The latest possible deadline is", 409),
    ("other_intake", "does not hold a place in this intake", 400),
    ("nothing", "a later deadline, extra attempts, or both", 409),
])
def test_bad_extensions_are_refused_next_to_the_field_and_nothing_is_saved(signed_in_client, db_session, instructor,
                                                                           case, message, status):
    setup = quiz_setup(db_session, instructor, attempts=1)
    intake = setup.enrolment.intake
    stranger = Enrolment(intake=make_intake(course=intake.course), user=make_user(), state=EnrolmentState.ACTIVE)
    db_session.add(stranger)
    db_session.flush()
    final = results_final_at(intake).astimezone(intake.zone)
    data = {"enrolment": setup.enrolment.id, "assessment": setup.quiz.id, "due_on": "2027-03-30",
            "due_time": "12:00", "extra_attempts": "0", "reason": "Sick leave"}
    if case == "past":
        data["due_on"] = "2027-03-28"
    elif case == "no_reason":
        data["reason"] = "   "
    elif case == "beyond_grace":
        data["due_on"] = (final.date() + timedelta(days=1)).isoformat()
    elif case == "other_intake":
        data["enrolment"] = stranger.id
    elif case == "nothing":
        data["due_on"] = ""
    with time_machine.travel(datetime(2027, 3, 29, 3, 0, tzinfo=timezone.utc), tick=False):
        client = signed_in_client(instructor)
        response = post_form(client, f"/teach/intakes/{intake.id}/extensions", data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(Extension.id)) is None


def test_extra_attempts_are_refused_for_an_assignment(db_session, instructor):
    setup = quiz_setup(db_session, instructor)
    with pytest.raises(deadlines.ExtensionRefused, match="Extra attempts are for quizzes") as refused:
        extend(setup, instructor, assessment=make_assignment(setup), days=None, extra=1)
    assert refused.value.field == "extra_attempts"


def test_the_last_day_of_the_grace_period_is_still_accepted(db_session, instructor):
    setup = quiz_setup(db_session, instructor)
    extension = deadlines.grant_extension(setup.enrolment, setup.quiz, instructor,
                                          due_at=results_final_at(setup.enrolment.intake), extra_attempts=0,
                                          reason="Hospital")
    assert deadlines.terms_for(setup.enrolment, setup.quiz).due_at == extension.due_at


# Through the pages: given, told, changed, withdrawn

def test_an_instructor_gives_changes_and_withdraws_an_extension_audited_and_told(signed_in_client, db_session,
                                                                                 instructor):
    setup = quiz_setup(db_session, instructor, attempts=1)
    intake = setup.enrolment.intake
    url = f"/teach/intakes/{intake.id}/extensions"
    client = signed_in_client(instructor)
    response = post_form(client, url, {"enrolment": setup.enrolment.id, "assessment": setup.quiz.id,
                                       "due_on": "2027-04-02", "due_time": "17:00", "extra_attempts": "1",
                                       "reason": "Typhoon closed the training centre"})
    assert response.status_code == 302
    extension = db_session.scalars(select(Extension)).one()
    assert extension.due_at == datetime(2027, 4, 2, 10, 0, tzinfo=timezone.utc)  # 17:00 in Bangkok
    assert extension.extra_attempts == 1 and extension.granted_by == instructor
    told = db_session.scalars(select(Notification).where(Notification.user_id == setup.trainee.id)).all()
    assert len(told) == 1 and "Typhoon closed the training centre" in told[0].message
    assert db_session.scalar(select(OutboxMail).where(OutboxMail.to_address == setup.trainee.email)) is not None

    attempt = take_and_submit(setup, datetime(2027, 3, 1, tzinfo=timezone.utc),
                              datetime(2027, 3, 1, 0, 5, tzinfo=timezone.utc))
    response = post_form(client, url, {"enrolment": setup.enrolment.id, "assessment": setup.quiz.id,
                                       "due_on": "2027-04-05", "due_time": "17:00", "extra_attempts": "1",
                                       "reason": "The centre stays closed longer"})
    assert response.status_code == 302
    assert db_session.scalars(select(Extension)).one().due_at == datetime(2027, 4, 5, 10, 0, tzinfo=timezone.utc)

    page = client.get(url).get_data(as_text=True)
    assert "The centre stays closed longer" in page and "Withdraw" in page
    response = post_form(client, f"/teach/extensions/{extension.id}/withdraw",
                         {f"withdraw-{extension.id}-reason": "Given by mistake"}, form_url=url)
    assert response.status_code == 302
    assert db_session.scalar(select(Extension.id)) is None
    db_session.refresh(attempt)
    assert attempt.is_submitted  # her work stays
    actions = [entry.action for entry in db_session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "extension").order_by(AuditEntry.id))]
    assert actions == ["extension.granted", "extension.changed", "extension.withdrawn"]
    assert deadlines.terms_for(setup.enrolment, setup.quiz).attempts_allowed == 1


def test_withdrawing_needs_a_reason(signed_in_client, db_session, instructor):
    setup = quiz_setup(db_session, instructor)
    extension = extend(setup, instructor)
    client = signed_in_client(instructor)
    url = f"/teach/intakes/{setup.enrolment.intake.id}/extensions"
    response = post_form(client, f"/teach/extensions/{extension.id}/withdraw",
                         {f"withdraw-{extension.id}-reason": ""}, form_url=url)
    assert response.status_code == 400
    assert "Please give the reason for withdrawing the extension." in response.get_data(as_text=True)
    assert db_session.get(Extension, extension.id) is not None


# Who may

@pytest.mark.parametrize("role, status", [
    (Role.INSTRUCTOR, 403),  # of another intake
    (Role.TRAINEE, 403),
    (Role.COUNTRY_COORDINATOR, 403),
    (Role.ADMIN, 403),
    (Role.PROGRAMME_COORDINATOR, 200),
])
def test_only_the_intakes_instructors_and_programme_coordinators_give_extensions(signed_in_client, db_session,
                                                                                 instructor, role, status):
    setup = quiz_setup(db_session, instructor)
    extension_id = extend(setup, instructor).id
    person = make_user(role)
    if role is Role.INSTRUCTOR:
        make_intake(course=setup.enrolment.intake.course, instructors=[person])
    client = signed_in_client(person)
    url = f"/teach/intakes/{setup.enrolment.intake.id}/extensions"
    assert client.get(url).status_code == status
    sent = post_form(client, f"/teach/extensions/{extension_id}/withdraw",
                     {f"withdraw-{extension_id}-reason": "Not mine to give"}, form_url="/courses")
    assert sent.status_code == (302 if status == 200 else 403)
    db_session.expire_all()
    assert (db_session.get(Extension, extension_id) is None) == (status == 200)


def test_the_due_soon_reminder_follows_the_extended_deadline(db_session, instructor):
    from lms.notifications.reminders import remind_work_due

    usual, extended = quiz_setup(db_session, instructor), quiz_setup(db_session, instructor)
    extend(extended, instructor, days=10)
    before = db_session.scalar(select(Notification.id).where(Notification.user_id == extended.trainee.id))
    remind_work_due(closes_at(usual).date() - timedelta(days=2))
    reminded = {note.user_id for note in db_session.scalars(select(Notification).where(Notification.id > (before or 0)))
                if "is due by" in note.message}
    assert usual.trainee.id in reminded and extended.trainee.id not in reminded


def test_extra_attempts_after_the_deadline_need_a_later_deadline_too(db_session, instructor):
    setup = quiz_setup(db_session, instructor, attempts=1)
    with time_machine.travel(closes_at(setup) + timedelta(hours=1), tick=False):
        with pytest.raises(deadlines.ExtensionRefused, match="need a later deadline too"):
            extend(setup, instructor, days=None, extra=1)
        extend(setup, instructor, days=1, extra=1)
        assert deadlines.terms_for(setup.enrolment, setup.quiz).attempts_allowed == 2
