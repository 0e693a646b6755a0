"""The catalogue's jobs: a course version's offline packs built after the import that made or changed it."""
from lms.catalogue.models import CourseVersion
from lms.catalogue.offline import build_packs
from lms.extensions import db
from lms.jobs.engine import job


@job()
def build_offline_packs(version_id: int) -> None:
    """Builds the version's packs in each of its languages; running it again stores the same files."""
    # Locked (PostgreSQL): a second worker building the same version waits, then finds the files as it would build them.
    version = db.session.get(CourseVersion, version_id, with_for_update=True)
    if version is not None:
        build_packs(version)
