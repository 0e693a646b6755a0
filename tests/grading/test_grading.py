"""The grading queue, rubric grading with history, quiz overrides, and who may reach the instructor's pages."""
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from lms.accounts.models import Role
from lms.assessments.graders import correct_indices
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.assessments.quizzes import grade_attempt
from lms.audit.models import AuditEntry
from lms.catalogue.models import Assessment, AssessmentKind, Course, RubricCriterion, RubricLevel
from lms.core.db import utcnow
from lms.core.grades import shown
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.models import RubricScore
from lms.grading.operations import rubric_score
from lms.grading.queries import grade_stamp
from lms.learning.models import LessonProgress
from lms.notifications.models import Notification, OutboxMail
from tests.conftest import csrf_token, post_form
from tests.factories import make_intake, make_programme, make_user


@pytest.fixture
def course(db_session) -> Course:
    return db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))


@pytest.fixture
def assignment(course) -> Assessment:
    return next(a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT)


@pytest.fixture
def intake(course):
    intake = make_intake(make_programme(), course, instructors=[make_user(Role.INSTRUCTOR, full_name="Ins Tructor")])
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=20), today + timedelta(days=20)
    return intake


def enrol(intake, name: str = "Trainee", state: EnrolmentState = EnrolmentState.ACTIVE) -> Enrolment:
    enrolment = Enrolment(intake=intake, user=make_user(full_name=name), state=state)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def submitted(enrolment, assessment, hours_ago: float = 1, text: str = "My work",
              state: SubmissionState = SubmissionState.SUBMITTED) -> Submission:
    submission = Submission(enrolment=enrolment, assessment=assessment, text=text, state=state,
                            submitted_at=utcnow() - timedelta(hours=hours_ago), times_submitted=1)
    db.session.add(submission)
    db.session.flush()
    return submission


def levels_by_label(assessment, *labels) -> dict[str, str]:
    """Form data choosing, for each criterion in order, the level with the given label."""
    return {f"criterion_{criterion.id}": str(next(level.id for level in criterion.levels if level.label == label))
            for criterion, label in zip(assessment.rubric, labels)}


def grade(client, submission, levels: dict, feedback: str = "Clear and well sourced."):
    """Grades as a page opened just now would: it saw the current version and grade."""
    data = {**levels, "feedback": feedback, "version": str(submission.times_submitted),
            "graded": grade_stamp(submission)}
    return post_form(client, f"/teach/submissions/{submission.id}", data)


def instructor_of(intake):
    return intake.instructors[0]


def test_rubric_score_is_chosen_points_over_best_points():
    criteria = [RubricCriterion(levels=[RubricLevel(points=Decimal(4)), RubricLevel(points=Decimal(2))]),
                RubricCriterion(levels=[RubricLevel(points=Decimal(n)) for n in (1, 3, 0)])]
    assessment = Assessment(rubric=criteria)
    # Kept exact to a millionth of a percent, shown rounded once.
    assert rubric_score(assessment, [criteria[0].levels[1], criteria[1].levels[1]]) == Decimal("71.428571")  # 5 / 7
    assert rubric_score(assessment, [criteria[0].levels[0], criteria[1].levels[1]]) == 100
    assert rubric_score(assessment, [criteria[0].levels[1], criteria[1].levels[2]]) == Decimal("28.571429")  # 2 / 7
    assert shown(rubric_score(assessment, [criteria[0].levels[1], criteria[1].levels[1]])) == "71.43"


def test_the_queue_lists_submitted_work_oldest_first(signed_in_client, intake, assignment, course):
    submitted(enrol(intake, "Recent Rin"), assignment, hours_ago=2)
    submitted(enrol(intake, "Oldest Ong"), assignment, hours_ago=30)
    submitted(enrol(intake, "Middle Mai"), assignment, hours_ago=5)
    submitted(enrol(intake, "Drafting Dara"), assignment, state=SubmissionState.DRAFT)
    returned = submitted(enrol(intake, "Returned Ratana"), assignment, hours_ago=50, state=SubmissionState.RETURNED)
    returned.score = 70
    other_intake = make_intake(intake.programme, course)
    submitted(enrol(other_intake, "Elsewhere Eka"), assignment, hours_ago=100)
    client = signed_in_client(instructor_of(intake))
    page = client.get(f"/teach/intakes/{intake.id}/queue").get_data(as_text=True)
    positions = [page.index(name) for name in ("Oldest Ong", "Middle Mai", "Recent Rin")]
    assert positions == sorted(positions)
    for absent in ("Drafting Dara", "Returned Ratana", "Elsewhere Eka"):
        assert absent not in page
    assert assignment.title in page


def test_the_grade_page_shows_the_work_escaped_with_its_rubric(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake), assignment, text="<script>alert('x')</script>\nSecond line")
    client = signed_in_client(instructor_of(intake))
    page = client.get(f"/teach/submissions/{submission.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert page.count("<fieldset") == len(assignment.rubric)
    assert "<legend><strong>Gap analysis and targeting</strong></legend>" in page
    assert 'type="radio"' in page


def test_grading_scores_stores_levels_returns_notifies_and_audits(signed_in_client, intake, assignment):
    # The last criterion's best level is raised to 30, so the best total is 110 rather than 100.
    assignment.rubric[-1].levels[0].points = 30
    enrolment = enrol(intake, "Graded Gita")
    submission = submitted(enrolment, assignment)
    client = signed_in_client(instructor_of(intake))
    levels = levels_by_label(assignment, "Good", "Excellent", "Adequate", "Weak", "Good")
    response = grade(client, submission, levels, "Strong reforms; weak on demand.")
    assert response.status_code == 302 and response.headers["Location"] == f"/teach/intakes/{intake.id}/queue"
    assert submission.state is SubmissionState.RETURNED
    assert submission.score == Decimal("54.545455")  # 60 / 110, kept to a millionth
    assert submission.feedback == "Strong reforms; weak on demand."
    assert submission.graded_by_id == instructor_of(intake).id and submission.graded_at is not None
    rows = db.session.scalars(select(RubricScore).where(RubricScore.submission_id == submission.id)).all()
    assert sorted(row.level_id for row in rows) == sorted(int(level) for level in levels.values())
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "grade.changed")).one()
    assert entry.object_type == "submission" and entry.object_id == submission.id
    assert entry.before == {"score": None, "feedback": None, "levels": []}
    assert entry.after["score"] == 54.545455 and entry.after["levels"][0] == {
        "criterion": "Gap analysis and targeting", "level": "Good", "points": 14}
    notification = db.session.scalars(select(Notification).where(Notification.user_id == enrolment.user_id)).one()
    assert "54.55%" in notification.message
    assert notification.link == f"https://training.example.org/study/{enrolment.id}/assignments/{assignment.id}"  # mailed too, so a full address
    assert db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == enrolment.user.email)).one()


def test_regrading_updates_the_levels_and_keeps_the_history(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake), assignment)
    client = signed_in_client(instructor_of(intake))
    grade(client, submission, levels_by_label(assignment, *["Excellent"] * 5), "First reading.")
    assert submission.score == 100
    response = grade(client, submission, levels_by_label(assignment, *["Weak"] * 5), "Second reading.")
    assert response.status_code == 302
    assert submission.score == 15 and submission.feedback == "Second reading."
    assert db.session.scalar(select(db.func.count()).select_from(RubricScore).where(
        RubricScore.submission_id == submission.id)) == len(assignment.rubric)
    history = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "grade.changed")
                                 .order_by(AuditEntry.id)).all()
    assert [(entry.before["score"], entry.after["score"]) for entry in history] == [(None, 100), (100, 15)]
    assert history[1].before["feedback"] == "First reading." and history[1].before["levels"][0]["level"] == "Excellent"
    page = client.get(f"/teach/submissions/{submission.id}").get_data(as_text=True)
    assert "Grade history" in page and "Second reading." in page


def test_a_missing_level_is_reported_next_to_its_criterion_and_nothing_is_lost(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake), assignment)
    client = signed_in_client(instructor_of(intake))
    levels = levels_by_label(assignment, *["Good"] * 5)
    skipped = f"criterion_{assignment.rubric[2].id}"
    del levels[skipped]
    response = grade(client, submission, levels, "Feedback I took time to write.")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="error" id="{skipped}-error">Please choose a level for this criterion.</p>' in page
    assert "Feedback I took time to write." in page
    assert page.count("checked") == 4
    assert submission.state is SubmissionState.SUBMITTED and submission.score is None


def test_feedback_is_required(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake), assignment)
    client = signed_in_client(instructor_of(intake))
    response = grade(client, submission, levels_by_label(assignment, *["Good"] * 5), feedback="  ")
    assert response.status_code == 400
    assert "Please write feedback for the trainee." in response.get_data(as_text=True)


def test_a_level_of_another_criterion_is_refused(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake), assignment)
    client = signed_in_client(instructor_of(intake))
    levels = levels_by_label(assignment, *["Good"] * 5)
    levels[f"criterion_{assignment.rubric[0].id}"] = str(assignment.rubric[1].levels[0].id)
    assert grade(client, submission, levels).status_code == 400
    assert submission.score is None


def test_a_newer_version_submitted_meanwhile_must_be_read_first(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake), assignment)
    client = signed_in_client(instructor_of(intake))
    levels = levels_by_label(assignment, *["Good"] * 5)
    stale = {**levels, "feedback": "Read version one.", "version": "1", "graded": "ungraded"}
    submission.times_submitted = 2
    db.session.flush()
    response = post_form(client, f"/teach/submissions/{submission.id}", stale)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "submitted a new version" in page and "Read version one." in page
    assert '<input id="version" name="version" type="hidden" value="2">' in page
    assert submission.state is SubmissionState.SUBMITTED
    assert post_form(client, f"/teach/submissions/{submission.id}", {**stale, "version": "2"}).status_code == 302


def test_a_draft_cannot_be_graded(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake), assignment, state=SubmissionState.DRAFT)
    submission.times_submitted = 0
    client = signed_in_client(instructor_of(intake))
    assert "It can be graded once it is submitted" in client.get(
        f"/teach/submissions/{submission.id}").get_data(as_text=True)
    response = grade(client, submission, levels_by_label(assignment, *["Good"] * 5))
    assert response.status_code == 409
    assert submission.state is SubmissionState.DRAFT


def test_grading_completes_an_enrolment_that_now_meets_every_condition(signed_in_client, intake, assignment, course):
    enrolment = enrol(intake, "Finishing Fah")
    for lesson in course.lessons:
        db.session.add(LessonProgress(enrolment=enrolment, lesson=lesson, completed_at=utcnow()))
    for quiz in (a for a in course.assessments if a.kind is AssessmentKind.QUIZ):
        db.session.add(Attempt(enrolment=enrolment, assessment=quiz, number=1, submitted_at=utcnow(), score=100))
    submission = submitted(enrolment, assignment)
    client = signed_in_client(instructor_of(intake))
    grade(client, submission, levels_by_label(assignment, "Good", "Excellent", "Adequate", "Weak", "Good"))
    assert submission.score == 60
    assert enrolment.state is EnrolmentState.COMPLETED
    assert enrolment.final_grade == (60 * 100 + 40 * 60) / 100  # four quizzes of weight 15, the assignment 40
    assert enrolment.completed_at is not None


# Quiz overrides

def make_attempt(enrolment, course, score: float = 40, submitted_at=True) -> Attempt:
    quiz = next(a for a in course.assessments if a.kind is AssessmentKind.QUIZ)
    attempt = Attempt(enrolment=enrolment, assessment=quiz, number=1, score=score, raw_score=score,
                      submitted_at=utcnow() if submitted_at else None)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def override(client, attempt, score, reason):
    prefix = f"attempt-{attempt.id}"
    token = csrf_token(client, f"/teach/intakes/{attempt.enrolment.intake_id}/trainees/{attempt.enrolment_id}/attempts")
    return client.post(f"/teach/attempts/{attempt.id}/override", data={
        f"{prefix}-score": score, f"{prefix}-reason": reason, f"{prefix}-csrf_token": token})


def test_an_override_needs_a_reason_and_a_score_from_0_to_100(signed_in_client, intake, course):
    attempt = make_attempt(enrol(intake), course)
    client = signed_in_client(instructor_of(intake))
    response = override(client, attempt, "85", "")
    assert response.status_code == 400
    assert "Please give the reason for the change." in response.get_data(as_text=True)
    response = override(client, attempt, "150", "Marking error")
    assert response.status_code == 400
    assert "Please enter a score from 0 to 100." in response.get_data(as_text=True)
    assert attempt.override_score is None
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "grade.quiz_override")).all()


def test_an_override_changes_the_score_that_counts_and_is_audited(signed_in_client, intake, course):
    enrolment = enrol(intake)
    attempt = make_attempt(enrolment, course, score=40)
    client = signed_in_client(instructor_of(intake))
    response = override(client, attempt, "85", "Question 3 had two correct answers.")
    assert response.status_code == 302
    assert attempt.override_score == 85 and attempt.final_score == 85
    assert attempt.override_reason == "Question 3 had two correct answers."
    assert attempt.override_by_id == instructor_of(intake).id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "grade.quiz_override")).one()
    assert entry.object_type == "attempt" and entry.object_id == attempt.id
    assert entry.before == {"score": 40, "override_score": None, "override_reason": None}
    assert entry.after == {"score": 40, "override_score": 85, "override_reason": "Question 3 had two correct answers."}
    assert entry.reason == "Question 3 had two correct answers."
    notification = db.session.scalars(select(Notification).where(Notification.user_id == enrolment.user_id)).one()
    assert "changed to 85%" in notification.message and "Question 3 had two correct answers." in notification.message
    page = client.get(f"/teach/intakes/{intake.id}/trainees/{enrolment.id}/attempts").get_data(as_text=True)
    assert "Question 3 had two correct answers." in page and "85%" in page


def test_an_attempt_in_progress_cannot_be_overridden(signed_in_client, intake, course):
    attempt = make_attempt(enrol(intake), course, submitted_at=False)
    client = signed_in_client(instructor_of(intake))
    assert override(client, attempt, "85", "Why not").status_code == 409
    assert attempt.override_score is None


# Who may reach what

@pytest.fixture
def ids(intake, assignment, course):
    enrolment = enrol(intake)
    return {"intake_id": intake.id, "enrolment_id": enrolment.id,
            "submission_id": submitted(enrolment, assignment).id,
            "attempt_id": make_attempt(enrolment, course).id}


PAGES = ["/teach/intakes/{intake_id}/queue", "/teach/intakes/{intake_id}/gradebook",
         "/teach/intakes/{intake_id}/gradebook.csv", "/teach/intakes/{intake_id}/roster",
         "/teach/submissions/{submission_id}", "/teach/intakes/{intake_id}/trainees/{enrolment_id}/attempts"]


def test_an_instructor_of_another_intake_sees_nothing_of_this_one(instructor_client, ids, intake, assignment):
    for path in PAGES:
        assert instructor_client.get(path.format(**ids)).status_code == 404, path
    submission = db.session.get(Submission, ids["submission_id"])
    assert grade(instructor_client, submission, levels_by_label(assignment, *["Good"] * 5)).status_code == 404
    assert post_form(instructor_client, f"/teach/attempts/{ids['attempt_id']}/override",
                     {"score": "90", "reason": "x"}, form_url="/").status_code == 404
    assert submission.state is SubmissionState.SUBMITTED


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.COUNTRY_COORDINATOR])
def test_trainees_and_country_coordinators_cannot_reach_teaching_pages(signed_in_client, ids, role):
    client = signed_in_client(role)
    for path in PAGES:
        assert client.get(path.format(**ids)).status_code == 403, path


def test_the_trainee_of_the_work_cannot_reach_teaching_pages_either(signed_in_client, ids):
    enrolment = db.session.get(Enrolment, ids["enrolment_id"])
    client = signed_in_client(enrolment.user)
    for path in PAGES:
        assert client.get(path.format(**ids)).status_code == 403, path


@pytest.mark.parametrize("role", [Role.PROGRAMME_COORDINATOR, Role.ADMIN])
def test_programme_staff_may_look_but_not_grade(signed_in_client, ids, assignment, role):
    client = signed_in_client(role)
    for path in PAGES:
        assert client.get(path.format(**ids)).status_code == 200, path
    submission = db.session.get(Submission, ids["submission_id"])
    assert 'type="radio"' not in client.get(f"/teach/submissions/{submission.id}").get_data(as_text=True)
    assert grade(client, submission, levels_by_label(assignment, *["Good"] * 5)).status_code == 403
    attempt = db.session.get(Attempt, ids["attempt_id"])
    assert override(client, attempt, "90", "Because").status_code == 403
    assert submission.score is None and attempt.override_score is None


def test_anonymous_visitors_are_sent_to_sign_in(client, ids):
    for path in PAGES:
        response = client.get(path.format(**ids))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_unknown_ids_are_not_found(signed_in_client, intake):
    client = signed_in_client(instructor_of(intake))
    for path in ("/teach/intakes/999999/queue", "/teach/submissions/999999",
                 f"/teach/intakes/{intake.id}/trainees/999999/attempts"):
        assert client.get(path).status_code == 404, path


def test_the_instructor_home_counts_the_same_waiting_work_as_the_queue(signed_in_client, intake, assignment):
    submitted(enrol(intake, "Waiting Trainee"), assignment)
    submitted(enrol(intake, "Gone Trainee", EnrolmentState.WITHDRAWN), assignment)
    client = signed_in_client(instructor_of(intake))
    assert "Grading queue (1)" in client.get("/").get_data(as_text=True)
    queue = client.get(f"/teach/intakes/{intake.id}/queue").get_data(as_text=True)
    assert "Waiting Trainee" in queue and "Gone Trainee" not in queue


def test_a_withdrawn_trainees_work_cannot_be_graded_by_its_url(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake, "Gone Trainee", EnrolmentState.WITHDRAWN), assignment)
    client = signed_in_client(instructor_of(intake))
    assert client.get(f"/teach/submissions/{submission.id}").status_code == 404
    assert grade(client, submission, levels_by_label(assignment, *["Excellent"] * 5)).status_code == 404
    assert submission.state is SubmissionState.SUBMITTED


def test_the_graded_mail_links_to_the_work_with_a_full_address(signed_in_client, intake, assignment, db_session):
    submission = submitted(enrol(intake, "Mailed Trainee"), assignment)
    client = signed_in_client(instructor_of(intake))
    labels = [criterion.levels[0].label for criterion in assignment.rubric]
    assert grade(client, submission, levels_by_label(assignment, *labels)).status_code == 302
    mail = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == submission.enrolment.user.email)
                              .order_by(OutboxMail.id)).first()
    assert f"https://training.example.org/study/{submission.enrolment_id}/assignments/{assignment.id}" in mail.body


# Two pages of the same work

HIDDEN = re.compile(r'<input id="(version|graded)" name="\1" type="hidden" value="([^"]*)">')


def open_tab(client, submission) -> dict[str, str]:
    """What a grading page opened now carries in its hidden fields."""
    return dict(HIDDEN.findall(client.get(f"/teach/submissions/{submission.id}").get_data(as_text=True)))


def save_from(client, submission, tab: dict, levels: dict, feedback: str):
    return post_form(client, f"/teach/submissions/{submission.id}", {**levels, **tab, "feedback": feedback})


def test_a_second_stale_page_does_not_overwrite_a_grade_given_meanwhile(signed_in_client, intake, assignment):
    enrolment = enrol(intake, "Twice Thida")
    submission = submitted(enrolment, assignment)
    instructor = instructor_of(intake)
    instructor.time_zone = "Asia/Bangkok"
    # The whole day at one moment, so the grade's time can be read: 01:15 UTC is 08:15 in Bangkok.
    with time_machine.travel(datetime(2026, 12, 2, 1, 15, tzinfo=timezone.utc), tick=False):
        two_tabs_of_the_same_work(signed_in_client(instructor), enrolment, submission, assignment)


def two_tabs_of_the_same_work(client, enrolment, submission, assignment):
    """Two tabs of the instructor signed in on `client` open the same work; each saves a grade."""
    first_tab, second_tab = open_tab(client, submission), open_tab(client, submission)
    assert first_tab == second_tab == {"version": "1", "graded": "ungraded"}

    response = save_from(client, submission, first_tab, levels_by_label(assignment, *["Excellent"] * 5),
                         "Excellent throughout.")
    assert response.status_code == 302 and submission.score == 100

    weak = levels_by_label(assignment, *["Weak"] * 5)
    response = save_from(client, submission, second_tab, weak, "A minute later, in the other tab.")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    # Who graded and when, in the reader's zone (08:15 in Bangkok is 01:15 UTC).
    assert "Ins Tructor graded this work on 2 Dec 2026, 08:15 Bangkok time (100%) after you opened it." in page
    assert submission.score == 100 and submission.feedback == "Excellent throughout."
    # The grader's input is kept: their feedback and every level they chose.
    assert "A minute later, in the other tab." in page
    for level_id in weak.values():
        assert re.search(rf'<input checked id="[^"]+" name="[^"]+" required type="radio" value="{level_id}">', page)
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMail)
                             .where(OutboxMail.to_address == enrolment.user.email)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Notification)
                             .where(Notification.user_id == enrolment.user_id)) == 1
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "grade.changed")).all()) == 1

    # The page sent back knows the grade now given: saving it again replaces that grade knowingly.
    resent = dict(HIDDEN.findall(page))
    assert resent["graded"] == grade_stamp(submission) != "ungraded"
    assert save_from(client, submission, resent, weak, "On reflection, weaker.").status_code == 302
    assert submission.score == 15


def test_a_colleague_grading_meanwhile_is_named(signed_in_client, intake, assignment):
    colleague = make_user(Role.INSTRUCTOR, full_name="Colleague Chen")
    intake.instructors.append(colleague)
    submission = submitted(enrol(intake), assignment)
    client = signed_in_client(instructor_of(intake))
    stale = open_tab(client, submission)
    other = signed_in_client(colleague)
    assert grade(other, submission, levels_by_label(assignment, *["Good"] * 5)).status_code == 302
    response = save_from(client, submission, stale, levels_by_label(assignment, *["Weak"] * 5), "Mine.")
    assert response.status_code == 409
    assert "Colleague Chen graded this work on" in response.get_data(as_text=True)
    assert submission.graded_by_id == colleague.id


def test_a_page_without_the_grade_it_saw_is_asked_to_reload(signed_in_client, intake, assignment):
    submission = submitted(enrol(intake), assignment)
    client = signed_in_client(instructor_of(intake))
    response = post_form(client, f"/teach/submissions/{submission.id}", {
        **levels_by_label(assignment, *["Good"] * 5), "feedback": "Fine.", "version": "1"})
    assert response.status_code == 400
    assert "Please reload the page and grade again." in response.get_data(as_text=True)
    assert submission.score is None


def test_the_attempts_page_shows_each_answer_beside_the_score_before_an_override(signed_in_client, intake, course):
    enrolment = enrol(intake)
    attempt = make_attempt(enrolment, course)
    choice = next(q for q in attempt.assessment.questions if q.type.value == "single")
    right = sorted(correct_indices(choice.spec))[0]
    wrong = next(index for index in range(len(choice.spec["options"])) if index != right)
    attempt.answers = {str(choice.id): wrong}
    grade_attempt(attempt)
    db.session.flush()
    client = signed_in_client(instructor_of(intake))
    page = client.get(f"/teach/intakes/{intake.id}/trainees/{enrolment.id}/attempts").get_data(as_text=True)
    answers = page[page.index("The trainee's answers"):]
    assert page.index("Score that counts") < page.index("The trainee's answers")  # one beside the other
    questions = attempt.assessment.questions
    assert answers.count("<h4>") == len(questions)
    number = questions.index(choice) + 1
    shown_question = answers[answers.index(f"Question {number}"):]
    shown_question = shown_question[:shown_question.index("</section>")]
    assert "Wrong" in shown_question and f"points: 0 of {shown(choice.points)}" in shown_question
    assert choice.prompt in shown_question
    assert "Trainee's answer" in shown_question and choice.spec["options"][wrong]["text"] in shown_question
    assert "Correct answer" in shown_question and choice.spec["options"][right]["text"] in shown_question
    assert "No answer" in answers  # the questions left blank say so
    assert 'name="attempt-' in page  # the override form is on the same page
