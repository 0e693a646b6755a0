"""Reading and validating a course folder (see courses/README.md) into plain specs.

Nothing here touches the database: a whole tree is validated first, so an invalid file stops the
import before anything is written, and every problem is reported with its path and line.
"""
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from lms.assessments.question_types import KINDS
from lms.catalogue.models import AnswerDisplay, Area, AssessmentKind, GradingMethod, QuestionType, SubmissionKind, Subject

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LATE_POLICY = re.compile(r"^(accept|zero|penalty-(?:[1-9]\d?|100))$")
ALLOWED_FILE_TYPES = {"pdf", "docx", "odt", "xlsx", "ods", "pptx", "odp", "txt", "csv", "png", "jpg", "jpeg"}
# One file must fit in a request with its form (the server takes 25 MB at once, config.MAX_CONTENT_LENGTH).
MAX_FILE_MB = 20


class CourseFileError(Exception):
    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class CourseTreeInvalid(Exception):
    def __init__(self, errors: list[CourseFileError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


# --- YAML that remembers where each mapping and each key stood -------------------------------

class LineDict(dict):
    line: int = 0
    key_lines: dict


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = LineDict(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            key_node.value: key_node.start_mark.line + 1 for key_node, _ in node.value
            if isinstance(key_node, yaml.ScalarNode)
        }
        return mapping


    def construct_sequence(self, node, deep=False):
        items = LineList(super().construct_sequence(node, deep=deep))
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items


class LineList(list):
    item_lines: list


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence)


def _load_yaml(path: Path, text: str, line_offset: int = 0) -> Any:
    try:
        # Bandit B506 does not apply: _LineLoader is a SafeLoader.
        return yaml.load(text, Loader=_LineLoader)  # nosec B506
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + line_offset if mark else None
        message = f"invalid YAML: {error.problem or error}"
        if error.context and error.context_mark and error.context_mark is not mark:
            message += f" ({error.context} on line {error.context_mark.line + 1 + line_offset})"
        raise CourseFileError(path, line, message) from None
    except yaml.YAMLError as error:
        raise CourseFileError(path, None, f"invalid YAML: {error}") from None


# --- The specs the importer writes ---------------------------------------------------------

@dataclass
class LessonSpec:
    slug: str
    title: str
    minutes: int
    is_required: bool
    body_markdown: str
    translations: dict[str, "LessonSpec"] = field(default_factory=dict)  # by language, beside the English


@dataclass
class QuestionSpec:
    key: str
    type: QuestionType
    prompt: str
    points: Decimal
    spec: dict
    feedback: str


@dataclass
class CriterionSpec:
    title: str
    description: str
    levels: list[tuple[str, Decimal, str]]  # (label, points, description)


@dataclass
class AssessmentSpec:
    slug: str
    kind: AssessmentKind
    title: str
    weight: Decimal
    pass_mark: int
    attempts_allowed: int = 1
    time_limit_minutes: int = 0
    grading_method: GradingMethod = GradingMethod.HIGHEST
    late_policy: str = "zero"
    shuffle_options: bool = False
    answers_shown: AnswerDisplay = AnswerDisplay.AFTER_LAST_ATTEMPT
    questions: list[QuestionSpec] = field(default_factory=list)
    submission_kind: SubmissionKind | None = None
    file_types: list[str] = field(default_factory=list)
    max_file_mb: int = 10
    allow_resubmission: bool = True
    brief_markdown: str = ""
    rubric: list[CriterionSpec] = field(default_factory=list)
    translations: dict[str, "AssessmentSpec"] = field(default_factory=dict)


@dataclass
class ModuleSpec:
    slug: str
    title: str
    lessons: list[LessonSpec]
    assessments: list[AssessmentSpec]


@dataclass
class CourseSpec:
    slug: str
    folder: Path
    title: str
    title_zh: str
    label: str | None  # the files' own optional `version`; versions are numbered by the importer
    subject: Subject
    area: Area
    hours: int
    pass_mark: int
    summary: str
    objectives: list[str]
    modules: list[ModuleSpec]
    content_hash: str
    translations: dict[str, dict[str, str]] = field(default_factory=dict)  # language: {title, summary}


# --- Field checks ---------------------------------------------------------------------------

class _Reader:
    """Reads typed values out of one YAML mapping, reporting problems at the key's line."""

    def __init__(self, path: Path, data: Any, what: str, line_offset: int = 0, line: int | None = None):
        self.path, self.offset = path, line_offset
        if not isinstance(data, dict):
            raise CourseFileError(path, (line or 0) + line_offset or None, f"{what} must be a mapping of keys to values")
        self.data = data
        self.line = getattr(data, "line", 0) + line_offset

    def error(self, key: str | None, message: str, item: int | None = None) -> CourseFileError:
        """An error at the key's line, or at the line of item number `item` of the key's list."""
        line = getattr(self.data, "key_lines", {}).get(key) if key else None
        if item is not None and key in self.data:
            item_lines = getattr(self.data[key], "item_lines", [])
            line = item_lines[item] if item < len(item_lines) else line
        return CourseFileError(self.path, (line + self.offset) if line else self.line or None, message)

    def only(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.error(key, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")

    def get(self, key: str, kind: type | tuple, default: Any = ..., *, required_message: str | None = None):
        if key not in self.data or self.data[key] is None:
            if default is ...:
                raise self.error(None, required_message or f"missing required key {key!r}")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.error(key, f"{key!r} must be {_kind_name(kinds)}, not true/false")
        if not isinstance(value, kinds):
            raise self.error(key, f"{key!r} must be {_kind_name(kinds)}")
        return value

    def text(self, key: str, max_length: int, default: Any = ...) -> str:
        value = self.get(key, (str, int, float), default)
        value = str(value).strip() if value is not None else value
        if default is ... and not value:
            raise self.error(key, f"{key!r} must not be empty")
        if value and len(value) > max_length:
            raise self.error(key, f"{key!r} is longer than {max_length} characters")
        return value

    def integer(self, key: str, low: int, high: int, default: Any = ...) -> int:
        value = self.get(key, int, default)
        if not low <= value <= high:
            raise self.error(key, f"{key!r} must be between {low} and {high}, not {value}")
        return value

    def number(self, key: str, low: float, default: Any = ...) -> float:
        value = self.get(key, (int, float), default)
        if value < low:
            raise self.error(key, f"{key!r} must be at least {low}, not {value}")
        return float(value)

    def decimal(self, key: str, low: str, default: Any = ...) -> Decimal:
        """An exact number (points, weights): 0.1 in the file is 0.1, not the nearest binary fraction."""
        value = self.get(key, (int, float), default)
        exact = Decimal(str(value))
        if exact < Decimal(low):
            raise self.error(key, f"{key!r} must be at least {low}, not {value}")
        if exact.as_tuple().exponent < -4 or exact >= 1_000_000:
            raise self.error(key, f"{key!r} must be below 1000000 with at most four decimal places, not {value}")
        return exact

    def choice(self, key: str, enum_class, default: Any = ...):
        return self.one_of(key, {member.value: member for member in enum_class}, default)

    def one_of(self, key: str, named: dict[str, Any], default: Any = ...):
        """What `named` holds under the text at key; the error lists the names in their order."""
        value = self.get(key, str, default)
        if default is not ... and value is default:
            return value
        if value not in named:
            raise self.error(key, f"{key!r} must be one of {' | '.join(named)}, not {value!r}")
        return named[value]

    def nested(self, data: Any, what: str) -> "_Reader":
        """A reader of a mapping inside this one (an option of a question)."""
        return _Reader(self.path, data, what, line=self.line)

    def items(self, key: str, *, required: bool = True) -> list:
        value = self.get(key, list, ... if required else [])
        if required and not value:
            raise self.error(key, f"{key!r} must list at least one item")
        return value


def _kind_name(kinds: tuple) -> str:
    names = {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "a mapping", bool: "true or false"}
    return " or ".join(dict.fromkeys(names.get(kind, kind.__name__) for kind in kinds))


# --- Files ----------------------------------------------------------------------------------

def course_folders(root: Path) -> list[Path]:
    """The course folders under root, or root itself when it is one course."""
    if (root / "course.yaml").is_file():
        return [root]
    return sorted(path for path in root.iterdir() if path.is_dir() and (path / "course.yaml").is_file())


def hash_folder(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise CourseFileError(path, line, "the file is not valid UTF-8") from None


def read_course(folder: Path) -> CourseSpec:
    slug = folder.name
    manifest = folder / "course.yaml"
    if not SLUG.match(slug):
        raise CourseFileError(folder, None, "a course folder's name must be lower-case letters, digits and hyphens")
    reader = _Reader(manifest, _load_yaml(manifest, _read_text(manifest)), "course.yaml")
    reader.only({"title", "title_zh", "version", "subject", "area", "hours", "pass_mark", "summary",
                 "objectives", "modules"})
    objectives = reader.items("objectives", required=False)
    for objective in objectives:
        if not isinstance(objective, str) or not objective.strip():
            raise reader.error("objectives", "every objective must be a line of text")

    modules, module_slugs, used_lessons, used_assessments = [], set(), set(), set()
    for index, module_data in enumerate(reader.items("modules"), start=1):
        module = _Reader(manifest, module_data, f"module {index}", line=reader.line)
        module.only({"slug", "title", "lessons", "assessments"})
        module_slug = module.text("slug", 80)
        if not SLUG.match(module_slug):
            raise module.error("slug", f"module slug {module_slug!r} must be lower-case letters, digits and hyphens")
        if module_slug in module_slugs:
            raise module.error("slug", f"module slug {module_slug!r} is used twice")
        module_slugs.add(module_slug)

        lessons = []
        for item, name in enumerate(module.items("lessons")):
            path = _listed_file(module, "lessons", item, folder / "lessons", name, ".md", used_lessons)
            lessons.append(with_translations(read_lesson(path), path, read_lesson, check_lesson_translation))
        assessments = []
        for item, name in enumerate(module.items("assessments", required=False)):
            path = _listed_file(module, "assessments", item, folder / "assessments", name, ".yaml", used_assessments)
            assessments.append(with_translations(read_assessment(path), path, read_assessment,
                                                 check_assessment_translation))
        modules.append(ModuleSpec(module_slug, module.text("title", 200), lessons, assessments))

    _check_nothing_unlisted(folder / "lessons", used_lessons, manifest)
    _check_nothing_unlisted(folder / "assessments", used_assessments, manifest)
    return CourseSpec(translations=read_course_translations(folder),
        slug=slug, folder=folder,
        title=reader.text("title", 200), title_zh=reader.text("title_zh", 100),
        label=reader.text("version", 40, None),
        subject=reader.choice("subject", Subject), area=reader.choice("area", Area),
        hours=reader.integer("hours", 1, 1000), pass_mark=reader.integer("pass_mark", 0, 100),
        summary=reader.text("summary", 2000), objectives=[o.strip() for o in objectives],
        modules=modules, content_hash=hash_folder(folder),
    )


def _listed_file(module: _Reader, key: str, item: int, directory: Path, name: Any, suffix: str,
                 used: set) -> Path:
    if not isinstance(name, str) or not name.endswith(suffix) or "/" in name or "\\" in name:
        raise module.error(key, f"{key} must be file names ending in {suffix}, found {name!r}", item)
    if not SLUG.match(name[: -len(suffix)]):
        raise module.error(key, f"{name!r}: a file name must be lower-case letters, digits and hyphens", item)
    if name in used:
        raise module.error(key, f"{name!r} is listed twice in this course", item)
    path = directory / name
    if not path.is_file():
        raise module.error(key, f"{key[:-1]} file {directory.name}/{name} does not exist", item)
    used.add(name)
    return path


def _check_nothing_unlisted(directory: Path, used: set, manifest: Path) -> None:
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        if path.name not in used and translated_name(path) not in used:
            raise CourseFileError(path, None, f"this file is not listed in {manifest.name}; list it or remove it")


# --- Translations beside the English: <name>.<language>.md, <name>.<language>.yaml, course.<language>.yaml ---

CONTENT_LANGUAGES = ("zh_Hans", "vi", "th", "id", "ms", "km", "lo", "my", "fil")  # lms/core/i18n.py, but English
_TRANSLATED = re.compile(r"^(?P<stem>.+)\.(?P<language>" + "|".join(CONTENT_LANGUAGES) + r")(?P<suffix>\.\w+)$")


def translated_name(path: Path) -> str | None:
    """The English file a translation belongs to ("intro.md" for "intro.th.md"), or None."""
    match = _TRANSLATED.match(path.name)
    return match["stem"] + match["suffix"] if match else None


def _translations_of(path: Path) -> dict[str, Path]:
    return {language: translation for language in CONTENT_LANGUAGES
            if (translation := path.with_name(f"{path.stem}.{language}{path.suffix}")).is_file()}


def with_translations(spec, path: Path, read, check):
    """The English spec with each translation beside its file, read the same way and checked against it."""
    for language, translation_path in _translations_of(path).items():
        translation = read(translation_path)
        translation.slug = spec.slug
        check(spec, translation, translation_path)
        spec.translations[language] = translation
    return spec


def check_lesson_translation(english: LessonSpec, translation: LessonSpec, path: Path) -> None:
    if (translation.minutes, translation.is_required) != (english.minutes, english.is_required):
        raise CourseFileError(path, 1, "a translation keeps the English lesson's minutes and required flag")


def _answer_key(question: QuestionSpec) -> tuple:
    """What grading depends on, which a translation must not change: type, points, options' keys, answers."""
    spec = question.spec
    options = tuple((option.get("key"), option.get("correct")) for option in spec.get("options", ())
                    if isinstance(option, dict))
    kept = tuple(sorted((key, repr(value)) for key, value in spec.items()
                        if key not in ("options", "accept", "answers")))
    return question.key, question.type, question.points, options, kept


def check_assessment_translation(english: AssessmentSpec, translation: AssessmentSpec, path: Path) -> None:
    if [_answer_key(q) for q in translation.questions] != [_answer_key(q) for q in english.questions]:
        raise CourseFileError(path, None, "a translation must have the English file's questions, options and "
                                          "answer keys, in the same order; only the wording changes")
    settings = ("kind", "weight", "pass_mark", "attempts_allowed", "time_limit_minutes", "grading_method",
                "late_policy", "shuffle_options", "answers_shown", "submission_kind", "file_types", "max_file_mb",
                "allow_resubmission")
    changed = [name for name in settings if getattr(translation, name) != getattr(english, name)]
    if changed:
        raise CourseFileError(path, None, f"a translation keeps the English settings; changed: {', '.join(changed)}")
    shape = [[points for _label, points, _text in criterion.levels] for criterion in english.rubric]
    if [[points for _label, points, _text in criterion.levels] for criterion in translation.rubric] != shape:
        raise CourseFileError(path, None, "a translation's rubric has the English criteria and levels, with the same points")


def read_course_translations(folder: Path) -> dict[str, dict[str, str]]:
    translations = {}
    for language, path in _translations_of(folder / "course.yaml").items():
        reader = _Reader(path, _load_yaml(path, _read_text(path)), path.name)
        reader.only({"title", "summary"})
        translations[language] = {"title": reader.text("title", 200), "summary": reader.text("summary", 2000)}
    return translations


def read_lesson(path: Path) -> LessonSpec:
    text = _read_text(path)
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise CourseFileError(path, 1, "a lesson starts with a front matter block between '---' lines")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise CourseFileError(path, 1, "the front matter block is not closed by a '---' line") from None
    front = _Reader(path, _load_yaml(path, "\n".join(lines[1:end]), line_offset=1), "the front matter",
                    line_offset=1, line=1)
    front.only({"title", "minutes", "required"})
    body = "\n".join(lines[end + 1:]).strip()
    if not body:
        raise CourseFileError(path, end + 2, "the lesson has no text after its front matter")
    return LessonSpec(
        slug=path.stem, title=front.text("title", 200), minutes=front.integer("minutes", 1, 600, 15),
        is_required=front.get("required", bool, True), body_markdown=body,
    )


def read_assessment(path: Path) -> AssessmentSpec:
    reader = _Reader(path, _load_yaml(path, _read_text(path)), "an assessment file")
    kind = reader.choice("kind", AssessmentKind)
    common = dict(slug=path.stem, kind=kind, title=reader.text("title", 200),
                  weight=reader.decimal("weight", "0"), pass_mark=reader.integer("pass_mark", 0, 100))
    if kind is AssessmentKind.QUIZ:
        reader.only({"kind", "title", "weight", "pass_mark", "attempts", "time_limit_minutes", "grading",
                     "late_policy", "shuffle", "show_answers", "questions"})
        late_policy = reader.text("late_policy", 20, "zero")
        if not LATE_POLICY.match(late_policy):
            raise reader.error("late_policy", "late_policy must be accept, zero or penalty-<1..100>")
        questions, keys = [], set()
        for index, data in enumerate(reader.items("questions"), start=1):
            question = read_question(path, data, index, reader.line)
            if question.key in keys:
                raise _Reader(path, data, "").error("id", f"question id {question.key!r} is used twice")
            keys.add(question.key)
            questions.append(question)
        return AssessmentSpec(
            **common, attempts_allowed=reader.integer("attempts", 0, 100, 1),
            time_limit_minutes=reader.integer("time_limit_minutes", 0, 24 * 60, 0),
            grading_method=reader.choice("grading", GradingMethod, GradingMethod.HIGHEST),
            late_policy=late_policy, shuffle_options=reader.get("shuffle", bool, False),
            answers_shown=reader.choice("show_answers", AnswerDisplay, AnswerDisplay.AFTER_LAST_ATTEMPT),
            questions=questions,
        )

    reader.only({"kind", "title", "weight", "pass_mark", "submission", "file_types", "max_file_mb", "resubmit",
                 "brief", "rubric"})
    file_types = [str(t).lower().lstrip(".") for t in reader.items("file_types", required=False)]
    for item, file_type in enumerate(file_types):
        if file_type not in ALLOWED_FILE_TYPES:
            raise reader.error("file_types", f"file type {file_type!r} is not allowed "
                                             f"(allowed: {', '.join(sorted(ALLOWED_FILE_TYPES))})", item)
    submission = reader.choice("submission", SubmissionKind)
    if submission is not SubmissionKind.TEXT and not file_types:
        raise reader.error("submission", "an assignment that takes files must list its file_types")
    rubric = []
    for index, data in enumerate(reader.items("rubric"), start=1):
        criterion = _Reader(path, data, f"rubric criterion {index}", line=reader.line)
        criterion.only({"criterion", "description", "levels"})
        levels = []
        for level_index, level_data in enumerate(criterion.items("levels"), start=1):
            level = _Reader(path, level_data, f"level {level_index}", line=criterion.line)
            level.only({"label", "points", "description"})
            levels.append((level.text("label", 80), level.decimal("points", "0"), level.text("description", 2000, "")))
        if len(levels) < 2:
            raise criterion.error("levels", "a rubric criterion needs at least two levels")
        rubric.append(CriterionSpec(criterion.text("criterion", 200), criterion.text("description", 2000, ""), levels))
    return AssessmentSpec(
        **common, submission_kind=submission, file_types=file_types,
        max_file_mb=reader.integer("max_file_mb", 1, MAX_FILE_MB, 10),
        allow_resubmission=reader.get("resubmit", bool, True),
        brief_markdown=reader.text("brief", 20000), rubric=rubric,
    )


def read_question(path: Path, data: Any, index: int, line: int) -> QuestionSpec:
    reader = _Reader(path, data, f"question {index}", line=line)
    kind = reader.one_of("type", {kind.type.value: kind for kind in KINDS.values()})
    reader.only({"id", "type", "prompt", "points", "feedback"} | kind.spec_keys)
    spec = kind.read_spec(reader)
    key = reader.text("id", 40)
    return QuestionSpec(key=key, type=kind.type, prompt=reader.text("prompt", 4000),
                        points=reader.decimal("points", "0.01", 1), spec=spec, feedback=reader.text("feedback", 4000, ""))


def read_tree(root: Path) -> list[CourseSpec]:
    """Every course under root, validated; raises CourseTreeInvalid listing each bad course's problem."""
    if not root.is_dir():
        raise CourseTreeInvalid([CourseFileError(root, None, "no such folder")])
    folders = course_folders(root)
    if not folders:
        raise CourseTreeInvalid([CourseFileError(root, None, "no course folder (with a course.yaml) found here")])
    courses, errors = [], []
    for folder in folders:
        try:
            courses.append(read_course(folder))
        except CourseFileError as error:
            errors.append(error)
    if errors:
        raise CourseTreeInvalid(errors)
    return courses
