"""Admin pages for webhooks: the list, registering one, pausing and resuming, deleting, and the delivery log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...models import Role
from ...permissions import allow
from ...services.webhooks import webhooks
from ...services.webhooks.webhooks import WebhookError
from .forms import DeleteForm, WebhookForm

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@bp.get("")
@allow(Role.ADMIN)
def list_page():
    """Every webhook: its URL, events and whether it is paused."""
    return render_template("webhooks/list.html", hooks=webhooks.webhooks_listed())


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_page():
    """Register a URL, its shared secret and the events it wants."""
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            hook = webhooks.register_webhook(
                form.url.data or "", form.secret.data or "", form.events.data or [], by=current_user
            )
        except WebhookError as refused:
            for name, message in refused.fields.items():
                field = getattr(form, name, form.url)
                field.errors = [*field.errors, message]
        else:
            flash(f"Webhook registered: events will be sent to {hook.url}.", "success")
            return redirect(url_for("webhooks.show_page", webhook_id=hook.id))
    return render_template("webhooks/new.html", form=form), 422 if form.errors else 200


@bp.get("/<number:webhook_id>")
@allow(Role.ADMIN)
def show_page(webhook_id: int):
    """One webhook and its latest deliveries, with their status codes and attempts, each able to go again."""
    hook = _found(webhook_id)
    return render_template("webhooks/show.html", hook=hook, deliveries=webhooks.deliveries_of(hook.id))


@bp.post("/<number:webhook_id>/pause")
@allow(Role.ADMIN)
def pause(webhook_id: int):
    """Pause a webhook: nothing is recorded or sent for it until it is resumed."""
    _change(lambda: webhooks.set_paused(webhook_id, True, by=current_user), "Webhook paused.")
    return redirect(url_for("webhooks.show_page", webhook_id=webhook_id))


@bp.post("/<number:webhook_id>/resume")
@allow(Role.ADMIN)
def resume(webhook_id: int):
    """Resume a paused webhook: what was waiting goes, and new events are recorded again."""
    _change(lambda: webhooks.set_paused(webhook_id, False, by=current_user), "Webhook resumed.")
    return redirect(url_for("webhooks.show_page", webhook_id=webhook_id))


@bp.route("/<number:webhook_id>/delete", methods=["GET", "POST"])
@allow(Role.ADMIN)
def delete_page(webhook_id: int):
    """Ask before deleting a webhook and its delivery log."""
    hook = _found(webhook_id)
    form = DeleteForm()
    if form.validate_on_submit():
        url = hook.url
        _change(lambda: webhooks.delete_webhook(webhook_id, by=current_user), f"Webhook for {url} deleted.")
        return redirect(url_for("webhooks.list_page"))
    return render_template("webhooks/delete.html", hook=hook, form=form)


@bp.post("/<number:webhook_id>/deliveries/<number:delivery_id>/send-again")
@allow(Role.ADMIN)
def send_again(webhook_id: int, delivery_id: int):
    """Send a delivery again, with the same id and body."""
    _change(lambda: webhooks.send_again(webhook_id, delivery_id, by=current_user), "The delivery will be sent again.")
    return redirect(url_for("webhooks.show_page", webhook_id=webhook_id))


def _found(webhook_id: int):
    try:
        return webhooks.find_webhook(webhook_id)
    except WebhookError:
        abort(404)


def _change(action, done: str) -> None:
    try:
        action()
    except WebhookError as refused:
        if refused.not_found:
            abort(404)
        flash(str(refused), "error")
    else:
        flash(done, "success")
