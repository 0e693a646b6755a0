"""Pages of the assessments domain: quizzes and assignments, from the trainee's side."""
from lms.assessments import quiz_views, submission_views  # noqa: F401 - their routes join the blueprint
from lms.assessments import bp  # noqa: F401
