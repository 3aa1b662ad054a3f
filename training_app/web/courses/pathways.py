"""Pathways: the matrix of groups by courses, and one editor page per responsibility group."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...models import Requirement, ResponsibilityGroup
from ...permissions import STAFF, allow
from ...services.catalogue import courses, pathway_editor
from ..loading import in_reach
from .forms import REQUIREMENT_LABELS, ActionForm, AddStepForm, RequirementForm

bp = Blueprint("pathways", __name__, url_prefix="/pathways")


@bp.get("")
@allow(STAFF)
def matrix():
    """Which course each responsibility group requires, recommends or offers, as one table."""
    in_use = [course for course in courses.all_courses() if not course.is_retired]
    return render_template(
        "courses/pathway-matrix.html",
        groups=pathway_editor.all_groups(),
        courses=in_use,
        cells=pathway_editor.requirement_matrix(),
        labels=REQUIREMENT_LABELS,
    )


@bp.get("/<code>")
@allow(STAFF)
def group_page(code: str):
    """One group's pathway in order, with buttons to move, remove or change each course, and a form to add one."""
    group = in_reach(pathway_editor.group_with_code(code))
    return _render(group, AddStepForm())


@bp.post("/<code>/courses")
@allow(STAFF)
def add_step(code: str):
    """Put a course at the end of the group's pathway."""
    group = in_reach(pathway_editor.group_with_code(code))
    form = AddStepForm()
    _course_choices(group, form)
    if not form.validate_on_submit():
        return _render(group, form)
    course = courses.course_with_code(form.course.data)
    if course is None:
        form.course.errors.append("Select a course from the list")
        return _render(group, form)
    try:
        pathway_editor.add_course(group, course, Requirement(form.requirement.data), current_user)
    except pathway_editor.PathwayEditError as refused:
        form.course.errors.append(str(refused))
        return _render(group, form)
    flash(f"{course.code} has been added to the pathway.", "success")
    return redirect(url_for("pathways.group_page", code=group.code))


@bp.post("/<code>/courses/<course_code>/<any(up, down):direction>")
@allow(STAFF)
def move_step(code: str, course_code: str, direction: str):
    """Move a course one place up or down the pathway."""
    group, course = in_reach(pathway_editor.group_with_code(code)), in_reach(courses.course_with_code(course_code))
    return _act(group, lambda: pathway_editor.move_course(group, course, -1 if direction == "up" else 1, current_user))


@bp.post("/<code>/courses/<course_code>/remove")
@allow(STAFF)
def remove_step(code: str, course_code: str):
    """Take a course off the pathway."""
    group, course = in_reach(pathway_editor.group_with_code(code)), in_reach(courses.course_with_code(course_code))
    return _act(
        group,
        lambda: pathway_editor.remove_course(group, course, current_user),
        f"{course.code} has been removed from the pathway.",
    )


@bp.post("/<code>/courses/<course_code>/requirement")
@allow(STAFF)
def set_requirement(code: str, course_code: str):
    """Make a course on the pathway required, recommended or optional."""
    group, course = in_reach(pathway_editor.group_with_code(code)), in_reach(courses.course_with_code(course_code))
    form = RequirementForm()
    if not form.validate_on_submit():
        return _render(group, AddStepForm(formdata=None), problem="Select a requirement from the list")
    requirement = Requirement(form.requirement.data)
    return _act(group, lambda: pathway_editor.change_requirement(group, course, requirement, current_user))


def _act(group: ResponsibilityGroup, change, done: str | None = None):
    """Run one change from a row's button; its refusal is shown in the error summary."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        change()
    except pathway_editor.PathwayEditError as refused:
        return _render(group, AddStepForm(formdata=None), problem=str(refused))
    flash(done or "The pathway has been saved.", "success")
    return redirect(url_for("pathways.group_page", code=group.code))


def _render(group: ResponsibilityGroup, form: AddStepForm, problem: str | None = None):
    _course_choices(group, form)
    pathway = pathway_editor.group_pathway(group)
    steps = sorted(pathway.steps, key=lambda step: step.position) if pathway else []
    return render_template(
        "courses/pathway-group.html",
        group=group,
        steps=steps,
        form=form,
        problem=problem,
        action=ActionForm(),
        labels=REQUIREMENT_LABELS,
    )


def _course_choices(group: ResponsibilityGroup, form: AddStepForm) -> None:
    pathway = pathway_editor.group_pathway(group)
    on_it = {step.course_id for step in pathway.steps} if pathway else set()
    choices = [
        SelectChoice(c.code, f"{c.code}: {c.title}")
        for c in courses.all_courses()
        if not c.is_retired and c.id not in on_it
    ]
    form.course.choices = [SelectChoice("", "Choose a course"), *choices]
