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
    jobs, up_to_date = batch.plan(certificates, out_dir)
    with click.progressbar(length=len(jobs), label=f"Rendering {len(jobs)} certificate(s)") as bar:
        rendered = batch.run_jobs(jobs, workers, on_rendered=lambda result: bar.update(1))
    by_id = {certificate.id: certificate for certificate in certificates}
    different = [by_id[result.certificate_id].serial for result in rendered
                 if by_id[result.certificate_id].pdf_sha256 not in (None, result.sha256)]
    if into_store:  # a certificate whose PDF failed at issue gets its file and SHA-256 now
        for result in rendered:
            certificate = by_id[result.certificate_id]
            if not certificate.pdf_sha256:
                certificate.pdf_name, certificate.pdf_sha256 = documents.store_name(certificate), result.sha256
        db.session.commit()
    click.echo(f"Rendered {len(rendered)} certificate(s) and skipped {up_to_date} already up to date, "
               f"into {out_dir}, in {time.perf_counter() - started:.1f} s.")
    if different:
        click.echo(f"{len(different)} differ from the PDF issued (the template changed since): "
                   + ", ".join(different[:10]) + (" ..." if len(different) > 10 else ""))


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


keys_cli = AppGroup("keys", help="The programme's signing keys (credentials and PDFs).")


@keys_cli.command("init")
@click.option("--pdf-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The PDF signing key (PEM) of a certificate from a ministry's CA.")
@click.option("--pdf-certificate", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="That certificate (PEM); without it a self-signed one is made.")
@click.option("--pdf-chain", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The CA's certificates (PEM), embedded in every signature.")
def init_keys_command(pdf_key: Path | None, pdf_certificate: Path | None, pdf_chain: Path | None):
    """Create the credential key and the PDF signing key and certificate where missing (never replaces one)."""
    from lms.credentials import keys

    if (pdf_key is None) != (pdf_certificate is None):
        raise click.UsageError("Give --pdf-key and --pdf-certificate together.")
    done = keys.init_keys(pdf_key, pdf_certificate, pdf_chain)
    click.echo("; ".join(done).capitalize() + f", in {keys.keys_dir()}." if done
               else f"The keys are already there, in {keys.keys_dir()}.")
    click.echo(f"Issuer: {keys.did()}")


@keys_cli.command("rotate")
def rotate_keys_command():
    """Make a new credential key current; the old public key stays in the DID document so older credentials verify."""
    from lms.credentials import keys

    public = keys.rotate_credential_key()
    click.echo(f"The credential key is now {public}; {len(keys.credential_keys()) - 1} older key(s) stay published.")
