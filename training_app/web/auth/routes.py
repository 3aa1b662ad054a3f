"""Sign in and sign out."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import logout_user

from ...permissions import public

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Email and password sign-in."""
    return render_template("auth/sign-in.html")


@bp.post("/sign-out")
@public
def sign_out():
    """Sign out and return to the sign-in page."""
    logout_user()
    return redirect(url_for("auth.sign_in"))
