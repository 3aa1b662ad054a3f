"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ...extensions import db
from ...permissions import public
from ...security import SignInRefused, record_session_event, sign_in_with_password
from .forms import SignInForm

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Email and password sign-in, throttled per email."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign-in.html", form=form)
    try:
        user = sign_in_with_password(form.email.data, form.password.data, ip=request.remote_addr)
    except SignInRefused as refused:
        db.session.commit()  # keep the recorded failure
        form.email.errors.append(refused.message)
        return render_template("auth/sign-in.html", form=form), refused.status
    db.session.commit()
    login_user(user)
    return redirect(safe_next_url(request.args.get("next")))


@bp.post("/sign-out")
@public
def sign_out():
    """Sign out and return to the sign-in page."""
    if current_user.is_authenticated:
        record_session_event(current_user, "sign_out")
        db.session.commit()
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
