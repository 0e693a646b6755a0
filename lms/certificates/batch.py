"""Rendering many certificates at once, on every core, resumable.

The parent process reads the certificates and skips every file already up to date (same SHA-256 as
recorded at issue); the rest go to worker processes as plain data. Each worker builds its own app
and keeps one font configuration for all its renders; none touches the database.
"""
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable

from flask import current_app

from lms.certificates.documents import PRINTED_FIELDS, file_name, render_certificate, sha256, write_file
from lms.certificates.models import Certificate

# Enough to rebuild a certificate's page without a database.
FIELDS = ("serial", "issued_at", "credential_json", *PRINTED_FIELDS)


@dataclass(frozen=True)
class Job:
    certificate_id: int | None
    fields: dict
    target: Path


@dataclass(frozen=True)
class Rendered:
    certificate_id: int | None
    sha256: str
    worker_pid: int
    worker_rss: int  # bytes, after this render


def is_up_to_date(certificate: Certificate, target: Path) -> bool:
    return bool(certificate.pdf_sha256) and target.is_file() and sha256(target.read_bytes()) == certificate.pdf_sha256


def job_for(certificate: Certificate, out_dir: Path) -> Job:
    return Job(certificate.id, {name: getattr(certificate, name) for name in FIELDS}, out_dir / file_name(certificate))


def resident_memory() -> int:
    """This process's resident set size in bytes."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


_worker_app = None


def _start_worker(settings: dict) -> None:
    global _worker_app
    from config import Config
    from lms import create_app

    # Rendering needs templates, translations and the URL map, never the database.
    worker_config = type("BatchWorkerConfig", (Config,), {**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    _worker_app = create_app(worker_config)


def render_job(job: Job) -> Rendered:
    """Renders and writes one certificate; needs an app context (a worker runs it in its own)."""
    data = render_certificate(Certificate(**job.fields))
    write_file(job.target, data)
    return Rendered(job.certificate_id, sha256(data), os.getpid(), resident_memory())


def _render_in_worker(job: Job) -> Rendered:
    with _worker_app.app_context():
        return render_job(job)


def worker_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_jobs(jobs: list[Job], workers: int | None = None,
             on_rendered: Callable[[Rendered], None] = lambda rendered: None) -> list[Rendered]:
    """Renders the jobs on `workers` processes (every core by default), reporting each as it finishes."""
    if not jobs:
        return []
    workers = max(1, min(workers or worker_count(), len(jobs)))
    results = []
    if workers == 1:
        for job in jobs:
            results.append(render_job(job))
            on_rendered(results[-1])
        return results
    settings = {name: current_app.config[name] for name in ("PUBLIC_BASE_URL", "SECRET_KEY", "KEYS_DIR")}
    # Workers fork from a clean server process that has imported the code but opened no database
    # connection and loaded no font: a child forked from this process would share both.
    context = get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(settings,)) as pool:
        for rendered in pool.map(_render_in_worker, jobs, chunksize=max(1, min(16, len(jobs) // (workers * 4)))):
            results.append(rendered)
            on_rendered(rendered)
    return results


def plan(certificates: Iterable[Certificate], out_dir: Path) -> tuple[list[Job], int]:
    """Jobs for the certificates whose file in out_dir is missing or not as issued, and how many are up to date."""
    jobs, up_to_date = [], 0
    for certificate in certificates:
        if is_up_to_date(certificate, out_dir / file_name(certificate)):
            up_to_date += 1
        else:
            jobs.append(job_for(certificate, out_dir))
    return jobs, up_to_date
