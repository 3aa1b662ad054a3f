"""Evidence files attached to awareness sign-offs: type checked by content, size limited, kept outside static/."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

from flask import current_app
from werkzeug.utils import secure_filename

from ...extensions import db
from ...models import AuditAction, AwarenessSignOff, User
from ..accounts import audit
from ..common.locks import lock_row

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
ALLOWED = "PDF, Word (DOCX), Excel (XLSX), PNG or JPEG"
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx"}


class EvidenceError(ValueError):
    """An evidence file was refused; the message says why in words a person can act on."""


def content_type_of(content: bytes) -> str | None:
    """The file's type judged by what it holds (never by its name), or None when it is not one we accept."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
    return None


def _office_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    return XLSX if "xl/workbook.xml" in names else None


def evidence_problem(filename: str, content: bytes) -> str | None:
    """What is wrong with an upload, or None when it may be kept."""
    if not content:
        return "The selected file is empty"
    if len(content) > MAX_EVIDENCE_BYTES:
        return f"The selected file must be smaller than {MAX_EVIDENCE_BYTES // (1024 * 1024)}MB"
    if content_type_of(content) is None:
        return f"The selected file must be a {ALLOWED}"
    return None


def evidence_folder() -> Path:
    """Where evidence files are kept: AWARENESS_EVIDENCE_FOLDER, by default a folder in the instance folder."""
    configured = current_app.config.get("AWARENESS_EVIDENCE_FOLDER")
    return Path(configured or Path(current_app.instance_path) / "awareness-evidence")


def evidence_path(sign_off: AwarenessSignOff) -> Path | None:
    """The stored file of a sign-off's evidence, or None when it has none."""
    return evidence_folder() / sign_off.evidence_key if sign_off.evidence_key else None


def attach_evidence(sign_off: AwarenessSignOff, filename: str, content: bytes, actor: User | str | None = None) -> None:
    """Keep a file as a sign-off's evidence (replacing any before), audited and committed; EvidenceError if refused."""
    problem = evidence_problem(filename, content)
    if problem:
        raise EvidenceError(problem)
    content_type = content_type_of(content)
    assert content_type is not None
    folder = evidence_folder()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    (folder / key).write_bytes(content)
    sign_off = lock_row(AwarenessSignOff, sign_off.id)  # the file it holds now is the one this replaces
    old_path = evidence_path(sign_off)
    old = {"file": sign_off.evidence_filename}
    sign_off.evidence_key, sign_off.evidence_content_type, sign_off.evidence_size = key, content_type, len(content)
    sign_off.evidence_filename = download_name(filename, content_type)
    audit.record(actor, AuditAction.AWARENESS_EVIDENCE_ATTACHED, sign_off, old, {"file": sign_off.evidence_filename})
    db.session.commit()
    if old_path is not None:
        old_path.unlink(missing_ok=True)


def download_name(filename: str, content_type: str) -> str:
    """A safe name for the download, ending in the extension its content calls for."""
    stem = Path(secure_filename(filename) or "evidence").stem[:150] or "evidence"
    return f"{stem}.{EXTENSIONS[content_type]}"
