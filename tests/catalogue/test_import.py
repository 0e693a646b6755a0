"""Importing courses from files: idempotent, a new version for each change, all or nothing, clear errors."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from lms.catalogue.course_files import CourseTreeInvalid, read_tree
from lms.catalogue.models import Course, Lesson, Question, RubricLevel
from lms.catalogue.operations import import_courses
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.learning.models import LessonProgress
from tests.catalogue.course_tree import write_course
from tests.factories import make_intake, make_user


def snapshot(db_session, slug: str) -> dict:
    course = db_session.scalar(select(Course).where(Course.slug == slug))
    return {
        "course": (course.id, course.version, course.content_hash, course.title),
        "lessons": sorted((l.id, l.slug, l.module_id, l.position, l.body_html) for l in course.lessons),
        "questions": sorted((q.id, q.key, q.position, str(q.spec)) for a in course.assessments for q in a.questions),
        "levels": sorted((lv.id, lv.label, lv.points) for a in course.assessments for c in a.rubric for lv in c.levels),
    }


def test_importing_the_same_tree_twice_changes_nothing(tmp_path, db_session):
    write_course(tmp_path)
    first = import_courses(read_tree(tmp_path))
    assert first.created == ["test-course"]
    before = snapshot(db_session, "test-course")
    second = import_courses(read_tree(tmp_path))
    assert second.unchanged == ["test-course"] and not second.created and not second.updated
    assert snapshot(db_session, "test-course") == before


def test_importing_the_shipped_catalogue_again_changes_nothing(app, db_session):
    result = import_courses(read_tree(app.config["COURSES_DIR"]))
    assert result.created == [] and result.updated == []
    assert len(result.unchanged) >= 6


def test_an_edited_lesson_makes_a_new_version_and_the_old_lesson_keeps_its_progress(tmp_path, db_session):
    folder = write_course(tmp_path)
    import_courses(read_tree(tmp_path))
    course = db_session.scalar(select(Course).where(Course.slug == "test-course"))
    lesson = course.current_version.lessons[0]
    enrolment = Enrolment(intake=make_intake(course=course), user=make_user(), state=EnrolmentState.ACTIVE)
    db_session.add(LessonProgress(enrolment=enrolment, lesson=lesson, completed_at=datetime.now(timezone.utc)))
    db_session.flush()
    lesson_id, old_html = lesson.id, lesson.body_html

    path = folder / "lessons" / "intro.md"
    path.write_text(path.read_text().replace("Some **text**.", "Revised text with a table.\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    result = import_courses(read_tree(tmp_path))

    assert result.updated == ["test-course"]
    db_session.expire_all()
    assert course.version == 2 and [v.number for v in course.versions] == [1, 2]
    new_lesson = next(item for item in course.lessons if item.slug == "intro")
    assert new_lesson.id != lesson_id and "<table>" in new_lesson.body_html
    # The lesson the trainee studied is kept as it was, with the progress on it.
    kept = db_session.get(Lesson, lesson_id)
    assert kept.body_html == old_html and kept.version.number == 1
    progress = db_session.scalars(select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)).all()
    assert [p.lesson_id for p in progress] == [lesson_id]


def test_a_lesson_moved_to_another_module_is_found_by_its_slug_in_the_new_version(tmp_path, db_session):
    folder = write_course(tmp_path)
    import_courses(read_tree(tmp_path))
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text().replace("      - second.md\n", "") + (
        "  - slug: another\n    title: Another module\n    lessons:\n      - second.md\n"))
    import_courses(read_tree(tmp_path))
    db_session.expire_all()
    course = db_session.scalar(select(Course).where(Course.slug == "test-course"))
    lesson = next(item for item in course.lessons if item.slug == "second")
    assert lesson.module.slug == "another"
    earlier = next(item for item in course.versions[0].lessons if item.slug == "second")
    assert earlier.module.slug == "first"


def test_dropped_questions_and_changed_rubric_levels_are_retired_not_deleted(tmp_path, db_session):
    folder = write_course(tmp_path)
    import_courses(read_tree(tmp_path))
    old_question_ids = set(db_session.scalars(select(Question.id)))
    old_level_ids = set(db_session.scalars(select(RubricLevel.id)))
    quiz = folder / "assessments" / "check.yaml"
    text = quiz.read_text()
    quiz.write_text(text[: text.index("  - id: q2")].replace("Pick one", "Pick the right one"))
    essay = folder / "assessments" / "essay.yaml"
    essay.write_text(essay.read_text().replace("{label: Good, points: 10}", "{label: Excellent, points: 12}"))
    import_courses(read_tree(tmp_path))
    db_session.expire_all()
    course = db_session.scalar(select(Course).where(Course.slug == "test-course"))
    assessment = next(a for a in course.assessments if a.slug == "check")
    assert [(q.key, q.prompt) for q in assessment.questions] == [("q1", "Pick the right one")]
    essay_rubric = next(a for a in course.assessments if a.slug == "essay").rubric
    assert [(level.label, level.points) for level in essay_rubric[0].levels] == [("Excellent", 12), ("Weak", 2)]
    # Version 1 keeps every question and level it had.
    assert old_question_ids <= set(db_session.scalars(select(Question.id)))
    assert old_level_ids <= set(db_session.scalars(select(RubricLevel.id)))
    first = next(a for a in course.versions[0].assessments if a.slug == "check")
    assert [q.key for q in first.questions] == ["q1", "q2"]


def test_markdown_is_rendered_and_sanitised(tmp_path, db_session):
    folder = write_course(tmp_path)
    (folder / "lessons" / "intro.md").write_text(
        "---\ntitle: Hostile\n---\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> **bold**\n", encoding="utf-8")
    import_courses(read_tree(tmp_path))
    html = db_session.scalar(select(Lesson.body_html).join(Course, Lesson.course_id == Course.id).where(
        Course.slug == "test-course", Lesson.slug == "intro"))
    assert "<strong>bold</strong>" in html
    # Raw HTML shows as text, never as tags; a javascript: link is not made a link.
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


# (file to change, old text, new text, expected "path:line: message" fragments)
INVALID_FILES = [
    ("course.yaml", "title: Test Course\n", "title: [unclosed\n", "course.yaml:2: invalid YAML"),
    ("course.yaml", "title: Test Course\n", "", "course.yaml:1: missing required key 'title'"),
    ("course.yaml", "hours: 10\n", "hours: ten\n", "course.yaml:6: 'hours' must be a whole number"),
    ("course.yaml", "hours: 10\n", "hours: 0\n", "course.yaml:6: 'hours' must be between 1 and 1000"),
    ("course.yaml", "subject: technology\n", "subject: astrology\n", "course.yaml:4: 'subject' must be one of"),
    ("course.yaml", "pass_mark: 60\n", "pass_mark: 60\ncolour: blue\n", "course.yaml:8: unknown key 'colour'"),
    ("course.yaml", "      - second.md\n", "      - missing.md\n",
     "course.yaml:16: lesson file lessons/missing.md does not exist"),
    ("course.yaml", "      - second.md\n", "      - intro.md\n", "course.yaml:16: 'intro.md' is listed twice"),
    ("course.yaml", "      - second.md\n", "", "lessons/second.md: this file is not listed in course.yaml"),
    ("course.yaml", "  - slug: first\n", "  - slug: First Module\n", "course.yaml:12: module slug 'First Module'"),
    ("lessons/intro.md", "---\ntitle: Introduction\n", "title: Introduction\n",
     "lessons/intro.md:1: a lesson starts with a front matter block"),
    ("lessons/intro.md", "minutes: 10\n", "minutes: soon\n", "lessons/intro.md:3: 'minutes' must be a whole number"),
    ("lessons/intro.md", "title: Introduction\n", "title: [bad\n", "lessons/intro.md:3: invalid YAML"),
    ("lessons/intro.md", "## Heading\n\nSome **text**.\n", "", "lessons/intro.md:5: the lesson has no text"),
    ("assessments/check.yaml", "kind: quiz\n", "kind: exam\n", "check.yaml:1: 'kind' must be one of quiz | assignment"),
    ("assessments/check.yaml", "      - text: Wrong\n", "      - text: Wrong\n        correct: true\n",
     "check.yaml:14: a single-choice question needs exactly one correct option, found 2"),
    ("assessments/check.yaml", "  - id: q2\n", "  - id: q1\n", "check.yaml:18: question id 'q1' is used twice"),
    ("assessments/check.yaml", "late_policy: penalty-20\n", "late_policy: sometimes\n",
     "check.yaml:8: late_policy must be accept, zero or penalty-<1..100>"),
    ("assessments/check.yaml", "    tolerance: 0.1\n", "    tolerance: -1\n", "check.yaml:22: 'tolerance' must be at least 0"),
    ("assessments/check.yaml", "    type: numeric\n", "    type: essay\n", "check.yaml:19: 'type' must be one of"),
    ("assessments/essay.yaml", "file_types: [pdf, docx]\n", "file_types: [pdf, exe]\n",
     "essay.yaml:6: file type 'exe' is not allowed"),
    ("assessments/essay.yaml", "max_file_mb: 5\n", "max_file_mb: 30\n",
     "essay.yaml:7: 'max_file_mb' must be between 1 and 20"),
    ("assessments/essay.yaml", "      - {label: Weak, points: 2}\n", "",
     "essay.yaml:11: a rubric criterion needs at least two levels"),
]


@pytest.mark.parametrize("name, old, new, expected", INVALID_FILES, ids=[row[3][:60] for row in INVALID_FILES])
def test_an_invalid_file_is_rejected_with_its_path_and_line_and_nothing_is_imported(
        tmp_path, db_session, name, old, new, expected):
    folder = write_course(tmp_path)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    courses_before = db_session.scalar(select(func.count()).select_from(Course))
    with pytest.raises(CourseTreeInvalid) as raised:
        import_courses(read_tree(tmp_path))
    message = str(raised.value)
    assert expected in message, message
    assert str(folder) in message
    assert db_session.scalar(select(func.count()).select_from(Course)) == courses_before


def test_a_file_that_is_not_utf8_is_reported_with_its_line(tmp_path):
    folder = write_course(tmp_path)
    (folder / "lessons" / "intro.md").write_bytes(b"---\ntitle: Intro\n---\n\nline\n\xff\xfe broken\n")
    with pytest.raises(CourseTreeInvalid, match=r"intro.md:6: the file is not valid UTF-8"):
        read_tree(tmp_path)


def test_one_invalid_course_stops_the_whole_import(tmp_path, db_session):
    write_course(tmp_path, "good-course")
    bad = write_course(tmp_path, "bad-course")
    (bad / "course.yaml").write_text((bad / "course.yaml").read_text().replace("hours: 10", "hours: -3"))
    with pytest.raises(CourseTreeInvalid) as raised:
        import_courses(read_tree(tmp_path))
    assert len(raised.value.errors) == 1 and "bad-course" in str(raised.value)
    assert db_session.scalar(select(Course).where(Course.slug == "good-course")) is None


def test_cli_import_reports_errors_and_imports_nothing(app, tmp_path, db_session):
    folder = write_course(tmp_path)
    (folder / "course.yaml").write_text((folder / "course.yaml").read_text().replace("hours: 10", "hours: many"))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{folder / 'course.yaml'}:6: 'hours' must be a whole number" in result.output
    assert "Nothing was imported." in result.output
    assert db_session.scalar(select(Course).where(Course.slug == "test-course")) is None


def test_cli_import_says_what_it_changed(app, tmp_path, db_session):
    write_course(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["courses", "import", str(tmp_path)])
    assert first.exit_code == 0 and "1 created" in first.output and "test-course" in first.output
    second = runner.invoke(args=["courses", "import", str(tmp_path)])
    assert second.exit_code == 0 and "0 created, 0 updated, 1 unchanged" in second.output


def test_cli_validate_checks_without_writing(app, tmp_path, db_session):
    write_course(tmp_path)
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(tmp_path)])
    assert result.exit_code == 0 and "1 course(s) valid" in result.output
    assert db_session.scalar(select(Course).where(Course.slug == "test-course")) is None
