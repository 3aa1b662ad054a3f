"""The audit log for administrators: filtered, paged in SQL, old and new values, and an xlsx export."""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, request, send_file, url_for
from wtforms.fields.choices import SelectChoice

from ...exports.audit_log import write_audit_log
from ...models import Role
from ...permissions import allow
from ...services.accounts.audit_labels import audit_entries
from ...services.accounts.audit_log import AuditFilter, audit_page, entity_types
from ...services.common.calendar import london_today
from ..paging import page_number
from .forms import AuditFilterForm
from .values import shown, shown_fields

bp = Blueprint("audit_log", __name__, url_prefix="/admin")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.entity_type.choices = [SelectChoice("", "Any kind")] + [
        SelectChoice(kind, kind.replace("_", " ")) for kind in entity_types()
    ]
    return form


def _filter(form: AuditFilterForm) -> AuditFilter:
    return AuditFilter(
        actor=form.actor.data or "",
        entity_type=form.entity_type.data or "",
        entity_id=form.entity_id.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.get("/audit-log")
@allow(Role.ADMIN)
def log_page():
    """Every recorded change, newest first, 50 to a page, filtered by who, kind of record, record and date."""
    form = _form()
    if not form.validate():
        return render_template("audit-log/log.html", form=form, result=None), 400
    result = audit_page(_filter(form), page_number(request.args), PER_PAGE)
    # As url_for takes them (**values: Any).
    query: dict[str, Any] = {key: value for key, value in request.args.items(multi=True) if key != "page"}
    items: list[dict] = []
    for n in _page_numbers(result.page, result.pages):
        if items and items[-1].get("number", n - 1) != n - 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": url_for("audit_log.log_page", **query, page=n), "current": n == result.page})
    export = url_for("audit_log.log_workbook", **query)
    return render_template(
        "audit-log/log.html",
        form=form,
        result=result,
        entries=audit_entries(result.events),
        page_items=items,
        export=export,
        query=query,
        shown=shown,
        shown_fields=shown_fields,
    )


@bp.get("/audit-log.xlsx")
@allow(Role.ADMIN)
def log_workbook():
    """The filtered audit log as a workbook."""
    form = _form()
    if not form.validate():
        return render_template("audit-log/log.html", form=form, result=None), 400
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audit-log.xlsx"
        write_audit_log(path, _filter(form))
        content = path.read_bytes()
    name = f"audit-log-{london_today().isoformat()}.xlsx"
    return send_file(BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


def _page_numbers(page: int, pages: int) -> list[int]:
    """The first, the last and the pages either side of the current one, as GOV.UK pagination shows them."""
    return sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
