"""Writes small course folders for import tests."""
from pathlib import Path

MANIFEST = """\
title: Test Course
title_zh: 测试课程
version: 1
subject: technology
area: infrastructure
hours: 10
pass_mark: 60
summary: A small course for tests.
objectives:
  - Check the importer
modules:
  - slug: first
    title: First module
    lessons:
      - intro.md
      - second.md
    assessments:
      - check.yaml
      - essay.yaml
"""

LESSON = """\
---
title: {title}
minutes: 10
---

## Heading

Some **text**.
"""

QUIZ = """\
kind: quiz
title: Check
weight: 60
pass_mark: 50
attempts: 2
time_limit_minutes: 10
grading: highest
late_policy: penalty-20
shuffle: true
questions:
  - id: q1
    type: single
    prompt: Pick one
    options:
      - text: Right
        correct: true
      - text: Wrong
  - id: q2
    type: numeric
    prompt: How many?
    answer: 2.5
    tolerance: 0.1
"""

ASSIGNMENT = """\
kind: assignment
title: Essay
weight: 40
pass_mark: 50
submission: both
file_types: [pdf, docx]
max_file_mb: 5
brief: Write about *something*.
rubric:
  - criterion: Analysis
    levels:
      - {label: Good, points: 10}
      - {label: Weak, points: 2}
"""


def write_course(root: Path, slug: str = "test-course") -> Path:
    folder = root / slug
    (folder / "lessons").mkdir(parents=True)
    (folder / "assessments").mkdir()
    (folder / "course.yaml").write_text(MANIFEST, encoding="utf-8")
    (folder / "lessons" / "intro.md").write_text(LESSON.format(title="Introduction"), encoding="utf-8")
    (folder / "lessons" / "second.md").write_text(LESSON.format(title="Second"), encoding="utf-8")
    (folder / "assessments" / "check.yaml").write_text(QUIZ, encoding="utf-8")
    (folder / "assessments" / "essay.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    return folder
