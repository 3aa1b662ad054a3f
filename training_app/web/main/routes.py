"""The dashboards and the health check."""

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from ...permissions import SIGNED_IN, allow, public
from ...services.reporting.dashboards import dashboard_figures
from ..charts import dashboard_charts

bp = Blueprint("main", __name__)


@bp.get("/health")
@public
def health():
    """A liveness check for load balancers."""
    return jsonify(status="ok")


@bp.get("/")
@allow(SIGNED_IN)
def dashboard():
    """The signed-in user's dashboard: one per role (and the registers to mark, for anyone who teaches)."""
    role = current_user.role
    figures = dashboard_figures(current_user)
    if "plots" in figures:
        figures["charts"] = dashboard_charts(figures["plots"])
    return render_template(f"dashboards/{role.value.replace('_', '-')}.html", **figures)
