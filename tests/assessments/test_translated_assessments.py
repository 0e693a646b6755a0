"""A quiz and an assignment in the trainee's language: questions, options, explanations and rubric, imported
beside the English, graded on the English answer key, and never giving an answer away before submission."""
import html
import re
from pathlib import Path

import pytest
from babel.support import Translations
from sqlalchemy import select

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.course_files import CourseTreeInvalid, read_tree
from lms.catalogue.models import Course
from lms.catalogue.operations import import_courses
from lms.catalogue.translations import ContentTranslation
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.grading.operations import grade_submission
from lms.notifications.models import Notification
from tests.conftest import post_form
from tests.factories import make_intake, make_user

MANIFEST = """\
title: Translated Course
title_zh: 翻译课程
subject: regulation
area: universal-service
hours: 4
pass_mark: 60
summary: A course with a translated quiz and assignment.
modules:
  - slug: only
    title: Only module
    lessons: [reading.md]
    assessments: [check.yaml, plain.yaml, plan.yaml]
"""

LESSON = "---\ntitle: Reading\nminutes: 5\n---\n\nSome text.\n"

# Every answer and explanation is a marker found nowhere else, so a page that leaks one is caught.
QUIZ = """\
kind: quiz
title: English check
weight: 10
pass_mark: 50
attempts: 1
show_answers: after-each-attempt
questions:
  - id: q1
    type: single
    prompt: English prompt one
    options:
      - text: English distractor
      - text: English right option marker
        correct: true
    feedback: English explanation marker one
  - id: q2
    type: multiple
    prompt: English prompt two
    options:
      - text: English multi right marker
        correct: true
      - text: English multi wrong
    feedback: English explanation marker two
  - id: q3
    type: true_false
    prompt: English prompt three
    answer: false
  - id: q4
    type: short
    prompt: English prompt four
    answers: [reverse auction marker]
    feedback: English explanation marker four
"""

THAI_QUIZ = """\
kind: quiz
title: แบบทดสอบภาษาไทย
weight: 10
pass_mark: 50
attempts: 1
show_answers: after-each-attempt
questions:
  - id: q1
    type: single
    prompt: คำถามภาษาไทยข้อหนึ่ง
    options:
      - text: ตัวลวงภาษาไทย
      - text: ตัวเลือกที่ถูกภาษาไทย
        correct: true
    feedback: คำอธิบายภาษาไทยข้อหนึ่ง
  - id: q2
    type: multiple
    prompt: คำถามภาษาไทยข้อสอง
    options:
      - text: ตัวเลือกหลายข้อที่ถูก
        correct: true
      - text: ตัวเลือกหลายข้อที่ผิด
    feedback: คำอธิบายภาษาไทยข้อสอง
  - id: q3
    type: true_false
    prompt: คำถามภาษาไทยข้อสาม
    answer: false
  - id: q4
    type: short
    prompt: คำถามภาษาไทยข้อสี่
    answers: [การประมูลแบบย้อนกลับ]
    feedback: คำอธิบายภาษาไทยข้อสี่
"""

PLAIN_QUIZ = """\
kind: quiz
title: Untranslated check
weight: 5
pass_mark: 50
questions:
  - id: q1
    type: true_false
    prompt: Untranslated prompt
    answer: true
"""

ASSIGNMENT = """\
kind: assignment
title: English plan
weight: 20
pass_mark: 50
submission: text
brief: Write an English *brief* plan.
rubric:
  - criterion: English analysis
    description: English criterion description
    levels:
      - {label: English strong, points: 10, description: English strong level}
      - {label: English weak, points: 2, description: English weak level}
"""

THAI_ASSIGNMENT = """\
kind: assignment
title: แผนภาษาไทย
weight: 20
pass_mark: 50
submission: text
brief: เขียนแผน*ภาษาไทย*
rubric:
  - criterion: การวิเคราะห์ภาษาไทย
    description: คำอธิบายเกณฑ์ภาษาไทย
    levels:
      - {label: ระดับดี, points: 10, description: คำอธิบายระดับดี}
      - {label: ระดับอ่อน, points: 2, description: คำอธิบายระดับอ่อน}
"""

LEAK_MARKERS = ["English right option marker", "English multi right marker", "reverse auction marker",
                "English explanation marker", "คำอธิบายภาษาไทย", "การประมูลแบบย้อนกลับ"]


def write_course(root: Path, files: dict[str, str] | None = None) -> Path:
    folder = root / "translated-course"
    (folder / "lessons").mkdir(parents=True)
    (folder / "assessments").mkdir()
    contents = {"course.yaml": MANIFEST, "lessons/reading.md": LESSON, "assessments/check.yaml": QUIZ,
                "assessments/check.th.yaml": THAI_QUIZ, "assessments/plain.yaml": PLAIN_QUIZ,
                "assessments/plan.yaml": ASSIGNMENT, "assessments/plan.th.yaml": THAI_ASSIGNMENT, **(files or {})}
    for name, text in contents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def import_folder(root: Path) -> Course:
    import_courses(read_tree(root))
    from lms.extensions import db

    return db.session.scalars(select(Course).where(Course.slug == "translated-course")).one()


@pytest.fixture
def course(tmp_path, db_session) -> Course:
    write_course(tmp_path)
    return import_folder(tmp_path)


def enrol(db_session, course: Course, language: str, instructors=()) -> Enrolment:
    trainee = make_user(Role.TRAINEE)
    trainee.language = language
    enrolment = Enrolment(intake=make_intake(course=course, instructors=list(instructors)), user=trainee,
                          state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    db_session.flush()
    return enrolment


def assessment(course: Course, slug: str):
    return next(item for item in course.assessments if item.slug == slug)


def thai(message: str, **values) -> str:
    return Translations.load("lms/translations", ["th"]).gettext(message) % values


def notes() -> list[str]:
    """The two notes of a quiz shown (wholly or partly) in English, in Thai."""
    return [thai("This quiz is not yet translated into %(language)s, so it is shown in English.", language="ไทย"),
            thai("Parts of this quiz are not yet translated into %(language)s, so they are shown in English.",
                 language="ไทย")]


def start_attempt(client, enrolment: Enrolment, quiz) -> str:
    quiz_url = f"/study/{enrolment.id}/quizzes/{quiz.id}"
    response = post_form(client, quiz_url + "/start", {}, form_url=quiz_url)
    assert response.status_code == 302
    return response.headers["Location"]


def option_value(page: str, name: str, text: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"(?: checked)?> {re.escape(html.escape(text))}</label>', page)
    assert match, f"no option {text!r} for {name}"
    return match.group(1)


def test_the_import_keeps_each_translated_word_beside_the_english_it_translates(course, db_session):
    row = db_session.scalars(select(ContentTranslation).where(
        ContentTranslation.slug == "check", ContentTranslation.language == "th")).one()
    assert row.parts["questions"]["q1"] == {
        "English prompt one": "คำถามภาษาไทยข้อหนึ่ง", "English explanation marker one": "คำอธิบายภาษาไทยข้อหนึ่ง",
        "English distractor": "ตัวลวงภาษาไทย", "English right option marker": "ตัวเลือกที่ถูกภาษาไทย"}
    plan = db_session.scalars(select(ContentTranslation).where(ContentTranslation.slug == "plan")).one()
    assert plan.parts["rubric"]["English analysis"]["English weak level"] == "คำอธิบายระดับอ่อน"
    # The accepted answers in Thai are part of the version's answer key; the English ones stay canonical.
    short = next(q for q in assessment(course, "check").questions if q.key == "q4")
    assert short.spec == {"answers": ["reverse auction marker"], "translated_answers": {"th": ["การประมูลแบบย้อนกลับ"]}}


def test_a_thai_trainee_takes_the_quiz_in_thai_and_her_thai_short_answer_is_right(signed_in_client, course, db_session):
    enrolment = enrol(db_session, course, "th")
    quiz = assessment(course, "check")
    client = signed_in_client(enrolment.user)
    intro = client.get(f"/study/{enrolment.id}/quizzes/{quiz.id}").get_data(as_text=True)
    assert '<h1 lang="th">แบบทดสอบภาษาไทย</h1>' in intro and "English check" not in intro
    attempt_url = start_attempt(client, enrolment, quiz)
    page = client.get(attempt_url).get_data(as_text=True)
    for thai_text in ("คำถามภาษาไทยข้อหนึ่ง", "ตัวลวงภาษาไทย", "ตัวเลือกที่ถูกภาษาไทย", "ตัวเลือกหลายข้อที่ผิด",
                      "คำถามภาษาไทยข้อสี่"):
        assert thai_text in page
    assert "English prompt" not in page and "English distractor" not in page
    assert not any(html.escape(note) in page for note in notes())  # no note: all of it is Thai
    q = {question.key: f"q{question.id}" for question in quiz.questions}
    answers = {q["q1"]: option_value(page, q["q1"], "ตัวเลือกที่ถูกภาษาไทย"),
               q["q2"]: option_value(page, q["q2"], "ตัวเลือกหลายข้อที่ถูก"), q["q3"]: "false",
               q["q4"]: " การประมูลแบบย้อนกลับ ", "action": "submit"}
    response = post_form(client, attempt_url, answers, form_url="/courses")
    assert response.headers["Location"].endswith("/result")
    attempt = db_session.scalars(select(Attempt).where(Attempt.enrolment_id == enrolment.id)).one()
    assert attempt.score == 100

    result = client.get(response.headers["Location"]).get_data(as_text=True)
    for thai_text in ("คำถามภาษาไทยข้อหนึ่ง", "คำอธิบายภาษาไทยข้อหนึ่ง", "คำอธิบายภาษาไทยข้อสี่",
                      "การประมูลแบบย้อนกลับ; reverse auction marker"):
        assert thai_text in result
    assert "English explanation marker" not in result and "English right option marker" not in result
    assert '<section class="card" lang="th">' in result


def test_an_english_trainee_sees_the_english_and_a_thai_answer_still_counts(signed_in_client, course, db_session):
    enrolment = enrol(db_session, course, "en")
    quiz = assessment(course, "check")
    client = signed_in_client(enrolment.user)
    attempt_url = start_attempt(client, enrolment, quiz)
    page = client.get(attempt_url).get_data(as_text=True)
    assert "English prompt one" in page and "English right option marker" in page
    assert "คำถาม" not in page and "not yet translated" not in page
    short = next(question for question in quiz.questions if question.key == "q4")
    post_form(client, attempt_url, {f"q{short.id}": "การประมูลแบบย้อนกลับ", "action": "submit"}, form_url="/courses")
    attempt = db_session.scalars(select(Attempt).where(Attempt.enrolment_id == enrolment.id)).one()
    assert attempt.results[str(short.id)]["fraction"] == 1.0  # an accepted answer is right in any language
    result = client.get(attempt_url + "/result").get_data(as_text=True)
    assert "English explanation marker four" in result and "คำอธิบาย" not in result


def test_a_quiz_without_her_language_is_in_english_with_a_note(signed_in_client, course, db_session):
    enrolment = enrol(db_session, course, "th")
    quiz = assessment(course, "plain")
    client = signed_in_client(enrolment.user)
    note = thai("This quiz is not yet translated into %(language)s, so it is shown in English.", language="ไทย")
    intro = client.get(f"/study/{enrolment.id}/quizzes/{quiz.id}").get_data(as_text=True)
    assert '<h1 lang="en">Untranslated check</h1>' in intro and html.escape(note) in intro
    page = client.get(start_attempt(client, enrolment, quiz)).get_data(as_text=True)
    assert "Untranslated prompt" in page and html.escape(note) in page
    assert 'lang="en">' in page


def test_a_thai_trainee_reads_the_assignment_and_her_graded_rubric_in_thai(signed_in_client, course, db_session):
    enrolment = enrol(db_session, course, "th")
    plan = assessment(course, "plan")
    client = signed_in_client(enrolment.user)
    url = f"/study/{enrolment.id}/assignments/{plan.id}"
    page = client.get(url).get_data(as_text=True)
    for thai_text in ("<h1 lang=\"th\">แผนภาษาไทย</h1>", "<em>ภาษาไทย</em>", "การวิเคราะห์ภาษาไทย",
                      "คำอธิบายเกณฑ์ภาษาไทย", "ระดับดี", "คำอธิบายระดับอ่อน"):
        assert thai_text in page
    assert not any(english in page for english in ("English plan", "English analysis", "English strong", "brief"))
    submission = Submission(enrolment=enrolment, assessment=plan, text="แผนของฉัน", state=SubmissionState.SUBMITTED,
                            submitted_at=utcnow(), times_submitted=1)
    db_session.add(submission)
    db_session.flush()
    [criterion] = plan.rubric
    grade_submission(submission, make_user(Role.INSTRUCTOR), {criterion.id: criterion.levels[1].id}, "ดีมาก")
    [notice] = db_session.scalars(select(Notification).where(Notification.user_id == enrolment.user.id))
    assert "“แผนภาษาไทย”" in notice.message
    page = client.get(url).get_data(as_text=True)
    your_grade = thai("your grade")
    assert re.search(rf"<td>ระดับอ่อน <strong>· {re.escape(your_grade)}</strong></td>", page)


def test_the_instructor_grades_on_the_english_rubric_and_is_told_the_trainee_read_it_in_thai(signed_in_client, course,
                                                                                             db_session):
    instructor = make_user(Role.INSTRUCTOR)
    enrolment = enrol(db_session, course, "th", instructors=[instructor])
    plan = assessment(course, "plan")
    submission = Submission(enrolment=enrolment, assessment=plan, text="แผนของฉัน", state=SubmissionState.SUBMITTED,
                            submitted_at=utcnow(), times_submitted=1)
    db_session.add(submission)
    db_session.flush()
    client = signed_in_client(instructor)
    page = client.get(f"/teach/submissions/{submission.id}").get_data(as_text=True)
    assert "English analysis" in page and "English weak level" in page and "การวิเคราะห์" not in page
    assert f"{html.escape(enrolment.user.full_name)} reads this assignment's brief and rubric in ไทย" \
        in page.replace("&#39;", "'")


def test_an_english_trainee_reads_the_english_rubric(signed_in_client, course, db_session):
    enrolment = enrol(db_session, course, "en")
    plan = assessment(course, "plan")
    client = signed_in_client(enrolment.user)
    page = client.get(f"/study/{enrolment.id}/assignments/{plan.id}").get_data(as_text=True)
    assert "English analysis" in page and "English weak level" in page and "<em>brief</em>" in page
    assert "ภาษาไทย" not in page


def test_an_older_version_shows_its_own_english_where_the_wording_has_changed_since(signed_in_client, tmp_path,
                                                                                    db_session):
    folder = write_course(tmp_path)
    course = import_folder(tmp_path)
    enrolment = enrol(db_session, course, "th")
    old_quiz = assessment(course, "check")
    # The next version rewords question 1 in both languages; a running intake keeps the version it started with.
    (folder / "assessments" / "check.yaml").write_text(QUIZ.replace("English prompt one", "Reworded prompt"),
                                                       encoding="utf-8")
    (folder / "assessments" / "check.th.yaml").write_text(
        THAI_QUIZ.replace("คำถามภาษาไทยข้อหนึ่ง", "คำถามที่เขียนใหม่"), encoding="utf-8")
    course = import_folder(tmp_path)
    assert course.version == 2
    enrolment.intake.version = course.versions[0]
    db_session.flush()
    client = signed_in_client(enrolment.user)
    page = client.get(start_attempt(client, enrolment, old_quiz)).get_data(as_text=True)
    assert "English prompt one" in page  # its own question, in English ...
    assert "คำถามที่เขียนใหม่" not in page and "Reworded" not in page  # ... never the words of the reworded one
    assert "ตัวเลือกที่ถูกภาษาไทย" in page and "คำถามภาษาไทยข้อสอง" in page  # what has not changed stays Thai
    note = thai("Parts of this quiz are not yet translated into %(language)s, so they are shown in English.",
                language="ไทย")
    assert html.escape(note) in page


def test_no_answer_reaches_a_translated_page_before_submission(signed_in_client, course, db_session):
    enrolment = enrol(db_session, course, "th")
    quiz = assessment(course, "check")
    client = signed_in_client(enrolment.user)
    pages = [client.get(f"/study/{enrolment.id}/quizzes/{quiz.id}").get_data(as_text=True)]
    attempt_url = start_attempt(client, enrolment, quiz)
    pages.append(client.get(attempt_url).get_data(as_text=True))
    for page in pages:
        for marker in LEAK_MARKERS:
            assert marker not in page, marker
        assert "correct" not in page.lower() and "translated_answers" not in page
    # The Thai options are shown, but nothing tells the right one from the other.
    q1 = next(question for question in quiz.questions if question.key == "q1")
    assert re.findall(rf'name="q{q1.id}" value="([^"]*)"', pages[1]) == ["0", "1"]


def test_a_translation_that_changes_the_rubric_or_an_answer_key_is_refused(tmp_path):
    write_course(tmp_path, {"assessments/plan.th.yaml": THAI_ASSIGNMENT.replace("points: 2", "points: 3")})
    with pytest.raises(CourseTreeInvalid, match="plan.th.yaml: a translation's rubric has the English criteria"):
        read_tree(tmp_path)
    (tmp_path / "translated-course" / "assessments" / "plan.th.yaml").write_text(THAI_ASSIGNMENT, encoding="utf-8")
    swapped = THAI_QUIZ.replace("answer: false", "answer: true")
    (tmp_path / "translated-course" / "assessments" / "check.th.yaml").write_text(swapped, encoding="utf-8")
    with pytest.raises(CourseTreeInvalid, match="check.th.yaml: a translation must have the English file's questions"):
        read_tree(tmp_path)
    shown_later = THAI_QUIZ.replace("show_answers: after-each-attempt", "show_answers: never")
    (tmp_path / "translated-course" / "assessments" / "check.th.yaml").write_text(shown_later, encoding="utf-8")
    with pytest.raises(CourseTreeInvalid, match="keeps the English settings; changed: answers_shown"):
        read_tree(tmp_path)
