"""Coverage: areas × responsibility groups, how many who must train are trained and current; who is left per cell."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_login import current_user

from ...permissions import REPORT_READERS, allow
from ...services.accounts.scope import report_scope
from ...services.common.calendar import london_today
from ...services.reporting.coverage import (
    CoverageGrid,
    area_label,
    cell_in_scope,
    group_with_code,
    still_to_train_in_cell,
)
from ...services.reporting.kept_reports import kept_coverage, kept_coverage_opening
from ...services.reporting.report_cache import scope_key
from ..charts import bar_chart
from ..fragments import kept_html
from ..paging import page_number
from .forms import AsOfForm
from .routes import REPORT_ROWS, being_counted, bp, paged, paging_of

ENDPOINT = "reports.coverage_page"

PER_PAGE = 100
AREA_MARK, GROUP_MARK = 987654321, "group-mark"


def _as_of_form(default: date | None = None) -> AsOfForm:
    return AsOfForm(request.args if "as_of" in request.args else None, as_of=default or london_today())


@bp.get("/coverage")
@allow(REPORT_READERS)
def coverage_page():
    """The coverage heat-map table (a word with every shade) and a bar chart of each area's coverage; without a date
    it opens on today, or on the latest day with figures when no one is current today, and says which."""
    scope = report_scope(current_user)
    opening, kept_opening = None, None
    if "as_of" not in request.args:
        today = london_today()
        kept_opening = kept_coverage_opening(today, scope)
        if kept_opening is None:
            return being_counted("Training coverage")
        opening = kept_opening.value
    form = _as_of_form(opening.as_of if opening else None)
    if "as_of" in request.args and not form.validate():
        return render_template("reports/coverage.html", form=form, grid=None)
    on = form.as_of.required_date()
    kept_grid = kept_coverage(on, scope)
    if kept_grid is None:
        return being_counted("Training coverage")
    grid, as_of = kept_grid.value, form.as_of.required_date()
    page, pages = paged(len(grid.areas), page_number(request.args))
    key = ("coverage", scope_key(scope), as_of, kept_grid.generation, kept_grid.counted_at, page)
    grid_html = kept_html(key, lambda: render_template("reports/_coverage-grid.html", **_grid_page(grid, page, pages)))
    return render_template(
        "reports/coverage.html",
        form=form,
        grid=grid,
        grid_html=grid_html,
        as_of=as_of,
        opening=opening,
        counted_at=kept_grid.counted_at,
        counted_current=kept_grid.current and (kept_opening is None or kept_opening.current),
    )


def _grid_page(grid: CoverageGrid, page: int, pages: int) -> dict[str, object]:
    """What reports/_coverage-grid.html shows of one page of the grid."""
    shown = grid.areas[(page - 1) * REPORT_ROWS : page * REPORT_ROWS]  # a national grid has 600 areas
    areas = [(f"{area.name} ({area.authority})" if area.authority else area.name, area.total) for area in shown]
    as_of = grid.as_of.isoformat()
    # every cell's link from one url_for: AREA and GROUP stand for the cell's area id and group code
    marked = url_for("reports.coverage_cell_page", area_id=AREA_MARK, code=GROUP_MARK, as_of=as_of)
    return {
        "grid": grid,
        "areas": shown,
        "as_of": grid.as_of,
        "chart": bar_chart([(label, total.percent or 0) for label, total in areas], scale_to=100, suffix="%"),
        "paging": paging_of(page, pages, len(grid.areas), ENDPOINT, as_of=as_of),
        "cell_link": marked.replace(str(AREA_MARK), "AREA").replace(GROUP_MARK, "GROUP"),
    }


@bp.get("/coverage/areas/<number:area_id>/groups/<code>")
@allow(REPORT_READERS)
def coverage_cell_page(area_id: int, code: str):
    """Who is still to train behind one cell (area 0 is 'No area'), on ?as_of=, a page at a time; a cell out of a
    workforce lead's scope is 403."""
    form = _as_of_form()
    if "as_of" in request.args and not form.validate():
        return render_template("reports/coverage.html", form=form, grid=None)
    area, group = area_label(area_id), group_with_code(code)
    if area is None or group is None:
        abort(404)
    scope = report_scope(current_user)
    if not cell_in_scope(area_id, group.id, scope):
        abort(403)
    page = page_number(request.args)
    people, total = still_to_train_in_cell(form.as_of.required_date(), area_id, group.id, scope, page, PER_PAGE)
    return render_template(
        "reports/coverage-cell.html",
        as_of=form.as_of.data,
        area=area,
        group=group,
        people=people,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        area_id=area_id,
    )
