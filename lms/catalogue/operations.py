"""Writing validated course specs into the database, in place, matched by slug."""
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.catalogue.course_files import AssessmentSpec, CourseSpec
from lms.catalogue.models import Assessment, Course, Lesson, Module, Question, RubricCriterion, RubricLevel
from lms.catalogue.translations import write_translations
from lms.core.markdown import render_markdown
from lms.extensions import db


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        lines = [", ".join(parts)]
        lines += [f"  created   {slug}" for slug in self.created]
        lines += [f"  updated   {slug}" for slug in self.updated]
        return "\n".join(lines)


def _assign(obj, **values) -> None:
    """Set only what differs, so an unchanged row is never rewritten."""
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def import_courses(specs: list[CourseSpec]) -> ImportResult:
    result = ImportResult()
    existing = {course.slug: course for course in db.session.scalars(select(Course))}
    for spec in specs:
        course = existing.get(spec.slug)
        if course is not None and course.content_hash == spec.content_hash:
            result.unchanged.append(spec.slug)
            continue
        if course is None:
            course = Course(slug=spec.slug)
            db.session.add(course)
            result.created.append(spec.slug)
        else:
            result.updated.append(spec.slug)
        _write_course(course, spec)
    db.session.flush()
    return result


def _write_course(course: Course, spec: CourseSpec) -> None:
    _assign(course, title=spec.title, title_zh=spec.title_zh, version=spec.version, subject=spec.subject,
            area=spec.area, hours=spec.hours, pass_mark=spec.pass_mark, summary=spec.summary,
            objectives=spec.objectives, content_hash=spec.content_hash)
    db.session.flush()  # the course needs its id before its content

    modules = {module.slug: module for module in course.modules}
    lessons = {lesson.slug: lesson for module in course.modules for lesson in module.lessons}
    assessments = {assessment.slug: assessment for module in course.modules for assessment in module.assessments}
    kept_modules, kept_lessons, kept_assessments = set(), set(), set()

    for position, module_spec in enumerate(spec.modules, start=1):
        module = modules.get(module_spec.slug)
        if module is None:
            module = Module(slug=module_spec.slug)
            course.modules.append(module)
        _assign(module, title=module_spec.title, position=position)
        kept_modules.add(module_spec.slug)
        for lesson_position, lesson_spec in enumerate(module_spec.lessons, start=1):
            # Matched by slug across the course, so a lesson moved to another module keeps its progress.
            lesson = lessons.get(lesson_spec.slug) or Lesson(slug=lesson_spec.slug, course_id=course.id)
            if lesson.module is not module:
                module.lessons.append(lesson)
            _assign(lesson, title=lesson_spec.title, position=lesson_position, minutes=lesson_spec.minutes,
                    is_required=lesson_spec.is_required, body_markdown=lesson_spec.body_markdown,
                    body_html=render_markdown(lesson_spec.body_markdown))
            kept_lessons.add(lesson_spec.slug)
        for assessment_position, assessment_spec in enumerate(module_spec.assessments, start=1):
            assessment = assessments.get(assessment_spec.slug) or Assessment(
                slug=assessment_spec.slug, course_id=course.id)
            if assessment.module is not module:
                module.assessments.append(assessment)
            _write_assessment(assessment, assessment_spec, assessment_position)
            kept_assessments.add(assessment_spec.slug)

    # What the files no longer name is removed (with the progress or attempts that hung on it).
    for slug, lesson in lessons.items():
        if slug not in kept_lessons:
            db.session.delete(lesson)
    for slug, assessment in assessments.items():
        if slug not in kept_assessments:
            db.session.delete(assessment)
    for slug, module in modules.items():
        if slug not in kept_modules:
            db.session.delete(module)
    write_translations(course, spec)


def _write_assessment(assessment: Assessment, spec: AssessmentSpec, position: int) -> None:
    _assign(assessment, kind=spec.kind, title=spec.title, position=position, weight=spec.weight,
            pass_mark=spec.pass_mark, attempts_allowed=spec.attempts_allowed,
            time_limit_minutes=spec.time_limit_minutes, grading_method=spec.grading_method,
            late_policy=spec.late_policy, shuffle_options=spec.shuffle_options,
            submission_kind=spec.submission_kind, file_types=spec.file_types, max_file_mb=spec.max_file_mb,
            allow_resubmission=spec.allow_resubmission,
            brief_html=render_markdown(spec.brief_markdown) if spec.brief_markdown else "")

    questions = {question.key: question for question in assessment.questions}
    kept = set()
    for question_position, question_spec in enumerate(spec.questions, start=1):
        question = questions.get(question_spec.key)
        if question is None:
            question = Question(key=question_spec.key)
            assessment.questions.append(question)
        _assign(question, position=question_position, type=question_spec.type, prompt=question_spec.prompt,
                points=question_spec.points, spec=question_spec.spec, feedback=question_spec.feedback)
        kept.add(question_spec.key)
    for key, question in questions.items():
        if key not in kept:
            assessment.questions.remove(question)

    # Rubric criteria and levels are matched by position, so grades given against them keep their meaning.
    for index, criterion_spec in enumerate(spec.rubric, start=1):
        if index <= len(assessment.rubric):
            criterion = assessment.rubric[index - 1]
        else:
            criterion = RubricCriterion(position=index)
            assessment.rubric.append(criterion)
        _assign(criterion, title=criterion_spec.title, description=criterion_spec.description)
        for level_index, (label, points, description) in enumerate(criterion_spec.levels, start=1):
            if level_index <= len(criterion.levels):
                level = criterion.levels[level_index - 1]
            else:
                level = RubricLevel(position=level_index)
                criterion.levels.append(level)
            _assign(level, label=label, points=points, description=description)
        del criterion.levels[len(criterion_spec.levels):]
    del assessment.rubric[len(spec.rubric):]
