"""The certificates domain's jobs: a new certificate's PDF rendered, stored and announced after the commit."""
from datetime import timedelta

from sqlalchemy import or_, select

from lms.certificates import documents
from lms.certificates.models import Certificate
from lms.certificates.operations import mail_certificate
from lms.core import clock
from lms.extensions import db
from lms.jobs.engine import job, queue, reconciles

# A certificate still without its PDF or its mail this long after issue lost its job.
LOST_AFTER = timedelta(minutes=15)
BATCH = 200  # per reconciler run (every ten minutes): a large backlog is worked off without flooding the queue


@job()
def produce_certificate(certificate_id: int) -> None:
    """Renders and stores the PDF unless it is stored already, then tells the trainee once (if still valid)."""
    # Locked (PostgreSQL): a second worker running the same job waits, then finds it done.
    certificate = db.session.get(Certificate, certificate_id, with_for_update=True)
    if certificate is None:
        return
    if not certificate.pdf_sha256:
        documents.store_pdf(certificate)  # a failure is retried; a download meanwhile renders it
    if certificate.is_valid:
        mail_certificate(certificate)


@reconciles
def queue_unfinished_certificates() -> int:
    """Valid certificates issued a while ago still without a stored PDF or a mail."""
    ids = db.session.scalars(
        select(Certificate.id).where(
            Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None),
            Certificate.issued_at < clock.now() - LOST_AFTER,
            or_(Certificate.pdf_sha256.is_(None), Certificate.mailed_at.is_(None)))
        .order_by(Certificate.id).limit(BATCH)).all()
    for certificate_id in ids:
        queue(produce_certificate, certificate_id)
    return len(ids)
