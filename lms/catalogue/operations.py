"""Applying an import plan: a new course version for every course whose files changed, audited.

Nothing is written in place: the new version gets its own rows, the earlier versions keep theirs
(and every attempt, submission and progress record that points at them). Intakes that have not
started move to the new version at once; a running intake moves only when a programme coordinator
chooses so (lms/grading/regrading.py).
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.accounts.models import User
from lms.audit.operations import record
from lms.catalogue.course_files import CourseSpec
from lms.catalogue.models import Course, CourseVersion, OfflinePack
from lms.catalogue.plans import CoursePlan, ImportPlan, build_modules, build_plan
from lms.catalogue.translations import write_translations
from lms.core import clock
from lms.extensions import db
from lms.jobs.engine import queue


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    plan: ImportPlan | None = None

    def summary(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        lines = [", ".join(parts)]
        lines += [f"  created   {slug}" for slug in self.created]
        lines += [f"  updated   {slug}" for slug in self.updated]
        return "\n".join(lines)


def _write_course_fields(course: Course, spec: CourseSpec) -> None:
    course.title, course.title_zh, course.subject, course.area = spec.title, spec.title_zh, spec.subject, spec.area
    course.hours, course.pass_mark, course.summary = spec.hours, spec.pass_mark, spec.summary
    course.objectives, course.content_hash = spec.objectives, spec.content_hash


def _add_version(course: Course, plan: CoursePlan, by: User | None) -> CourseVersion:
    version = CourseVersion(number=plan.next_number, content_hash=plan.spec.content_hash,
                            pass_mark=plan.spec.pass_mark, label=plan.spec.label, summary=plan.summary(),
                            imported_by=by, imported_at=clock.now())
    course.versions.append(version)
    db.session.flush()
    for module in build_modules(plan.spec):
        module.course_id = course.id
        for row in (*module.lessons, *module.assessments):
            row.course_id, row.version = course.id, version
        version.modules.append(module)
    course.version = version.number
    db.session.flush()
    return version


def _pin_intakes_not_started(course: Course, version: CourseVersion, by: User | None) -> list[int]:
    """Intakes that have not started study the new version; running and past ones keep theirs."""
    from lms.enrolment.models import Intake  # the enrolment domain imports the catalogue, not the reverse

    today = clock.today()
    moved = []
    for intake in db.session.scalars(select(Intake).where(Intake.course_id == course.id,
                                                          Intake.starts_on > today,
                                                          Intake.course_version_id != version.id)):
        before = intake.version.number if intake.version else None
        intake.version = version
        record(by, "intake.version_moved", intake, before={"version": before}, after={"version": version.number},
               reason="A new version applies to intakes that have not started")
        moved.append(intake.id)
    return moved


def _queue_offline_packs(course: Course, only_missing: bool = False) -> None:
    """The new version's packs, and those of versions still studied: they read the rewritten translations.
    `only_missing`: for an unchanged course, the versions that have no pack yet (a database from before packs)."""
    from lms.catalogue.jobs import build_offline_packs
    from lms.catalogue.offline import versions_to_build

    for version in versions_to_build(course):
        if only_missing and db.session.scalar(select(OfflinePack.id).where(OfflinePack.version_id == version.id)
                                              .limit(1)) is not None:
            continue
        queue(build_offline_packs, version.id)


def apply_plan(plan: ImportPlan, by: User | None = None) -> ImportResult:
    """Writes what the plan says, audited."""
    result = ImportResult(plan=plan)
    for course_plan in plan.courses:
        spec, course = course_plan.spec, course_plan.course
        if course is not None and not course_plan.makes_version:
            result.unchanged.append(spec.slug)
            _queue_offline_packs(course, only_missing=True)
            if by is not None:  # a person's import is audited whole; the shell's only where it changed something
                record(by, "course.import_unchanged", course, after={"version": course.version})
            continue
        is_new = course is None
        if is_new:
            course = Course(slug=spec.slug, version=1)
            db.session.add(course)
        _write_course_fields(course, spec)
        db.session.flush()  # the course needs its id before its content
        before = None if is_new else {"version": course.version}
        version = _add_version(course, course_plan, by)
        write_translations(course, spec)
        moved = _pin_intakes_not_started(course, version, by)
        _queue_offline_packs(course)  # once the intakes that move have moved
        record(by, "course.imported", course, before=before,
               after={"version": version.number, "content_hash": version.content_hash,
                      "changes": [str(change) for change in course_plan.changes], "intakes_moved": moved})
        (result.created if is_new else result.updated).append(spec.slug)
    db.session.flush()
    return result


def import_courses(specs: list[CourseSpec], by: User | None = None) -> ImportResult:
    return apply_plan(build_plan(specs), by)
