"""The start page, the dashboards and the health check."""

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from ...permissions import SIGNED_IN, allow, public

bp = Blueprint("main", __name__)


@bp.get("/health")
@public
def health():
    """A liveness check for load balancers."""
    return jsonify(status="ok")


@bp.get("/")
@allow(SIGNED_IN)
def dashboard():
    """The signed-in user's dashboard."""
    return render_template("main/dashboard.html", user=current_user)
