"""The job worker: `huey_consumer lms.worker.huey` processes the queue and runs the periodic jobs."""
from lms import create_app
from lms.jobs.engine import huey, use_app

app = create_app()
use_app(app)

__all__ = ["app", "huey"]
