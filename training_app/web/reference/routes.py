"""Reference data for administrators: authorities, areas, organisations and practitioners; list, search, add
and change one record (checked by the same reader as that kind's CSV import), and give a practitioner an account."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ...extensions import db
from ...imports.service import READERS
from ...imports.single_row import errors_by_column, import_one_row
from ...models import Practitioner, Role, User
from ...permissions import allow
from ...services.accounts import account_links, settings
from ...services.accounts.accounts import AccountError
from ...services.accounts.personal_data import (
    PersonalDataError,
    anonymise_practitioner,
    inactive_practitioners,
    retention_cutoff,
    subject_access,
)
from ...services.accounts.practitioner_merge import MergeRefused, merge_practitioners, merge_problems, merge_summary
from ...services.catalogue.reference_data import REFERENCE_KINDS, record_row, reference_page
from ...services.common.calendar import london_today
from ...services.common.lookups import account_of_practitioner, practitioner_with_email
from ..accounts.routes import link_url
from ..loading import in_reach
from .forms import MergeForm, RetentionForm, column_label, record_form

bp = Blueprint("reference", __name__, url_prefix="/admin/reference")

TITLES = {
    "authorities": "Authorities",
    "areas": "Areas",
    "organisations": "Organisations",
    "practitioners": "Practitioners",
}


def _kind_or_404(kind: str) -> str:
    if kind not in REFERENCE_KINDS:
        abort(404)
    return kind


@bp.get("", defaults={"kind": "authorities"})
@bp.get("/<string:kind>")
@allow(Role.ADMIN)
def list_page(kind: str):
    """A kind's records, 50 to a page, searched by name, code or email (and organisation, for practitioners)."""
    _kind_or_404(kind)
    search = (request.args.get("q") or "").strip()[:200]
    result = reference_page(kind, search, request.args.get("page", 1, type=int) or 1)
    return render_template(
        "reference/list.html", kind=kind, title=TITLES[kind], result=result, search=search, key_of=_key_of
    )


@bp.route("/<string:kind>/record", methods=["GET", "POST"])
@allow(Role.ADMIN)
def record_page(kind: str):
    """Add a record (no ?key=) or change one; the kind's import reader checks it, so nothing bad is saved."""
    _kind_or_404(kind)
    key = request.args.get("key", "")
    existing = record_row(kind, key) if key else None
    if key and existing is None:
        abort(404)
    form = record_form(kind, data=existing if request.method == "GET" else None)
    if form.validate_on_submit():
        row = {column: form[column].data or "" for column in READERS[kind].columns}
        if existing is not None:  # the key says which record: it is not changed here
            row |= {column: existing[column] for column in READERS[kind].key_columns}
        result = import_one_row(kind, row, actor=current_user._get_current_object())
        if result.ok:
            flash(f"{TITLES[kind][:-1] if kind != 'authorities' else 'Authority'} saved.", "success")
            return redirect(url_for("reference.list_page", kind=kind))
        for column, messages in errors_by_column(result).items():
            field = form[column] if column in READERS[kind].columns else form[READERS[kind].key_columns[0]]
            field.errors = [*field.errors, *(f"{column_label(column or field.name)}: {m}" for m in messages)]
    account = _account_for(kind, existing)
    keys = READERS[kind].key_columns if existing is not None else ()
    return render_template(
        "reference/record.html", kind=kind, title=TITLES[kind], form=form, key=key, keys=keys, account=account
    )


@bp.post("/practitioners/account")
@allow(Role.ADMIN)
def practitioner_account():
    """Give a practitioner an account from their record: an invitation to their email, joined to the record."""
    key = request.args.get("key", "")
    practitioner = in_reach(practitioner_with_email(key))
    try:
        user = account_links.invite_practitioner(practitioner, link_url, by=current_user._get_current_object())
    except AccountError as problem:
        message = str(problem)
        flash(message[:1].upper() + message[1:], "error")
        return redirect(url_for("reference.record_page", kind="practitioners", key=key))
    flash(f"An invitation has been sent to {user.email}. The link works once, for 7 days.", "success")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.get("/practitioners/<string:email>/personal-data.json")
@allow(Role.ADMIN)
def subject_access_file(email: str):
    """A practitioner's data as one JSON file, for a subject access request."""
    practitioner = in_reach(practitioner_with_email(email))
    body = json.dumps(subject_access(practitioner), indent=2, default=str, ensure_ascii=False)
    headers = {"Content-Disposition": f'attachment; filename="personal-data-{practitioner.id}.json"'}
    return Response(body, mimetype="application/json", headers=headers)


@bp.route("/practitioners/<string:email>/anonymise", methods=["GET", "POST"])
@allow(Role.ADMIN)
def anonymise_page(email: str):
    """Confirm, then remove a leaver's name, email and job title; their counts stay."""
    practitioner = in_reach(practitioner_with_email(email))
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            anonymise_practitioner(practitioner, by=current_user._get_current_object())
        except PersonalDataError as problem:
            flash(sentence(str(problem)), "error")
        else:
            flash("The practitioner has been anonymised. Their training still counts.", "success")
        return redirect(url_for("reference.list_page", kind="practitioners"))
    return render_template("reference/anonymise.html", practitioner=practitioner, form=form, key=practitioner.email)


@bp.route("/practitioners/inactive", methods=["GET", "POST"])
@allow(Role.ADMIN)
def inactive_page():
    """People with no booking or training within the retention period, to anonymise; the period is changed here."""
    form = RetentionForm(
        data=None if request.method == "POST" else {"years": str(settings.current(settings.RETENTION_YEARS))}
    )
    if form.validate_on_submit():
        try:
            years = settings.change(
                settings.RETENTION_YEARS, form.years.data or "", by=current_user._get_current_object()
            )
        except settings.SettingRefused as refused:
            form.years.errors = [*form.years.errors, str(refused)]
        else:
            flash(f"Personal data is now kept for {years} years after someone's last activity.", "success")
            return redirect(url_for("reference.inactive_page"))
    years = settings.current(settings.RETENTION_YEARS)
    cutoff = retention_cutoff(london_today(), years)
    people = inactive_practitioners(cutoff)
    return render_template("reference/inactive.html", people=people, cutoff=cutoff, years=years, form=form)


@bp.route("/practitioners/<string:email>/merge", methods=["GET", "POST"])
@allow(Role.ADMIN)
def merge_page(email: str):
    """Fold a duplicate record of the same person into this one: name it, check what moves, then confirm."""
    keep = in_reach(practitioner_with_email(email))
    form = MergeForm()
    duplicate = None
    if form.validate_on_submit():
        duplicate = practitioner_with_email(form.duplicate.data or "")
        problems = (
            merge_problems(keep, duplicate)
            if duplicate is not None
            else [f"No practitioner has the email address {form.duplicate.data}"]
        )
        if not problems and form.confirm.data == "yes":
            assert duplicate is not None
            gone, keep_id = duplicate.email, keep.id
            try:
                merge_practitioners(keep, duplicate, by=current_user._get_current_object())
            except MergeRefused as refused:
                db.session.rollback()
                if not _still_there(keep_id):  # merged into the other record a moment ago, from another page
                    flash(f"{email} was merged into another record a moment ago: look it up again.", "error")
                    return redirect(url_for("reference.list_page", kind="practitioners"))
                problems = [str(refused)]
            else:
                flash(
                    f"{gone} has been merged into {keep.email}. Their bookings and training now belong here.", "success"
                )
                return redirect(url_for("reference.record_page", kind="practitioners", key=keep.email))
        if problems:
            form.duplicate.errors = [*form.duplicate.errors, *problems]
            duplicate = None
    summary = merge_summary(duplicate, keep) if duplicate is not None else None
    return render_template(
        "reference/merge.html", keep=keep, duplicate=duplicate, summary=summary, form=form, key=keep.email
    )


def _still_there(practitioner_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).where(Practitioner.id == practitioner_id)) == 1


def sentence(text: str) -> str:
    """The text with its first letter upper-cased and the rest as written (codes and names keep their case)."""
    return text[:1].upper() + text[1:]


def _key_of(kind: str, row) -> str:
    if kind == "areas":
        return f"{row.authority}/{row.name}"
    return row.email if kind == "practitioners" else row.code


def _account_for(kind: str, existing: dict[str, str] | None) -> User | bool | None:
    """For a practitioner's record: their account, or True when they have none yet."""
    if kind != "practitioners" or existing is None:
        return None
    return account_of_practitioner(existing["email"]) or True
