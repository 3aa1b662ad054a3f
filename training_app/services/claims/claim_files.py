"""Invoices uploaded as a claim's evidence: PDF or image only, judged by content, size limited, kept outside static/."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app

from ...extensions import db
from ...models import Claim, ClaimFile, User
from ..awareness.evidence_files import JPEG, MAX_EVIDENCE_BYTES, PDF, PNG, content_type_of, download_name

INVOICE_TYPES = (PDF, PNG, JPEG)


class InvoiceError(ValueError):
    """An uploaded invoice was refused; the message says why in words a person can act on."""


def invoice_problem(content: bytes) -> str | None:
    """What is wrong with an uploaded invoice, or None when it may be kept."""
    if not content:
        return "The selected file is empty"
    if len(content) > MAX_EVIDENCE_BYTES:
        return f"The selected file must be smaller than {MAX_EVIDENCE_BYTES // (1024 * 1024)}MB"
    if content_type_of(content) not in INVOICE_TYPES:
        return "The selected file must be a PDF, PNG or JPEG"
    return None


def invoice_folder() -> Path:
    """Where invoices are kept: CLAIM_EVIDENCE_FOLDER, by default a folder in the instance folder."""
    configured = current_app.config.get("CLAIM_EVIDENCE_FOLDER")
    return Path(configured or Path(current_app.instance_path) / "claim-evidence")


def invoice_path(file: ClaimFile) -> Path:
    """The stored file of an uploaded invoice."""
    return invoice_folder() / file.key


def store_invoice(claim: Claim, filename: str, content: bytes, actor: User | None) -> ClaimFile:
    """Keep an invoice for the claim in the caller's transaction (flushed, not committed); InvoiceError if refused."""
    problem = invoice_problem(content)
    if problem:
        raise InvoiceError(problem)
    content_type = content_type_of(content)
    assert content_type is not None
    folder = invoice_folder()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    (folder / key).write_bytes(content)
    file = ClaimFile(
        claim_id=claim.id,
        key=key,
        filename=download_name(filename, content_type),
        content_type=content_type,
        size=len(content),
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(file)
    db.session.flush()
    return file
