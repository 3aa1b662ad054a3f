"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ...permissions import public
from ...services.accounts import sign_in as sign_in_service
from .forms import SignInForm

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Email and password sign-in, throttled per email and per address."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign-in.html", form=form)
    try:
        user = sign_in_service.sign_in_with_password(form.email.data, form.password.data, ip=request.remote_addr)
    except sign_in_service.SignInRefused as refused:
        form.email.errors.append(refused.message)
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
        return render_template("auth/sign-in.html", form=form), refused.status, headers
    login_user(user)
    return redirect(safe_next_url(request.args.get("next")))


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
