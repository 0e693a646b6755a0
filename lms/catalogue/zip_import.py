"""A course uploaded as a ZIP of its folder: checked like any upload and more, then unpacked for the
same reader and plan as `flask courses import`.

The archive's own headers are not trusted: sizes are counted while unpacking, and every name is
checked before anything is written (no absolute paths, no '..', no links, no special files).
"""
import re
import secrets
import shutil
import stat
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from lms.core.transactions import Refused

MAX_ZIP_BYTES = 10 * 1024 * 1024  # the upload itself
MAX_FILES = 500
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # an entry that unpacks to more than 100 times its packed size is a bomb, not a course
CHUNK = 64 * 1024
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")


class ZipRefused(Refused):
    """The archive is not accepted; the message says why, for the admin."""


@dataclass
class Unpacked:
    token: str  # names the folder under imports/ until the plan is applied or dropped
    root: Path  # the folder holding the one course folder


def _check_name(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The entry's safe relative path, None for a directory entry; ZipRefused for anything unsafe."""
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ZipRefused(f"{name}: links are not accepted in a course archive")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: the archiver kept no file type
        raise ZipRefused(f"{name}: only plain files and folders are accepted")
    if info.flag_bits & 0x1:
        raise ZipRefused(f"{name}: encrypted files are not accepted")
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or "\0" in name:
        raise ZipRefused(f"{name}: the path leaves the course folder")
    path = PurePosixPath(name)
    if any(part in ("..", ".") for part in path.parts):
        raise ZipRefused(f"{name}: the path leaves the course folder")
    return None if info.is_dir() else path


def unpack(upload: BinaryIO, imports_dir: Path) -> Unpacked:
    """Checks and unpacks an uploaded archive under imports_dir; ZipRefused says what is wrong."""
    data = upload.read(MAX_ZIP_BYTES + 1)
    if len(data) > MAX_ZIP_BYTES:
        raise ZipRefused(f"the archive is larger than {MAX_ZIP_BYTES // (1024 * 1024)} MB")
    buffer = BytesIO(data)
    if not data or not zipfile.is_zipfile(buffer):
        raise ZipRefused("the file is not a ZIP archive")
    try:
        archive = zipfile.ZipFile(buffer)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ZipRefused(f"the archive cannot be read: {error}") from None
    files = [(info, path) for info in infos if (path := _check_name(info)) is not None]
    if len(files) > MAX_FILES:
        raise ZipRefused(f"the archive holds {len(files)} files; a course may have at most {MAX_FILES}")
    if not files:
        raise ZipRefused("the archive is empty")
    tops = {path.parts[0] for _info, path in files}
    if len(tops) != 1 or any(len(path.parts) < 2 for _info, path in files):
        raise ZipRefused("the archive must hold exactly one course folder (with its course.yaml inside)")
    if sum(info.file_size for info, _path in files) > MAX_UNPACKED_BYTES:
        raise ZipRefused(f"the archive unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB")

    token = secrets.token_urlsafe(24)
    root = imports_dir / token
    root.mkdir(parents=True)
    try:
        total = 0
        for info, path in files:
            target = root.joinpath(*path.parts)
            if root.resolve() not in target.resolve().parents:
                raise ZipRefused(f"{info.filename}: the path leaves the course folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            limit = max(info.compress_size, 1) * MAX_RATIO
            with archive.open(info) as source, open(target, "xb") as out:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    total += len(chunk)
                    if written > limit or written > info.file_size or total > MAX_UNPACKED_BYTES:
                        raise ZipRefused(f"{info.filename}: unpacks to far more than its packed size (a ZIP bomb?)")
                    out.write(chunk)
    except (ZipRefused, zipfile.BadZipFile, OSError, EOFError) as error:
        shutil.rmtree(root, ignore_errors=True)
        if isinstance(error, ZipRefused):
            raise
        raise ZipRefused(f"the archive cannot be read: {error}") from None
    return Unpacked(token, root)


def unpacked(imports_dir: Path, token: str) -> Unpacked | None:
    """An archive unpacked earlier, by its token; None if the token is malformed or gone."""
    if not TOKEN.match(token or ""):
        return None
    root = imports_dir / token
    return Unpacked(token, root) if root.is_dir() else None


def discard(item: Unpacked) -> None:
    shutil.rmtree(item.root, ignore_errors=True)
