"""Sign in (with a password, or through the council's single sign-on provider) and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ...permissions import public
from ...services.accounts import sign_in as sign_in_service
from ...services.accounts import single_sign_on as sso_service
from .forms import SignInForm

bp = Blueprint("auth", __name__)
NEXT_AFTER_SINGLE_SIGN_ON = "single_sign_on_next"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Email and password sign-in, throttled per email and per address."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    if not form.validate_on_submit():
        return _sign_in_page(form)
    try:
        user = sign_in_service.sign_in_with_password(form.email.data, form.password.data, ip=request.remote_addr)
    except sign_in_service.SignInRefused as refused:
        form.email.errors.append(refused.message)
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
        return _sign_in_page(form), refused.status, headers
    login_user(user)
    return redirect(safe_next_url(request.args.get("next")))


def _sign_in_page(form: SignInForm) -> str:
    return render_template(
        "auth/sign-in.html",
        form=form,
        single_sign_on=sign_in_service.single_sign_on_enabled(),
        password_for_everyone=sign_in_service.password_sign_in_for_everyone(),
        provider_name=current_app.config["OIDC_NAME"],
    )


@bp.post("/sign-in/single-sign-on")
@public
def single_sign_on():
    """Send the browser to the single sign-on provider (authorization code flow with PKCE, state and nonce)."""
    if not sign_in_service.single_sign_on_enabled():
        abort(404)
    session[NEXT_AFTER_SINGLE_SIGN_ON] = safe_next_url(request.args.get("next"))
    redirect_uri = current_app.config["SERVICE_URL"].rstrip("/") + url_for("auth.single_sign_on_return")
    try:
        return sso_service.redirect_to_provider(redirect_uri, ip=request.remote_addr)
    except sign_in_service.SignInRefused as refused:
        return _refused_page(refused)


@bp.get("/sign-in/single-sign-on/return")
@public
def single_sign_on_return():
    """Where the provider sends the browser back: check its answer, then sign in the account with its verified email."""
    if not sign_in_service.single_sign_on_enabled():
        abort(404)
    try:
        user = sso_service.finish_sign_in(ip=request.remote_addr)
    except sign_in_service.SignInRefused as refused:
        return _refused_page(refused)
    login_user(user)
    return redirect(session.pop(NEXT_AFTER_SINGLE_SIGN_ON, None) or url_for("main.dashboard"))


def _refused_page(refused: sign_in_service.SignInRefused) -> tuple[str, int]:
    """Why single sign-on did not sign this person in, and what to do next."""
    title = getattr(refused, "title", f"You cannot sign in with {current_app.config['OIDC_NAME']}")
    return render_template(
        "auth/single-sign-on-refused.html",
        title=title,
        message=refused.message,
        password_for_everyone=sign_in_service.password_sign_in_for_everyone(),
    ), refused.status


@bp.post("/sign-out")
@public
def sign_out():
    """Sign out everywhere and return to the sign-in page."""
    if current_user.is_authenticated:
        sign_in_service.sign_out(current_user._get_current_object())
        logout_user()
        flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


def safe_next_url(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, else the dashboard."""
    fallback = url_for("main.dashboard")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return fallback
    return target
