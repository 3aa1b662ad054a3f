"""CSV imports from the browser: upload, see every error by line or what will change, then confirm (SPEC 4.3)."""

from __future__ import annotations

import base64
import binascii
import re
import secrets

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ...imports.examples import example_csv
from ...imports.service import KINDS, ImportResult, import_csv
from ...permissions import STAFF, allow
from .forms import ConfirmForm, UploadForm, kind_label

bp = Blueprint("imports", __name__, url_prefix="/imports")

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
LINE_ERROR = re.compile(r"line ([0-9]+): (.*)", re.S)


def max_bytes() -> int:
    """The largest file the page takes (IMPORT_MAX_BYTES, default 5 MB); larger files go through the command."""
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


@bp.route("", methods=["GET", "POST"])
@allow(STAFF)
def upload_page():
    """Choose a kind and a file; a good file is checked (nothing written) and its changes shown for confirming."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload(form)
    upload = form.file.data
    if not (upload.filename or "").lower().endswith(".csv"):
        form.file.errors.append("The selected file must be a CSV")
        return _upload(form)
    data = upload.stream.read(max_bytes() + 1)
    if len(data) > max_bytes():
        form.file.errors.append(f"The selected file must be smaller than {_megabytes(max_bytes())}")
        return _upload(form)
    if not data:
        form.file.errors.append("The selected file is empty")
        return _upload(form)
    result = import_csv(form.kind.data, data, actor=current_user._get_current_object(), dry_run=True)
    return _checked(result, data, upload.filename)


@bp.post("/confirm")
@allow(STAFF)
def confirm():
    """Import the checked file for real, all or nothing, through the same service as the command."""
    form = ConfirmForm()
    if not form.validate_on_submit() or form.kind.data not in KINDS:
        abort(400)
    try:
        data = base64.b64decode(form.content.data, validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    if len(data) > max_bytes():
        abort(413)
    user = current_user._get_current_object()
    result = import_csv(form.kind.data, data, actor=user, confirmation=form.confirmation.data or None)
    if result.imported_at:  # sent twice (a second click, another tab): the first import stands
        flash(f"This file was imported already, at {result.imported_at}: nothing was imported again.", "info")
        return redirect(url_for("imports.upload_page"))
    if not result.ok:  # the database changed between the check and the import
        return _checked(result, data, None)
    flash(f"{kind_label(result.kind)}: {result.created} created, {result.updated} updated.", "success")
    return redirect(url_for("imports.upload_page"))


@bp.get("/examples/<string:kind>.csv")
@allow(STAFF)
def example_file(kind: str):
    """An example file of a kind, to fill in."""
    if kind not in KINDS:
        abort(404)
    headers = {"Content-Disposition": f'attachment; filename="{kind}-example.csv"'}
    return Response(example_csv(kind), mimetype="text/csv", headers=headers)


def _upload(form: UploadForm, result: ImportResult | None = None):
    rows = [_split(error) for error in result.errors] if result is not None else []
    kinds = [(kind, kind_label(kind)) for kind in KINDS]
    return render_template("imports/upload.html", form=form, kinds=kinds, result=result, rows=rows)


def _checked(result: ImportResult, data: bytes, filename: str | None):
    """The check's answer: every error by line, or what will be created and updated with a button to import."""
    if not result.ok:
        return _upload(UploadForm(formdata=None, kind=result.kind), result)
    content, confirmation = base64.b64encode(data).decode("ascii"), secrets.token_urlsafe(16)
    form = ConfirmForm(formdata=None, kind=result.kind, content=content, confirmation=confirmation)
    return render_template(
        "imports/confirm.html", result=result, form=form, label=kind_label(result.kind), filename=filename
    )


def _split(error: str) -> tuple[str, str]:
    """An import message as (line, problem); a problem with the whole file has no line."""
    match = LINE_ERROR.match(error)
    return (match.group(1), match.group(2)) if match else ("", error)


def _megabytes(size: int) -> str:
    """A size as GOV.UK writes it: 5MB, 512KB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g}MB"
    return f"{max(1, size // 1024)}KB"
