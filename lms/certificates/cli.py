"""flask certificates ...: batch rendering, certificates for past completions, the Chinese font."""
import time
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.certificates import batch, documents, queries
from lms.certificates.operations import issue_missing
from lms.extensions import db

certificates_cli = AppGroup("certificates", help="Certificates.")


@certificates_cli.command("render")
@click.option("--intake", "intake_id", type=int, help="Render the valid certificates of this intake.")
@click.option("--all", "render_all", is_flag=True, help="Render every valid certificate.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the PDFs (default: the certificate store under PDF_DIR).")
@click.option("--workers", type=click.IntRange(min=1), help="Processes to use (default: one per core).")
def render_command(intake_id: int | None, render_all: bool, out_dir: Path | None, workers: int | None):
    """Render certificates as PDF files named by serial, on every core; files already up to date are skipped."""
    if (intake_id is None) == (not render_all):
        raise click.UsageError("Give either --intake ID or --all.")
    certificates = queries.certificates_to_render(None if render_all else intake_id)
    into_store = out_dir is None or out_dir.resolve() == documents.pdf_dir().resolve()
    out_dir = (out_dir or documents.pdf_dir()).resolve()
    started = time.perf_counter()
    with click.progressbar(length=len(certificates), label="Rendering certificates") as bar:
        outcome = batch.render_certificates(certificates, out_dir, workers,
                                            on_rendered=lambda rendered: bar.update(1))
        bar.update(outcome.skipped)
    if into_store:  # a certificate whose PDF failed at issue gets its file and SHA-256 now
        by_id = {certificate.id: certificate for certificate in certificates}
        for rendered in outcome.rendered:
            certificate = by_id[rendered.certificate_id]
            if not certificate.pdf_sha256:
                certificate.pdf_name = documents.store_name(certificate)
                certificate.pdf_sha256 = rendered.sha256
        db.session.commit()
    click.echo(f"Rendered {len(outcome.rendered)} certificate(s) and skipped {outcome.skipped} already up to date, "
               f"into {out_dir}, in {time.perf_counter() - started:.1f} s.")
    if outcome.different:
        click.echo(f"{len(outcome.different)} differ from the PDF issued (the template changed since): "
                   + ", ".join(outcome.different[:10]) + (" ..." if len(outcome.different) > 10 else ""))


@certificates_cli.command("issue-missing")
def issue_missing_command():
    """Issue certificates for completed enrolments that have none (e.g. completed before certificates existed)."""
    issued = issue_missing()
    db.session.commit()
    click.echo(f"Issued {len(issued)} certificate(s)." if issued else "Every completion has its certificate.")


@certificates_cli.command("build-font")
def build_font_command():
    """Rebuild static/fonts/NotoSansSC-Common-Regular.ttf from the system's Noto Sans CJK."""
    from lms.certificates.fonts import build_chinese_font

    click.echo(f"Wrote {build_chinese_font()}.")
