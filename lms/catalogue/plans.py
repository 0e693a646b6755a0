"""An import as a plan first: what each course's files add, change and retire, and what that does to
the work learners have done on the current version. `flask courses import --dry-run` prints it; the
admin's web import shows it before it is applied; applying it writes exactly what it says.

Content rows are compared through their facts (plain tuples built the same way from the files and from
the database), so the plan and the importer cannot disagree about what changed.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.assessments.question_types import KINDS
from lms.catalogue.course_files import AssessmentSpec, CourseSpec, LessonSpec
from lms.catalogue.models import (Assessment, AssessmentKind, Course, CourseVersion, Lesson, Module, Question,
                                  RubricCriterion, RubricLevel)
from lms.core.markdown import render_markdown
from lms.extensions import db
from lms.learning.models import LessonProgress

ADDED, CHANGED, RETIRED = "added", "changed", "retired"


# --- Rows built from the files (the importer adds them to a new version) ----------------------

def build_lesson(spec: LessonSpec, position: int) -> Lesson:
    return Lesson(slug=spec.slug, title=spec.title, position=position, minutes=spec.minutes,
                  is_required=spec.is_required, body_markdown=spec.body_markdown,
                  body_html=render_markdown(spec.body_markdown))


def answer_key(spec: AssessmentSpec, index: int) -> dict:
    """A question's answer key; a short-answer question also accepts the answers its translations list in
    their languages (the import checked that translations keep everything else of the key)."""
    question = spec.questions[index]
    return KINDS[question.type].with_translations(question.spec, {
        language: translation.questions[index].spec for language, translation in sorted(spec.translations.items())})


def build_assessment(spec: AssessmentSpec, position: int) -> Assessment:
    assessment = Assessment(
        slug=spec.slug, kind=spec.kind, title=spec.title, position=position, weight=spec.weight,
        pass_mark=spec.pass_mark, attempts_allowed=spec.attempts_allowed, time_limit_minutes=spec.time_limit_minutes,
        grading_method=spec.grading_method, late_policy=spec.late_policy, shuffle_options=spec.shuffle_options,
        answers_shown=spec.answers_shown, submission_kind=spec.submission_kind, file_types=spec.file_types,
        max_file_mb=spec.max_file_mb, allow_resubmission=spec.allow_resubmission,
        brief_html=render_markdown(spec.brief_markdown) if spec.brief_markdown else "",
    )
    for number, question in enumerate(spec.questions, start=1):
        assessment.questions.append(Question(key=question.key, position=number, type=question.type,
                                             prompt=question.prompt, points=question.points,
                                             spec=answer_key(spec, number - 1), feedback=question.feedback))
    for number, criterion_spec in enumerate(spec.rubric, start=1):
        criterion = RubricCriterion(position=number, title=criterion_spec.title,
                                    description=criterion_spec.description)
        for level_number, (label, points, description) in enumerate(criterion_spec.levels, start=1):
            criterion.levels.append(RubricLevel(position=level_number, label=label, points=points,
                                                description=description))
        assessment.rubric.append(criterion)
    return assessment


def build_modules(spec: CourseSpec) -> list[Module]:
    """The whole content of a course as new, unsaved rows."""
    modules = []
    for position, module_spec in enumerate(spec.modules, start=1):
        module = Module(slug=module_spec.slug, title=module_spec.title, position=position)
        module.lessons = [build_lesson(lesson, number) for number, lesson in enumerate(module_spec.lessons, start=1)]
        module.assessments = [build_assessment(assessment, number)
                              for number, assessment in enumerate(module_spec.assessments, start=1)]
        modules.append(module)
    return modules


# --- Facts: what two versions of a row are compared by ------------------------------------------

def _exact(value) -> Decimal:
    return Decimal(str(value)).normalize()


def lesson_facts(lesson: Lesson, module_slug: str) -> tuple:
    return (module_slug, lesson.position, lesson.title, lesson.minutes, lesson.is_required, lesson.body_markdown)


def question_grading_facts(question: Question) -> tuple:
    """What a question's score depends on: a change here regrades submitted attempts."""
    return (question.type.value, _exact(question.points), question.spec)


def quiz_grading_facts(assessment: Assessment) -> tuple:
    return (assessment.grading_method.value, assessment.late_policy,
            tuple((q.key, question_grading_facts(q)) for q in assessment.questions))


def rubric_facts(assessment: Assessment) -> tuple:
    return tuple((c.title, tuple((level.label, _exact(level.points)) for level in c.levels))
                 for c in assessment.rubric)


def assessment_facts(assessment: Assessment, module_slug: str) -> tuple:
    return (
        module_slug, assessment.position, assessment.kind.value, assessment.title, _exact(assessment.weight),
        assessment.pass_mark, assessment.attempts_allowed, assessment.time_limit_minutes,
        assessment.grading_method.value, assessment.late_policy, assessment.shuffle_options,
        assessment.answers_shown.value if assessment.answers_shown else None,
        assessment.submission_kind.value if assessment.submission_kind else None, tuple(assessment.file_types or ()),
        assessment.max_file_mb, assessment.allow_resubmission, assessment.brief_html,
        tuple((q.key, q.position, q.prompt, q.feedback, question_grading_facts(q)) for q in assessment.questions),
        tuple((c.title, c.description, tuple((lv.label, _exact(lv.points), lv.description) for lv in c.levels))
              for c in assessment.rubric),
    )


# --- The plan -----------------------------------------------------------------------------------

@dataclass
class PlannedChange:
    kind: str  # added | changed | retired
    what: str  # "module 3 quiz “check”, question q2"
    detail: str  # "answer key changes"
    effect: str = ""  # "41 submitted attempts would be regraded"

    def __str__(self) -> str:
        text = f"{self.kind:<8} {self.what}: {self.detail}"
        return f"{text}; {self.effect}" if self.effect else text


@dataclass
class CoursePlan:
    spec: CourseSpec
    course: Course | None
    changes: list[PlannedChange] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.course is None:
            return "new"
        if self.course.content_hash == self.spec.content_hash:
            return "unchanged"
        return "changed" if self.changes else "files changed, content the same"

    @property
    def makes_version(self) -> bool:
        return self.course is None or bool(self.changes) or self.course.content_hash != self.spec.content_hash

    @property
    def next_number(self) -> int:
        return 1 if self.course is None else self.course.version + 1

    def heading(self) -> str:
        if self.course is None:
            return f"{self.spec.slug}: new course, version 1"
        if not self.makes_version:
            return f"{self.spec.slug}: unchanged (version {self.course.version})"
        return f"{self.spec.slug}: version {self.course.version} → {self.next_number}"

    def summary(self) -> str:
        return "\n".join(str(change) for change in self.changes) or "files re-read; content the same"


@dataclass
class ImportPlan:
    courses: list[CoursePlan]

    @property
    def is_empty(self) -> bool:
        return not any(plan.makes_version for plan in self.courses)

    def lines(self) -> list[str]:
        lines = []
        for plan in self.courses:
            lines.append(plan.heading())
            lines += [f"  {change}" for change in plan.changes] if plan.makes_version else []
        lines.append("Nothing a learner did is deleted: what the files no longer name is retired, kept in "
                     "earlier versions, and hidden from new intakes.")
        return lines


def _counts(model, column, ids: list[int], *conditions) -> dict[int, int]:
    if not ids:
        return {}
    return dict(db.session.execute(
        select(column, func.count()).select_from(model).where(column.in_(ids), *conditions).group_by(column)).all())


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class _Work:
    """How much learners' work hangs on each row of a version (one query per kind), for every
    intake on it or for the given enrolments only."""

    def __init__(self, version: CourseVersion, enrolment_ids: list[int] | None = None):
        assessment_ids = [a.id for a in version.assessments]
        lesson_ids = [lesson.id for lesson in version.lessons]

        def whose(column):
            return [] if enrolment_ids is None else [column.in_(enrolment_ids)]

        self.attempts = _counts(Attempt, Attempt.assessment_id, assessment_ids, Attempt.submitted_at.is_not(None),
                                *whose(Attempt.enrolment_id))
        self.graded = _counts(Submission, Submission.assessment_id, assessment_ids,
                              Submission.state == SubmissionState.RETURNED, *whose(Submission.enrolment_id))
        self.submissions = _counts(Submission, Submission.assessment_id, assessment_ids, *whose(Submission.enrolment_id))
        self.progress = _counts(LessonProgress, LessonProgress.lesson_id, lesson_ids,
                                *whose(LessonProgress.enrolment_id))


def _label(assessment: Assessment, module_number: int) -> str:
    kind = "quiz" if assessment.kind is AssessmentKind.QUIZ else "assignment"
    return f"module {module_number} {kind} “{assessment.slug}”"


def _plan_assessment(changes: list[PlannedChange], old: Assessment, new: Assessment, module_number: int, work: _Work,
                     old_module: str, new_module: str) -> None:
    what = _label(new, module_number)
    if assessment_facts(old, old_module) == assessment_facts(new, new_module):
        return
    attempts = work.attempts.get(old.id, 0)
    regrade = _plural(attempts, "submitted attempt", "submitted attempts") + " would be regraded"
    if new.kind is AssessmentKind.QUIZ and old.kind is AssessmentKind.QUIZ:
        old_questions = {q.key: q for q in old.questions}
        new_questions = {q.key: q for q in new.questions}
        for key, question in new_questions.items():
            if key not in old_questions:
                changes.append(PlannedChange(ADDED, f"{what}, question {key}", "new question", regrade))
            elif question_grading_facts(old_questions[key]) != question_grading_facts(question):
                earlier = old_questions[key]
                detail = "answer key changes" if earlier.spec != question.spec else "points or type change"
                changes.append(PlannedChange(CHANGED, f"{what}, question {key}", detail, regrade))
            elif (earlier := old_questions[key]).prompt != question.prompt or earlier.feedback != question.feedback:
                changes.append(PlannedChange(CHANGED, f"{what}, question {key}", "wording changes",
                                             "no score changes"))
        for key in old_questions.keys() - new_questions.keys():
            changes.append(PlannedChange(RETIRED, f"{what}, question {key}", "no longer in the files",
                                         regrade + "; the answers stay kept"))
        if (old.grading_method, old.late_policy) != (new.grading_method, new.late_policy):
            changes.append(PlannedChange(CHANGED, what, "grading method or late policy changes", regrade))
    elif new.kind is AssessmentKind.ASSIGNMENT and old.kind is AssessmentKind.ASSIGNMENT:
        if rubric_facts(old) != rubric_facts(new):
            graded = work.graded.get(old.id, 0)
            changes.append(PlannedChange(CHANGED, what, "rubric criteria, levels or points change",
                                         _plural(graded, "graded submission", "graded submissions")
                                         + " would be rescored where every chosen level still exists"))
    else:
        changes.append(PlannedChange(CHANGED, what, "becomes another kind of assessment",
                                     "earlier work stays on the retired one"))
    if _exact(old.weight) != _exact(new.weight) or old.pass_mark != new.pass_mark:
        changes.append(PlannedChange(CHANGED, what, f"weight {_exact(old.weight)} → {_exact(new.weight)}, "
                                     f"pass mark {old.pass_mark} → {new.pass_mark}", "course grades recomputed"))
    described = {change.what.split(",")[0] for change in changes}
    if what not in described:
        changes.append(PlannedChange(CHANGED, what, "text, settings or position change", "no score changes"))


def plan_course(spec: CourseSpec, course: Course | None) -> CoursePlan:
    plan = CoursePlan(spec=spec, course=course)
    new_modules = build_modules(spec)
    if course is None:
        for number, module in enumerate(new_modules, start=1):
            plan.changes.append(PlannedChange(
                ADDED, f"module {number} “{module.slug}”",
                f"{len(module.lessons)} lesson(s), {len(module.assessments)} assessment(s)"))
        return plan
    if course.content_hash == spec.content_hash or course.current_version is None:
        return plan
    version = course.current_version
    if version.pass_mark != spec.pass_mark:
        plan.changes.append(PlannedChange(CHANGED, "course", f"pass mark {version.pass_mark} → {spec.pass_mark}",
                                          "completion is evaluated against the new mark"))
    plan.changes += compare_versions(version, new_modules)
    return plan


def compare_versions(version: CourseVersion, new_modules: list[Module],
                     enrolment_ids: list[int] | None = None) -> list[PlannedChange]:
    """What differs from `version` to the content `new_modules` (new rows from files, or another
    version's), with the effect on the work of every learner on it (or of the given enrolments)."""
    work = _Work(version, enrolment_ids)
    changes: list[PlannedChange] = []
    old_modules = {module.slug: module for module in version.modules}
    for number, module in enumerate(new_modules, start=1):
        earlier = old_modules.get(module.slug)
        if earlier is None:
            changes.append(PlannedChange(ADDED, f"module {number} “{module.slug}”", module.title))
        elif (earlier.title, earlier.position) != (module.title, module.position):
            changes.append(PlannedChange(CHANGED, f"module {number} “{module.slug}”", "title or position changes"))
    for slug, module in old_modules.items():
        if slug not in {m.slug for m in new_modules}:
            changes.append(PlannedChange(RETIRED, f"module “{slug}”", "no longer in the files"))

    old_lessons = {lesson.slug: lesson for lesson in version.lessons}
    new_lessons = {lesson.slug: (lesson, module, number)
                   for number, module in enumerate(new_modules, start=1) for lesson in module.lessons}
    for slug, (lesson, module, number) in new_lessons.items():
        earlier = old_lessons.get(slug)
        what = f"module {number} lesson “{slug}”"
        if earlier is None:
            changes.append(PlannedChange(ADDED, what, lesson.title))
        elif lesson_facts(earlier, earlier.module.slug) != lesson_facts(lesson, module.slug):
            progress = work.progress.get(earlier.id, 0)
            changes.append(PlannedChange(CHANGED, what, "text or place changes",
                                         _plural(progress, "learner's progress", "learners' progress") + " carried over"))
    for slug, lesson in old_lessons.items():
        if slug not in new_lessons:
            progress = work.progress.get(lesson.id, 0)
            changes.append(PlannedChange(RETIRED, f"lesson “{slug}”", "no longer in the files",
                                         _plural(progress, "progress record", "progress records") + " kept"))

    old_assessments = {a.slug: a for a in version.assessments}
    new_assessments = {a.slug: (a, module, number)
                       for number, module in enumerate(new_modules, start=1) for a in module.assessments}
    for slug, (assessment, module, number) in new_assessments.items():
        earlier = old_assessments.get(slug)
        if earlier is None:
            changes.append(PlannedChange(ADDED, _label(assessment, number), assessment.title))
        else:
            _plan_assessment(changes, earlier, assessment, number, work, earlier.module.slug, module.slug)
    for slug, assessment in old_assessments.items():
        if slug not in new_assessments:
            kept = work.attempts.get(assessment.id, 0) + work.submissions.get(assessment.id, 0)
            changes.append(PlannedChange(
                RETIRED, f"{'quiz' if assessment.kind is AssessmentKind.QUIZ else 'assignment'} “{slug}”",
                "no longer in the files",
                _plural(kept, "attempt or submission", "attempts and submissions")
                + " kept; it no longer counts toward the grade of an intake that moves to the new version"))
    return changes


def build_plan(specs: list[CourseSpec]) -> ImportPlan:
    existing = {course.slug: course for course in db.session.scalars(
        select(Course).where(Course.slug.in_([spec.slug for spec in specs])))}
    return ImportPlan([plan_course(spec, existing.get(spec.slug)) for spec in specs])
