"""The dashboards and the health check."""

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from ...models import Role
from ...permissions import SIGNED_IN, allow, public
from ...services.accounts.scope import report_scope
from ...services.reporting.dashboards import dashboard_figures
from ...services.reporting.summaries import refresh_summary
from ..charts import summary_charts
from ..filters import london_time

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
    if "summary" in figures and "plots" in figures:
        figures["charts"] = summary_charts(figures["summary"])
    return render_template(f"dashboards/{role.value.replace('_', '-')}.html", **figures)


@bp.post("/dashboard/refresh")
@allow(Role.COORDINATOR, Role.ADMIN)
def refresh_dashboard():
    """Count the dashboard's whole-workforce figures again now, for everyone who reads them."""
    summary = refresh_summary(report_scope(current_user))
    flash(f"Figures counted again: they are as of {london_time(summary.refreshed_at)}.")
    return redirect(url_for("main.dashboard"))
