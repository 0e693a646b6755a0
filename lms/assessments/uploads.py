"""Checking, storing and serving assignment files: type by content and extension, size, generated names."""
import hashlib
import io
import logging
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from lms.catalogue.models import Assessment
from lms.core import events
from lms.extensions import db

MAX_FILES = 5  # per submission
MAX_NAME_LENGTH = 255
_WRITTEN = "uploads_written"  # files stored in the session's transaction, removed if it rolls back
_UNWANTED = "uploads_unwanted"  # files whose rows the transaction removed, deleted once it commits

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",  # checked to be UTF-8; the charset is added when served
    "csv": "text/csv",
}
# Office Open XML keeps each application's parts under its own folder in the zip.
OOXML_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
ZIP_SIGNATURE = b"PK\x03\x04"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
# The same format under two names: allowing one allows the other.
ALIASES = {"jpg": "jpeg", "jpeg": "jpg"}


log = logging.getLogger(__name__)


class StorageFailed(Exception):
    """The server could not write a file (disk full, quota, I/O error); the message is meant for the sender."""


class UploadRejected(Exception):
    """A file refused for its type, size or name; the message is meant for the person who sent it."""


@dataclass
class CheckedUpload:
    original_name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def display_name(filename: str | None) -> str:
    """The file's own name without folders or control characters, for showing (never as a path)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_NAME_LENGTH - len(extension) - 1
        name = f"{stem[:keep]}.{extension}" if dot and 0 < len(extension) < 10 else name[:MAX_NAME_LENGTH]
    return name


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def allowed_extensions(assessment: Assessment) -> list[str]:
    types = {file_type.lower() for file_type in assessment.file_types}
    return sorted(types | {ALIASES[t] for t in types if t in ALIASES})


def accept_attribute(assessment: Assessment) -> str:
    return ",".join(f".{extension}" for extension in allowed_extensions(assessment))


def _open_zip(data: bytes) -> zipfile.ZipFile | None:
    if not data.startswith(ZIP_SIGNATURE):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # a damaged archive fails in many ways; none of them is a file we accept
        return None


def _is_ooxml(data: bytes, folder: str) -> bool:
    archive = _open_zip(data)
    if archive is None:
        return False
    names = archive.namelist()
    return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)


def _is_opendocument(data: bytes, mimetype: str) -> bool:
    archive = _open_zip(data)
    if archive is None:
        return False
    try:
        info = archive.getinfo("mimetype")
    except KeyError:
        return False
    # A tiny member; the size check keeps a crafted archive from making us inflate a lot.
    if info.file_size > 200:
        return False
    try:
        return archive.read(info).strip() == mimetype.encode("ascii")
    except Exception:  # damaged or encrypted member, unknown compression...
        return False


def _is_utf8_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def content_matches(extension: str, data: bytes) -> bool:
    """Whether the bytes really are a file of this type, whatever the name claims."""
    if extension == "pdf":
        return data.startswith(b"%PDF-")
    if extension in OOXML_FOLDERS:
        return _is_ooxml(data, OOXML_FOLDERS[extension])
    if extension in ("odt", "ods", "odp"):
        return _is_opendocument(data, CONTENT_TYPES[extension])
    if extension == "png":
        return data.startswith(PNG_SIGNATURE)
    if extension in ("jpg", "jpeg"):
        return data.startswith(JPEG_SIGNATURE)
    if extension in ("txt", "csv"):
        return _is_utf8_text(data)
    return False


def check_upload(storage: FileStorage, assessment: Assessment) -> CheckedUpload:
    """The file's bytes and what to record about it; raises UploadRejected with a reason to show."""
    name = display_name(storage.filename)
    if not name:
        raise UploadRejected(_("The file has no name. Please rename it and try again."))
    extension = extension_of(name)
    allowed = allowed_extensions(assessment)
    if extension not in allowed:
        raise UploadRejected(_("%(name)s: only these file types are accepted: %(types)s.",
                               name=name, types=", ".join(allowed)))
    limit = assessment.max_file_mb * 1024 * 1024
    data = storage.stream.read(limit + 1)  # one byte more than allowed tells us it is too large
    if not data:
        raise UploadRejected(_("%(name)s is empty.", name=name))
    if len(data) > limit:
        raise UploadRejected(_("%(name)s is larger than the %(mb)d MB allowed for this assignment.",
                               name=name, mb=assessment.max_file_mb))
    if not content_matches(extension, data):
        raise UploadRejected(_("%(name)s is not a real %(type)s file. Please save it again as %(type)s and "
                               "upload it.", name=name, type=extension.upper()))
    return CheckedUpload(original_name=name, content_type=CONTENT_TYPES[extension], data=data)


def check_uploads(storages: list[FileStorage], assessment: Assessment,
                  files_kept: int) -> tuple[list[CheckedUpload], list[str]]:
    """The acceptable files among those sent, and a reason for each refused one."""
    sent = [storage for storage in storages or [] if storage and storage.filename]
    accepted: list[CheckedUpload] = []
    errors: list[str] = []
    for storage in sent:
        if files_kept + len(accepted) >= MAX_FILES:
            errors.append(_("%(name)s was not added: a submission holds at most %(count)d files. Remove one "
                            "first.", name=display_name(storage.filename), count=MAX_FILES))
            continue
        try:
            accepted.append(check_upload(storage, assessment))
        except UploadRejected as error:
            errors.append(str(error))
    return accepted, errors


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def store(upload: CheckedUpload) -> str:
    """Writes the bytes under a new random name and returns that name.

    The file is removed again if the transaction that records it rolls back, so none is left behind
    without its row; a file the disk could not take is removed at once (StorageFailed)."""
    folder = upload_dir()
    path = folder / secrets.token_hex(20)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:
            out.write(upload.data)
    except OSError as error:
        # A partial file would keep the disk full for every later upload, and no row would ever name it.
        path.unlink(missing_ok=True)
        log.error("Could not store an upload of %d bytes in %s: %s", upload.size, folder, error)
        raise StorageFailed(_("%(name)s could not be stored: the server has no room for it just now. Everything "
                              "else you sent is saved; please add the file again later.",
                              name=upload.original_name)) from error
    db.session.info.setdefault(_WRITTEN, []).append(path)
    return path.name


def discard_once_committed(stored_name: str) -> None:
    """The file leaves the disk when the transaction that removed its row commits, and stays if it rolls back."""
    db.session.info.setdefault(_UNWANTED, []).append(stored_path(stored_name))


def _keep_written_files(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_UNWANTED, []):
        path.unlink(missing_ok=True)


def _remove_written_files(session: Session) -> None:
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
    session.info.pop(_UNWANTED, None)


def listen() -> None:
    """Files stored by a transaction of the app's session that rolls back are removed again; files whose
    rows it removed are deleted once it commits."""
    events.on_app_session("after_commit", _keep_written_files)
    events.on_app_session("after_rollback", _remove_written_files)


def stored_path(stored_name: str) -> Path:
    # Stored names are ours (hex), but a path is only ever built from one that looks like ours.
    if not stored_name or not all(ch in "0123456789abcdef" for ch in stored_name):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return upload_dir() / stored_name


def content_disposition(name: str) -> str:
    """An attachment header with an ASCII fallback and the real name in RFC 5987 form."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch if ch.isalnum() or ch in "._- ()" else "_" for ch in fallback).strip()
    if not extension_of(fallback):
        fallback = f"download.{extension_of(name) or 'bin'}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
