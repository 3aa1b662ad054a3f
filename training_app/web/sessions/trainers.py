"""Trainers and their calendar feeds: coordinators add trainers; a trainer's secret feed address is shown once."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ...models import Trainer
from ...permissions import SIGNED_IN, STAFF, allow
from ...services.catalogue import trainers
from ...services.catalogue.trainers import TrainerRefused
from ...services.sessions import calendars
from ..loading import load
from .forms import TrainerForm
from .routes import bp

# Each form making a feed address names the one its page showed (calendars.issue_feed_token).
bp.add_app_template_global(calendars.feed_version)


@bp.route("/trainers", methods=["GET", "POST"])
@allow(STAFF)
def trainers_page():
    """The trainers, whether each has a calendar feed, and a form to add one."""
    form = TrainerForm()
    errors: list[dict[str, str]] = []
    if form.validate_on_submit():
        try:
            trainer = trainers.add_trainer(form.name.data or "", form.email.data or "", current_user)
        except TrainerRefused as refused:
            for problem in refused.problems:
                text = problem.message[0].upper() + problem.message[1:]
                getattr(form, problem.field).errors = [text]
                errors.append({"text": text, "href": f"#{problem.field}"})
        else:
            flash(f"{trainer.name} has been added as a trainer.")
            return redirect(url_for("sessions.trainers_page"))
    return render_template("sessions/trainers.html", form=form, errors=errors, trainers=trainers.all_trainers())


@bp.get("/calendar-feed")
@allow(SIGNED_IN)
def my_feed_page():
    """A trainer's own page for their calendar feed; others are told they teach no sessions."""
    return render_template(
        "sessions/feed.html", trainer=trainers.trainer_of(current_user), action=FlaskForm(), feed_url=None
    )


@bp.post("/trainers/<number:trainer_id>/feed")
@allow(SIGNED_IN)
def issue_feed(trainer_id: int):
    """Issue a new secret feed address (the old one stops working) and show it once."""
    trainer = load(Trainer, trainer_id, trainers.may_manage_feed)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:  # the address the page showed, absent from a form sent by a page older than that field: then not checked
        token = calendars.issue_feed_token(trainer, current_user, replacing=request.form.get("replacing"))
    except calendars.FeedRefused as refused:
        problem = (
            f"{str(refused)[:1].upper()}{str(refused)[1:]}, from another page or a second click: that address is the "
            "one that works. If you did not see it, make a new one."
        )
        page = render_template("sessions/feed.html", trainer=trainer, action=FlaskForm(), problem=problem)
        return page, 409
    feed_url = url_for("calendar_feeds.trainer_feed_file", token=token, _external=True)
    return render_template("sessions/feed.html", trainer=trainer, action=FlaskForm(), feed_url=feed_url)


@bp.post("/trainers/<number:trainer_id>/feed/revoke")
@allow(SIGNED_IN)
def revoke_feed(trainer_id: int):
    """Turn a trainer's feed off: calendars subscribed to it stop updating."""
    trainer = load(Trainer, trainer_id, trainers.may_manage_feed)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if calendars.revoke_feed_token(trainer, current_user):
        flash(f"The calendar feed of {trainer.name} is turned off.")
    else:
        flash(f"The calendar feed of {trainer.name} was already off.")
    back = "sessions.trainers_page" if current_user.role in STAFF else "sessions.my_feed_page"
    return redirect(url_for(back))
