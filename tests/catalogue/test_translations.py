"""Course content beside the English in other languages: checked on import, read in the trainee's language."""
import pytest

from lms.catalogue.course_files import CourseTreeInvalid, read_tree
from lms.catalogue.operations import import_courses
from lms.catalogue.translations import ContentTranslation
from lms.accounts.models import Role
from lms.enrolment.models import Enrolment, EnrolmentState
from tests.catalogue.course_tree import QUIZ, LESSON, write_course
from tests.factories import make_intake, make_user

THAI_LESSON = LESSON.format(title="บทนำ").replace("Some **text**.", "ข้อความภาษาไทย")
THAI_QUIZ = QUIZ.replace("title: Check", "title: แบบทดสอบ").replace("Pick one", "เลือกหนึ่งข้อ") \
    .replace("text: Right", "text: ถูก").replace("text: Wrong", "text: ผิด").replace("How many?", "กี่ครั้ง?")


def translated_course(tmp_path):
    folder = write_course(tmp_path)
    (folder / "lessons" / "intro.th.md").write_text(THAI_LESSON, encoding="utf-8")
    (folder / "assessments" / "check.th.yaml").write_text(THAI_QUIZ, encoding="utf-8")
    (folder / "course.th.yaml").write_text("title: หลักสูตรทดสอบ\nsummary: หลักสูตรเล็กสำหรับการทดสอบ\n",
                                           encoding="utf-8")
    return folder


def problem(tmp_path) -> str:
    with pytest.raises(CourseTreeInvalid) as raised:
        read_tree(tmp_path)
    return str(raised.value)


def test_translations_beside_the_english_are_read_and_imported(tmp_path, db_session):
    translated_course(tmp_path)
    [spec] = read_tree(tmp_path)
    intro = spec.modules[0].lessons[0]
    assert intro.translations["th"].title == "บทนำ" and intro.translations["th"].slug == "intro"
    assert spec.modules[0].assessments[0].translations["th"].questions[0].prompt == "เลือกหนึ่งข้อ"
    assert spec.translations == {"th": {"title": "หลักสูตรทดสอบ", "summary": "หลักสูตรเล็กสำหรับการทดสอบ"}}
    import_courses([spec])
    from lms.catalogue.models import Course

    course = db_session.query(Course).filter_by(slug="test-course").one()
    kinds = {(row.kind, row.slug, row.language)
             for row in db_session.query(ContentTranslation).filter_by(course_id=course.id)}
    assert kinds == {("course", "test-course", "th"), ("lesson", "intro", "th"), ("assessment", "check", "th")}


def test_a_translated_quiz_with_another_answer_key_is_refused(tmp_path):
    folder = translated_course(tmp_path)
    changed = THAI_QUIZ.replace("text: ถูก\n        correct: true\n      - text: ผิด",
                                "text: ถูก\n      - text: ผิด\n        correct: true")
    assert changed != THAI_QUIZ
    (folder / "assessments" / "check.th.yaml").write_text(changed, encoding="utf-8")
    assert "check.th.yaml: a translation must have the English file's questions, options and answer keys" \
        in problem(tmp_path)


def test_a_translated_quiz_with_a_question_missing_or_another_numeric_answer_is_refused(tmp_path):
    folder = translated_course(tmp_path)
    (folder / "assessments" / "check.th.yaml").write_text(THAI_QUIZ.replace("answer: 2.5", "answer: 3"),
                                                          encoding="utf-8")
    assert "answer keys" in problem(tmp_path)
    (folder / "assessments" / "check.th.yaml").write_text(THAI_QUIZ.split("  - id: q2")[0], encoding="utf-8")
    assert "answer keys" in problem(tmp_path)


def test_a_translation_without_its_english_file_is_reported_as_unlisted(tmp_path):
    folder = write_course(tmp_path)
    (folder / "lessons" / "missing.th.md").write_text(THAI_LESSON, encoding="utf-8")
    assert "missing.th.md: this file is not listed" in problem(tmp_path)


def test_the_trainee_reads_her_language_and_english_with_a_note_where_none_exists(signed_in_client, tmp_path,
                                                                                  db_session):
    translated_course(tmp_path)
    import_courses(read_tree(tmp_path))
    from lms.catalogue.models import Course

    course = db_session.query(Course).filter_by(slug="test-course").one()
    trainee = make_user(Role.TRAINEE)
    trainee.language = "th"
    enrolment = Enrolment(intake=make_intake(course=course), user=trainee, state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    db_session.flush()
    client = signed_in_client(trainee)
    from babel.support import Translations  # the note itself is in her language, from the catalogue

    note = Translations.load("lms/translations", ["th"]).gettext(
        "This lesson is not yet translated into %(language)s, so it is shown in English.") % {"language": "ไทย"}
    lessons = {lesson.slug: lesson for module in course.modules for lesson in module.lessons}
    page = client.get(f"/study/{enrolment.id}/lessons/{lessons['intro'].id}").get_data(as_text=True)
    assert '<article class="lesson" lang="th">' in page and "ข้อความภาษาไทย" in page
    assert note not in page
    page = client.get(f"/study/{enrolment.id}/lessons/{lessons['second'].id}").get_data(as_text=True)
    assert '<article class="lesson" lang="en">' in page and "Some <strong>text</strong>." in page
    assert note in page
    listing = client.get("/courses").get_data(as_text=True)
    assert "หลักสูตรทดสอบ" in listing
