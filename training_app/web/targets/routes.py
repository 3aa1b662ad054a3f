"""Targets (SPEC 3.10): progress per authority and organisation on a date, one target's progress over time, the
forms that set and change them, and the workbook. Scope and the rules are services/workforce/targets'."""

from __future__ import annotations

import tempfile
from datetime import date
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...exports.targets import write_targets
from ...models import Role, Target
from ...permissions import TARGET_READERS, allow
from ...services.accounts.scope import organisation_scope
from ...services.catalogue.choices import authority_choices, course_choices, group_choices
from ...services.common.calendar import london_today
from ...services.workforce.target_progress import line_points, progress_over_time, target_progress
from ...services.workforce.targets import (
    STATUS_LABELS,
    TargetError,
    TargetValues,
    change_target,
    count_targets,
    default_course,
    may_set_target,
    may_set_targets,
    set_target,
    target_for,
    target_label,
    targets_for,
)
from ..paging import page_number
from .chart import target_chart
from .forms import TargetForm, TargetsAsOfForm

bp = Blueprint("targets", __name__)

READERS = TARGET_READERS
SETTERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER)
PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Service field names and the form boxes that show their problems.
FORM_FIELDS = {"organisation": "organisation", "groups": "groups", "course": "course", "percent": "percent"}
FORM_FIELDS |= {"due_on": "due_on"}


@bp.get("/targets")
@allow(READERS)
def list_page():
    """Every target in scope with its progress on a date (today unless asked), paged, authorities' first."""
    form = TargetsAsOfForm(request.args if "as_of" in request.args else None, as_of=london_today())
    if "as_of" in request.args and not form.validate():
        return render_template("targets/list.html", form=form, as_of=None), 400
    as_of = form.as_of.required_date()
    total = count_targets(current_user)
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_number(request.args), pages)
    targets = targets_for(current_user, PER_PAGE, (page - 1) * PER_PAGE)
    progress = target_progress(targets, as_of)
    return render_template(
        "targets/list.html",
        form=form,
        as_of=as_of,
        authority_targets=[(t, progress[t.id]) for t in targets if t.authority_id is not None],
        organisation_targets=[(t, progress[t.id]) for t in targets if t.organisation_id is not None],
        total=total,
        paging={"page": page, "pages": pages, "items": _page_items(page, pages, as_of)},
        may_set=may_set_targets(current_user),
        labels=STATUS_LABELS,
        label=target_label,
    )


@bp.get("/targets.xlsx")
@allow(READERS)
def workbook():
    """Every target in scope with its progress on ?as_of=YYYY-MM-DD (today when not given), as a workbook."""
    form = TargetsAsOfForm(request.args if "as_of" in request.args else None, as_of=london_today())
    if "as_of" in request.args and not form.validate():
        abort(400)
    as_of = form.as_of.required_date()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "targets.xlsx"
        write_targets(path, as_of, current_user)
        content = path.read_bytes()
    name = f"targets-{as_of.isoformat()}.xlsx"
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/targets/<number:target_id>")
@allow(READERS)
def show_page(target_id: int):
    """One target: its figures today and its progress at each month end since it was set, as a chart and a table."""
    target = _target_or_abort(target_id)
    today = london_today()
    series = progress_over_time(target, today)
    return render_template(
        "targets/show.html",
        target=target,
        label=target_label(target),
        now=series[-1],
        series=series,
        chart=target_chart(series, line_points(target)),
        labels=STATUS_LABELS,
        may_change=may_set_target(current_user, target.organisation_id, target.authority_id),
    )


@bp.route("/targets/new", methods=["GET", "POST"])
@allow(SETTERS)
def new_page():
    """Set a target: a booker for their own organisation, coordinators for any organisation or authority."""
    if not may_set_targets(current_user):
        abort(403)
    form = _form()
    if form.validate_on_submit():
        try:
            target = set_target(_values(form), current_user, london_today())
        except TargetError as refused:
            _refused(form, refused)
        else:
            flash(f"The target for {target_label(target)} has been set.", "success")
            return redirect(url_for("targets.show_page", target_id=target.id))
    return render_template("targets/form.html", form=form, target=None, booker_for=_booker_organisation())


@bp.route("/targets/<number:target_id>/edit", methods=["GET", "POST"])
@allow(SETTERS)
def edit_page(target_id: int):
    """Change a target's groups, course, percentage or date (the day it was set stays)."""
    target = _target_or_abort(target_id)
    if not may_set_target(current_user, target.organisation_id, target.authority_id):
        abort(403)
    form = _form(target if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            change_target(target.id, _values(form), current_user)
        except TargetError as refused:
            _refused(form, refused)
        else:
            flash(f"The target for {target_label(target)} has been saved.", "success")
            return redirect(url_for("targets.show_page", target_id=target.id))
    return render_template("targets/form.html", form=form, target=target, booker_for=_booker_organisation())


def _target_or_abort(target_id: int) -> Target:
    try:
        return target_for(current_user, target_id)
    except TargetError as refused:
        abort(404 if refused.missing else 403)


def _booker_organisation():
    """The booker's own organisation, which their targets are always for (None for staff, who choose)."""
    return current_user.organisation if organisation_scope(current_user) is not None else None


def _form(target: Target | None = None) -> TargetForm:
    data = None
    if target is not None:
        data = {
            "organisation": target.organisation.code if target.organisation else "",
            "authority": target.authority.code if target.authority else "",
            "groups": [group.code for group in target.groups],
            "course": target.course.code,
            "percent": str(target.percent),
        }
    form = TargetForm(data=data) if data else TargetForm()
    form.authority.choices = [SelectChoice("", "Not an authority’s target")] + [
        SelectChoice(code, name) for code, name in authority_choices()
    ]
    form.groups.choices = [SelectChoice(code, f"{code}: {name}") for code, name in group_choices()]
    form.course.choices = [SelectChoice(code, f"{title} ({code})") for code, title in course_choices()]
    if target is not None:
        form.due_on.show(target.due_on)
    elif request.method == "GET" and (course := default_course()) is not None:
        form.course.data = course.code
    return form


def _values(form: TargetForm) -> TargetValues:
    booker_for = _booker_organisation()
    percent = form.percent.data
    return TargetValues(
        organisation_code=booker_for.code if booker_for else (form.organisation.data or None),
        authority_code=None if booker_for else (form.authority.data or None),
        group_codes=form.groups.data or [],
        course_code=form.course.data or None,
        percent=int(percent) if percent else None,
        due_on=form.due_on.required_date(),
    )


def _refused(form: TargetForm, refused: TargetError) -> None:
    if refused.forbidden:
        abort(403)
    for name, message in refused.fields.items():
        form[FORM_FIELDS.get(name, "organisation")].errors.append(message.rstrip("."))


def _page_items(page: int, pages: int, as_of: date) -> list[dict[str, object]]:
    """GOV.UK pagination items: the first, the last and the pages either side of this one."""
    items: list[dict[str, object]] = []
    for n in sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}):
        if items and items[-1].get("number") != n - 1:
            items.append({"ellipsis": True})
        href = url_for("targets.list_page", as_of=as_of.isoformat(), page=n)
        items.append({"number": n, "href": href, "current": n == page})
    return items
