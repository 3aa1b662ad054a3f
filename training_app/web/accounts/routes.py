"""Setting a password from an emailed link, asking for a password reset, and a user's own API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...extensions import db
from ...models import ApiToken, LinkPurpose, Role
from ...permissions import SIGNED_IN, allow, public
from ...services.accounts import account_links
from ...services.accounts.accounts import AccountError, api_tokens_of, grant_api_token, revoke_api_token
from .forms import ApiTokenForm, PasswordResetRequestForm, SetPasswordForm

bp = Blueprint("accounts", __name__)


def link_url(token: str) -> str:
    """The full address of the page that takes an emailed link's secret."""
    return url_for("accounts.set_password", token=token, _external=True)


@bp.route("/password-reset", methods=["GET", "POST"])
@public
def request_password_reset():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = PasswordResetRequestForm()
    if not form.validate_on_submit():
        return render_template("accounts/password-reset.html", form=form)
    try:
        account_links.request_password_reset(form.email.data, link_url, ip=request.remote_addr)
    except account_links.ResetLimited as limited:
        minutes = -(-limited.retry_after // 60)
        form.email.errors.append(
            "You have asked for several reset emails in the last hour. Check your inbox and spam folder for the "
            f"latest one, or try again in {minutes} minute{'s' if minutes != 1 else ''}"
        )
        page = render_template("accounts/password-reset.html", form=form)
        return page, 429, {"Retry-After": str(limited.retry_after)}
    return render_template("accounts/password-reset-sent.html", email=form.email.data.strip().lower())


@bp.route("/set-password/<string(length=43):token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """Choose a password from an invitation or a reset link, which then stops working."""
    link = account_links.usable_link(token)
    if link is None:
        return render_template("accounts/link-refused.html"), 404
    invitation = link.purpose is LinkPurpose.INVITATION
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            account_links.set_password_with_link(token, form.password.data)
        except account_links.LinkRefused:
            return render_template("accounts/link-refused.html"), 404
        except AccountError as problem:
            form.password.errors.append(_sentence(str(problem)))
        else:
            flash("Your password has been set. Sign in with your email address and new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("accounts/set-password.html", form=form, invitation=invitation, email=link.user.email)


@bp.route("/api-tokens", methods=["GET", "POST"])
@allow(SIGNED_IN)
def api_tokens():
    """The signed-in user's API tokens: make one (shown once), see when each was last used, revoke."""
    form = ApiTokenForm()
    user = current_user._get_current_object()
    new_token = None
    if form.validate_on_submit():
        try:
            new_token = grant_api_token(user, by=user, name=form.name.data)
        except AccountError as problem:
            form.name.errors.append(_sentence(str(problem)))
        else:
            form = ApiTokenForm(formdata=None)
    return render_template("accounts/api-tokens.html", form=form, tokens=api_tokens_of(user), new_token=new_token)


@bp.post("/api-tokens/<number:token_id>/revoke")
@allow(SIGNED_IN)
def revoke_token(token_id: int):
    """Revoke one of your own tokens; an administrator may revoke anyone's."""
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id and current_user.role != Role.ADMIN:
        abort(403)
    if revoke_api_token(token, by=current_user._get_current_object()):
        flash(f"Token “{token.name or token.prefix}” has been revoked. It no longer works.", "success")
    if token.user_id == current_user.id:
        return redirect(url_for("accounts.api_tokens"))
    return redirect(url_for("admin.user_page", user_id=token.user_id))


def _sentence(message: str) -> str:
    """A service's message as an error message: capitalised."""
    return message[:1].upper() + message[1:]
