"""Report emails (SPEC 3.11): subscribe to a report's workbook by email from its page, change how often, stop; and
the list of a user's report emails. The rules are services/reporting/subscriptions'."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...models import Frequency, ReportSubscription, SubscribedReport
from ...models.base import utcnow
from ...permissions import TARGET_READERS, allow
from ...services.common.calendar import to_london
from ...services.reporting.subscriptions import (
    FREQUENCY_TEXT,
    TITLES,
    SubscriptionRefused,
    first_sending,
    may_receive,
    reports_open_to,
    set_subscription,
    subscriptions_of,
)
from .forms import ReportEmailForm

bp = Blueprint("report_emails", __name__)

# The page each report is read on (the still-to-train list is downloaded from the trained-by-area page).
REPORT_PAGES = {
    SubscribedReport.TRAINED_BY_AREA: "reports.trained_by_area_page",
    SubscribedReport.STILL_TO_TRAIN: "reports.trained_by_area_page",
    SubscribedReport.TARGETS: "targets.list_page",
    SubscribedReport.ATTENDANCE_BY_AUTHORITY: "reports.attendance_by_authority_page",
}
REPORT_KEYS = ", ".join(f"'{report.value}'" for report in SubscribedReport)


def next_email_at(subscription: ReportSubscription, now: datetime) -> datetime:
    """When the subscription's next email goes: the next Monday or 1st at 07:30 after now (or after it was chosen)."""
    return first_sending(subscription.frequency, max(now, subscription.frequency_since))


@bp.get("/report-emails")
@allow(TARGET_READERS)
def list_page():
    """Your report emails: each report emailed to you, how often and when next, with a button to stop it."""
    return _list_page(ReportEmailForm(formdata=None))


def _list_page(form: ReportEmailForm, status: int = 200) -> Any:
    user, now = current_user._get_current_object(), utcnow()
    subscriptions = subscriptions_of(user.id)
    rows = [
        {
            "report": report,
            "title": TITLES[report],
            "how_often": _sentence(FREQUENCY_TEXT[subscription.frequency]),
            "next": to_london(next_email_at(subscription, now)),
            "page": REPORT_PAGES[report],
        }
        for report, subscription in sorted(
            subscriptions.items(), key=lambda item: list(SubscribedReport).index(item[0])
        )
        if may_receive(user, report)
    ]
    others = [
        (report, TITLES[report], REPORT_PAGES[report])
        for report in reports_open_to(user)
        if report not in subscriptions
    ]
    return render_template("report-emails/list.html", rows=rows, others=others, form=form), status


@bp.post(f"/report-emails/<any({REPORT_KEYS}):report>")
@allow(TARGET_READERS)
def change(report: str):
    """Email me this every week / every month, or stop: from a report's page or the list; 403 for a report the user
    cannot read."""
    wanted, form = SubscribedReport(report), ReportEmailForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    frequency = None if form.frequency.data == "stop" else Frequency(form.frequency.data)
    try:
        done = set_subscription(current_user._get_current_object(), wanted, frequency)
    except SubscriptionRefused:
        abort(403)
    flash(_message(done.report, done.new, done.first_email_at), "success")
    if form.back.data == "list":
        return redirect(url_for("report_emails.list_page"))
    return redirect(url_for(REPORT_PAGES[wanted]) + f"#report-email-{wanted.value}")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _message(report: SubscribedReport, frequency: Frequency | None, first: datetime | None) -> str:
    title = TITLES[report].lower()
    if frequency is None or first is None:
        return f"You will no longer get the {title} report by email."
    return (
        f"You will get the {title} report by email {FREQUENCY_TEXT[frequency]}, at 07:30. "
        f"The first comes on {to_london(first):%A %-d %B %Y}."
    )


def register_report_email_choices(app: Flask) -> None:
    """Give every page `report_email_choice(report)` for its report-email box; the user's subscriptions are read once
    per page, when a box first asks."""

    @app.context_processor
    def _choices() -> dict[str, Any]:
        loaded: dict[SubscribedReport, ReportSubscription] | None = None

        def choice(report: str) -> dict[str, Any] | None:
            nonlocal loaded
            if not getattr(current_user, "is_authenticated", False):
                return None
            if loaded is None:
                loaded = subscriptions_of(current_user.id)
            return report_email_choice(SubscribedReport(report), loaded)

        return {"report_email_choice": choice}


def report_email_choice(
    report: SubscribedReport, subscriptions: dict[SubscribedReport, ReportSubscription]
) -> dict[str, Any] | None:
    """For a report page's box: its report, title and the user's frequency (None: not subscribed); None when the
    user may not have it emailed."""
    if not may_receive(current_user, report):
        return None
    subscription = subscriptions.get(report)
    return {
        "report": report.value,
        "title": TITLES[report],
        "frequency": subscription.frequency.value if subscription else None,
        "how_often": FREQUENCY_TEXT[subscription.frequency] if subscription else None,
    }
