"""Removing stored upload files that no row names, once they are older than a grace period.

A worker killed between writing a file and committing the row that names it leaves such a file; nobody
was told it was saved, and nothing else will ever remove it. Files younger than the grace period may
belong to a request still in progress, so they stay. A plain function: schedule it (hourly is plenty)
or run `flask uploads sweep`.
"""
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from lms.assessments.models import SubmissionFile
from lms.assessments.uploads import upload_dir
from lms.core import clock
from lms.extensions import db

GRACE = timedelta(hours=1)  # far beyond any request's life (the worker timeout is 30 s)
STORED_NAME = re.compile(r"[0-9a-f]{40}")  # what uploads.store names files; nothing else is touched

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    removed: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    kept_young: int = 0  # unnamed but within the grace period


def sweep_orphan_files(grace: timedelta = GRACE, now: datetime | None = None, folder: Path | None = None,
                       dry_run: bool = False) -> SweepResult:
    folder = folder or upload_dir()
    result = SweepResult()
    if not folder.is_dir():
        return result
    cutoff = ((now or clock.now()) - grace).timestamp()
    # Listed before the rows are read: a file written after this is never mistaken for an orphan.
    candidates = [entry for entry in os.scandir(folder)
                  if STORED_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)]
    named = set(db.session.scalars(select(SubmissionFile.stored_name)))
    for entry in candidates:
        if entry.name in named:
            continue
        stat = entry.stat(follow_symlinks=False)
        if stat.st_mtime > cutoff:
            result.kept_young += 1
            continue
        if not dry_run:
            Path(entry.path).unlink(missing_ok=True)
        result.removed.append(entry.name)
        result.freed_bytes += stat.st_size
    if result.removed and not dry_run:
        log.info("Removed %d upload file(s) no submission names (%d bytes)", len(result.removed), result.freed_bytes)
    return result
