"""A coordinator's message to everyone booked on a session (SPEC 3.4); the rules are in session_messages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...permissions import STAFF, allow
from ...services.common.lookups import session_with_code
from ...services.sessions.session_messages import MessageRefused, recipients, send_message
from .forms import MessageForm
from .routes import bp


@bp.route("/<code>/message", methods=["GET", "POST"])
@allow(STAFF)
def message_page(code: str):
    """Write to everyone booked on the session (optionally those waiting too); each gets their own email."""
    session = session_with_code(code)
    if session is None:
        abort(404)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message = send_message(
                session,
                form.subject.data or "",
                form.body.data or "",
                bool(form.include_waiting.data),
                current_user._get_current_object(),
            )
        except MessageRefused as refused:
            for problem in refused.problems:
                getattr(form, problem.field).errors.append(problem.message)
        else:
            people = "person" if message.recipients == 1 else "people"
            flash(f"Your message has been sent to {message.recipients} {people}.", "success")
            return redirect(url_for("sessions.show_page", code=session.code))
    booked, everyone = len(recipients(session.id, False)), len(recipients(session.id, True))
    return render_template(
        "sessions/message.html", session=session, form=form, booked=booked, waiting=everyone - booked
    ), (422 if form.errors else 200)
