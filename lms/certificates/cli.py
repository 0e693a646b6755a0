"""flask certificates ...: batch rendering, certificates for past completions, the Chinese font."""
import json
import time
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.certificates import batch, documents, queries
from lms.certificates.operations import CertificateRefused, issue_missing
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
    try:
        issued = issue_missing()
    except CertificateRefused as refused:
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo(f"Issued {len(issued)} certificate(s)." if issued else "Every completion has its certificate.")


@certificates_cli.command("build-font")
def build_font_command():
    """Rebuild static/fonts/NotoSansSC-Common-Regular.ttf from the system's Noto Sans CJK, the catalogue's and
    the programmes' Chinese titles first after the template's text."""
    from flask import current_app
    from sqlalchemy import select

    from lms.certificates.fonts import build_chinese_font, catalogue_titles
    from lms.programme.models import Programme

    titles = catalogue_titles(Path(current_app.config["COURSES_DIR"]))
    titles += "".join(db.session.scalars(select(Programme.title_zh).order_by(Programme.id)))
    click.echo(f"Wrote {build_chinese_font(printed_text=titles)}.")


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
    if done:
        said = "; ".join(done)
        click.echo(said[0].upper() + said[1:] + f", in {keys.keys_dir()}.")
    else:
        click.echo(f"The keys are already there, in {keys.keys_dir()}.")
    click.echo(f"Issuer: {keys.did()}")


@keys_cli.command("rotate")
def rotate_keys_command():
    """Make a new credential key current; the old public key stays in the DID document so older credentials verify."""
    from lms.credentials import keys

    public = keys.rotate_credential_key()
    click.echo(f"The credential key is now {public}; {len(keys.credential_keys()) - 1} older key(s) stay published.")


def _offline_keys(public_keys: tuple[str, ...], did_document: Path | None):
    """public_key_for() from what the verifier was given: Multikey values, or a DID document."""
    from lms.credentials import multibase

    known: dict[str, bytes] = {}
    if did_document is not None:
        document = json.loads(did_document.read_text())
        for method in document.get("verificationMethod", []):
            known[method["id"]] = multibase.public_key_from_multibase(method["publicKeyMultibase"])
    wanted = {value: multibase.public_key_from_multibase(value) for value in public_keys}

    def public_key_for(method: str) -> bytes | None:
        if method in known:
            return known[method]
        return wanted.get(method.rpartition("#")[2])

    return public_key_for


@certificates_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "public_keys", multiple=True, metavar="MULTIKEY",
              help="An issuer public key (z6Mk..., from the DID document); repeat for old keys.")
@click.option("--did-document", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The issuer's DID document (/.well-known/did.json), saved to a file.")
@click.option("--pdf-certificate", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The certificate (PEM) the PDF must be signed with, or of the CA that issued it.")
@click.option("--status-list", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The status list credential (/credentials/status/1), saved to a file, to tell revocation.")
def verify_command(file: Path, public_keys: tuple[str, ...], did_document: Path | None,
                   pdf_certificate: Path | None, status_list: Path | None):
    """Check a certificate PDF or credential file offline, with only public keys: no database, no network.

    Without --public-key or --did-document, the public keys of this installation's keyring are used."""
    from lms.certificates import verification
    from lms.credentials import keys

    if public_keys or did_document:
        public_key_for = _offline_keys(public_keys, did_document)
    else:
        public_key_for = keys.public_key_for
    trusted = [pdf_certificate.read_bytes()] if pdf_certificate else []
    if not trusted and not (public_keys or did_document):
        trusted = [keys.pdf_signer_files()[1].read_bytes()]
    try:
        check = verification.check_file(file.read_bytes(), public_key_for, trusted)
    except verification.NotACertificateFile as error:
        raise click.ClickException(str(error)) from None
    ok = check.is_signature_valid
    click.echo(f"File: {file.name} ({check.kind}), SHA-256 {check.sha256}")
    if check.pdf_signature is not None:
        signature = check.pdf_signature
        if signature.is_valid:
            click.echo(f"PDF signature: valid, by {signature.signer}, signed {signature.signed_at}")
        elif signature.is_signed and signature.is_intact and not trusted:
            click.echo(f"PDF signature: intact, by {signature.signer} (give --pdf-certificate to check who signed)")
        else:
            click.echo(f"PDF signature: NOT valid ({signature.reason})")
    if check.proof is not None:
        click.echo("Credential proof (eddsa-rdfc-2022): " + ("valid" if check.proof.is_valid
                                                              else f"NOT valid ({check.proof.reason})"))
        click.echo(f"  signed with {check.proof.verification_method}")
    for problem in check.problems:
        click.echo(f"Problem: {problem}")
    if check.serial:
        click.echo(f"Certificate serial: {check.serial}")
    if status_list is not None and check.credential is not None:
        revoked, why = verification.status_from_list(check.credential, json.loads(status_list.read_text()),
                                                     public_key_for)
        if revoked is None:
            click.echo(f"Status: unknown ({why})")
            ok = False
        else:
            click.echo("Status: REVOKED" if revoked else "Status: not revoked")
            ok = ok and not revoked
    click.echo("Result: VALID" if ok else "Result: NOT VALID")
    if not ok:
        raise SystemExit(1)
