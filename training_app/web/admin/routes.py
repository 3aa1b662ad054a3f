"""Administration of accounts: the users list, invitations, roles and scopes, switching accounts off and on."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...extensions import db
from ...models import Role, User
from ...permissions import allow
from ...services.accounts import account_links
from ...services.accounts.accounts import (
    AccountError,
    accounts_page,
    api_tokens_of,
    change_access,
    deactivate_user,
    reactivate_user,
)
from ...services.catalogue.choices import authority_choices
from ..accounts.routes import link_url
from ..paging import page_number
from .forms import AccessForm, InviteForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

USERS_PER_PAGE = 50


@bp.get("/users")
@allow(Role.ADMIN)
def users_page():
    """Every account, 50 to a page, with its role, scope and whether it is switched on."""
    page = page_number(request.args)
    total, users = accounts_page(page, USERS_PER_PAGE)
    pages = max(1, -(-total // USERS_PER_PAGE))
    items = [
        {"number": n, "href": url_for("admin.users_page", page=n), "current": n == page} for n in range(1, pages + 1)
    ]
    return render_template(
        "admin/users.html", users=list(users), page=min(page, pages), pages=pages, total=total, page_items=items
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@allow(Role.ADMIN)
def invite_page():
    """Invite someone by email: their account waits for them to set a password from the link."""
    form = InviteForm()
    form.authorities.choices = _authority_choices()
    if form.validate_on_submit():
        try:
            user = account_links.invite_user(
                form.email.data,
                form.role.data,
                link_url,
                by=current_user._get_current_object(),
                organisation_code=form.organisation.data or None,
                authority_codes=form.authorities.data or [],
                name=form.name.data or "",
            )
        except AccountError as problem:
            _attach(form, str(problem))
        else:
            flash(f"An invitation has been sent to {user.email}. The link works once, for 7 days.", "success")
            return redirect(url_for("admin.user_page", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.route("/users/<number:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_page(user_id: int):
    """One account: its role and scope (editable), its API tokens, and switching it off or on."""
    user = db.get_or_404(User, user_id)
    form = AccessForm(
        data=None
        if request.method == "POST"
        else {
            "role": user.role.value,
            "organisation": user.organisation.code if user.organisation else "",
            "authorities": [a.code for a in user.authorities],
        }
    )
    form.authorities.choices = _authority_choices()
    if form.validate_on_submit():
        try:
            changed = change_access(
                user, form.role.data, form.organisation.data or None, form.authorities.data or [], by=current_user
            )
        except AccountError as problem:
            db.session.rollback()
            _attach(form, str(problem))
        else:
            flash("Role and scope saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("admin.user_page", user_id=user.id))
    user = db.get_or_404(User, user_id)
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        tokens=api_tokens_of(user),
        invitation_pending=account_links.invitation_pending(user),
        latest_invitation=account_links.latest_invitation(user),
    )


@bp.post("/users/<number:user_id>/deactivate")
@allow(Role.ADMIN)
def deactivate(user_id: int):
    """Switch an account off: its sessions and API tokens stop at once; its history is kept."""
    user = db.get_or_404(User, user_id)
    try:
        if deactivate_user(user, by=current_user._get_current_object()):
            flash(f"{user.email} has been switched off. Their sessions and API tokens no longer work.", "success")
    except AccountError as problem:
        flash(_sentence(str(problem)), "error")
    return redirect(url_for("admin.user_page", user_id=user_id))


@bp.post("/users/<number:user_id>/reactivate")
@allow(Role.ADMIN)
def reactivate(user_id: int):
    """Switch an account back on; they sign in again with their password."""
    user = db.get_or_404(User, user_id)
    if reactivate_user(user, by=current_user._get_current_object()):
        flash(f"{user.email} has been switched back on.", "success")
    return redirect(url_for("admin.user_page", user_id=user_id))


@bp.post("/users/<number:user_id>/resend-invitation")
@allow(Role.ADMIN)
def resend_invitation(user_id: int):
    """Send an invited user a new link, valid 7 days, when the first was lost or ran out; older links stop."""
    user = db.get_or_404(User, user_id)
    try:
        replacing = request.form.get("replacing", type=int)  # the invitation the page showed as the latest
        account_links.resend_invitation(user, link_url, by=current_user._get_current_object(), replacing=replacing)
    except AccountError as problem:
        flash(_sentence(str(problem)), "error")
    else:
        flash(f"A new invitation has been sent to {user.email}. The link works once, for 7 days.", "success")
    return redirect(url_for("admin.user_page", user_id=user_id))


def _authority_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in authority_choices()]


def _attach(form: InviteForm | AccessForm, message: str) -> None:
    """Put a service's refusal on the field it is about, so the error summary links to it."""
    text = _sentence(message)
    if message.startswith("the name "):
        field = getattr(form, "name", form.role)
    elif "email" in message or "already exists" in message or "practitioner" in message:
        field = getattr(form, "email", form.role)
    elif "organisation" in message:
        field = form.organisation
    elif "authorit" in message:
        field = form.authorities
    else:
        field = form.role
    field.errors = [*field.errors, text]


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
