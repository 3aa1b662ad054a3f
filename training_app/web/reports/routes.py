"""The trained-by-area report: the SPEC 3.9 table with a bar chart and still-to-train counts, and its workbook."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, request, send_file, url_for
from flask_login import current_user

from ...exports.trained_by_area import by_authority_header, write_trained_by_area
from ...permissions import REPORT_READERS, allow
from ...services.accounts.scope import report_scope
from ...services.common.calendar import (
    EARLIEST_DATE,
    LATEST_DATE,
    DateProblem,
    DateProblemKind,
    london_today,
    parse_iso_date,
)
from ...services.reporting.counting import AreaRow
from ...services.reporting.kept_reports import kept_still_to_train, kept_trained_by_area
from ...services.reporting.report_cache import scope_key
from ...services.reporting.report_rows import StillToTrainRow
from ..fragments import kept_html
from ..paging import page_number
from .forms import AsOfForm

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows of a report table on one page (issue 25): a national table has 16,000 authority sets, megabytes of HTML.
REPORT_ROWS = 100


def chart_bars(rows: list[AreaRow]) -> list[tuple[AreaRow, int]]:
    """Each row but the total with its bar's length as a whole percentage of the longest (at least 1 when not 0)."""
    body = rows[:-1]
    longest = max((row.trained for row in body), default=0)
    if longest == 0:
        return [(row, 0) for row in body]
    return [(row, max(1, round(100 * row.trained / longest)) if row.trained else 0) for row in body]


@bp.get("/trained-by-area")
@allow(REPORT_READERS)
def trained_by_area_page():
    """Staff trained by area up to a date, as a table and a bar chart, with who is still to train."""
    form = AsOfForm(request.args or None, as_of=london_today())
    if request.args and not form.validate():
        return render_template("reports/trained-by-area.html", form=form, as_of=None)
    as_of = form.as_of.required_date()
    scope = report_scope(current_user)
    kept_rows, kept_still = kept_trained_by_area(as_of, scope), kept_still_to_train(as_of, scope)
    if kept_rows is None or kept_still is None:
        return being_counted("Trained by area")
    rows, still = kept_rows.value, kept_still.value
    page, pages = paged(len(rows) - 1, page_number(request.args))
    key = (scope_key(scope), as_of, page, *[(kept.generation, kept.counted_at) for kept in (kept_rows, kept_still)])
    figures = kept_html(
        ("trained-by-area", *key),
        lambda: render_template("reports/_trained-by-area-figures.html", **_figures(as_of, rows, still, page, pages)),
    )
    return render_template(
        "reports/trained-by-area.html",
        form=form,
        as_of=as_of,
        counted_at=min(kept_rows.counted_at, kept_still.counted_at),
        counted_current=kept_rows.current and kept_still.current,
        figures_html=figures,
    )


def _figures(as_of: date, rows: list[AreaRow], still: list[StillToTrainRow], page: int, pages: int) -> dict[str, Any]:
    """What reports/_trained-by-area-figures.html shows of one page of the table, with who is still to train."""
    shown = rows[:-1][(page - 1) * REPORT_ROWS : page * REPORT_ROWS] + rows[-1:]  # the total on every page
    return {
        "as_of": as_of,
        "header": by_authority_header(as_of),
        "rows": shown,
        "bars": chart_bars(shown),
        "still": still[:REPORT_ROWS] + still[-1:] if len(still) > REPORT_ROWS + 1 else still,
        "still_left_out": max(len(still) - 1 - REPORT_ROWS, 0),
        "paging": paging_of(page, pages, len(rows) - 1, "reports.trained_by_area_page", as_of=as_of.isoformat()),
    }


def being_counted(title: str) -> str:
    """The page a visit gets while another visit is counting the same figures (they count once, for everyone)."""
    return render_template("reports/being-counted.html", title=title, again=request.full_path)


def paged(count: int, asked: int) -> tuple[int, int]:
    """The page to show (the last when asked past it) and how many pages `count` rows take."""
    pages = max(1, -(-count // REPORT_ROWS))
    return min(asked, pages), pages


def paging_of(page: int, pages: int, rows: int, endpoint: str, **args: str) -> dict[str, object]:
    """What a report template pages with: the page, how many, how many rows, the GOV.UK pagination's items and its
    previous and next links, each link the page's own query (`args`) with its page number."""
    values: dict[str, Any] = {**args, "page": 0}
    base = url_for(endpoint, **values)  # built once, each page's number put in (url_for per link cost ms)
    cut = base.rindex("page=0") + len("page=")

    def href(n: int) -> str:
        return f"{base[:cut]}{n}{base[cut + 1 :]}"

    return {
        "page": page,
        "pages": pages,
        "rows": rows,
        "first": (page - 1) * REPORT_ROWS + 1,
        "last": min(page * REPORT_ROWS, rows),
        "items": page_items(page, pages, href),
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
    }


def page_items(page: int, pages: int, href: Callable[[int], str]) -> list[dict[str, object]]:
    """GOV.UK pagination items: the first, the last and the pages either side of this one."""
    items: list[dict[str, object]] = []
    for n in sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}):
        if items and items[-1].get("number") != n - 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == page})
    return items


@bp.get("/trained-by-area.xlsx")
@allow(REPORT_READERS)
def trained_by_area_workbook():
    """The trained-by-area workbook (SPEC 4.4) as a download, for ?as_of=YYYY-MM-DD (today when not given)."""
    try:
        as_of = parse_iso_date(request.args["as_of"]) if "as_of" in request.args else london_today()
    except DateProblem as problem:
        out_of_range = problem.kind is DateProblemKind.OUT_OF_RANGE
        page = render_template(
            "reports/bad-date.html",
            today=london_today(),
            out_of_range=out_of_range,
            earliest=EARLIEST_DATE,
            latest=LATEST_DATE,
        )
        return page, 400
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trained-by-area.xlsx"
        write_trained_by_area(path, as_of, report_scope(current_user))
        content = path.read_bytes()
    return send_file(
        BytesIO(content),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"trained-by-area-{as_of.isoformat()}.xlsx",
    )
